import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogueVersionsController } from './catalogue-versions.controller.js';
import { CatalogueVersionsRepository } from './catalogue-versions.repository.js';
import { CATALOGUE_OPTIONS, CatalogueVersionsService, type CatalogueOptions } from './catalogue-versions.service.js';

/** Catalogue versions (ADR 0018): published by the national node, applied by the provinces. */
@Module({})
export class CatalogueModule {
  static register(options: CatalogueOptions): DynamicModule {
    return {
      module: CatalogueModule,
      global: true,
      controllers: [CatalogueVersionsController],
      providers: [
        { provide: CATALOGUE_OPTIONS, useValue: options },
        CatalogueVersionsRepository,
        CatalogueVersionsService,
      ],
      exports: [CatalogueVersionsService],
    };
  }
}

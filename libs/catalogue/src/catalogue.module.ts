import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { CataloguePublishController, CatalogueVersionsController } from './catalogue-versions.controller.js';
import { CatalogueVersionsRepository } from './catalogue-versions.repository.js';
import { CatalogueVersionsService, ProvinceCatalogues } from './catalogue-versions.service.js';
import { NationalCatalogue } from './national-catalogue.service.js';
import { ProvincialCatalogue } from './provincial-catalogue.service.js';

/**
 * Catalogue versions (ADR 0018). Each app composes its side: the national node publishes versions and
 * keeps what each province runs (`forNational`); a province applies what national published
 * (`forProvince`). Both hold the versions and serve the effective catalogue.
 */
@Module({})
export class CatalogueModule {
  static forNational(): DynamicModule {
    return CatalogueModule.compose(
      [CatalogueVersionsController, CataloguePublishController],
      [ProvinceCatalogues, NationalCatalogue],
    );
  }

  static forProvince(): DynamicModule {
    return CatalogueModule.compose([CatalogueVersionsController], [ProvincialCatalogue]);
  }

  private static compose(controllers: Type[], side: Provider[]): DynamicModule {
    return {
      module: CatalogueModule,
      global: true,
      controllers,
      providers: [CatalogueVersionsRepository, CatalogueVersionsService, ...side],
      exports: [CatalogueVersionsService, ...side],
    };
  }
}

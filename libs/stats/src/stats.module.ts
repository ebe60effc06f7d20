import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { OrgModule } from '@tmis/org';
import { StatsController } from './stats.controller.js';
import { FactStore } from './fact-store.js';
import { StatsRepository } from './stats.repository.js';
import { StatsService } from './stats.service.js';
import { STATS_OPTIONS, type StatsOptions } from './stats.options.js';
import { StatsFactSource } from './fact-source.js';

@Module({})
export class StatsModule {
  /** `facts`: where this node's statistics come from (`ProvincialFactSource` or `NationalFactSource`). */
  static register(options: StatsOptions & { facts: Type<StatsFactSource> }): DynamicModule {
    const { facts, ...rest } = options;
    return {
      module: StatsModule,
      imports: [OrgModule],
      controllers: [StatsController],
      providers: [
        { provide: STATS_OPTIONS, useValue: rest },
        { provide: StatsFactSource, useClass: facts },
        StatsRepository,
        FactStore,
        StatsService,
      ],
      exports: [StatsService],
    };
  }
}

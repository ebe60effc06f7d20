import { Module, type DynamicModule } from '@nestjs/common';
import { OrgModule } from '@tmis/org';
import { StatsController } from './stats.controller.js';
import { FactStore } from './fact-store.js';
import { StatsRepository } from './stats.repository.js';
import { StatsService } from './stats.service.js';
import { STATS_OPTIONS, type StatsOptions } from './stats.options.js';

@Module({})
export class StatsModule {
  static register(options: StatsOptions): DynamicModule {
    return {
      module: StatsModule,
      imports: [OrgModule],
      controllers: [StatsController],
      providers: [{ provide: STATS_OPTIONS, useValue: options }, StatsRepository, FactStore, StatsService],
      exports: [StatsService],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { CoreNodeModule, kafkaConnection } from '@tmis/node-kit';
import { RegistrationModule } from '@tmis/registration';
import type { NationalNodeConfig, NodeRuntime } from '@tmis/server';
import { NationalFactSource, StatsModule } from '@tmis/stats';
import { SyncIngestModule } from '@tmis/sync-ingest';
import { CreditBank, TrainingModule } from '@tmis/training';

/**
 * The national node: the whole org tree and the ministry's accounts; the record modules for the
 * units that report to it directly (central universities); the federation's hub (sync ingest:
 * the provinces' records, units and custom fields, reconciliation, cross-province duplicates); and
 * the national roll-up (statistics over what the provinces reported).
 */
@Module({})
export class NationalAppModule {
  static register(runtime: NodeRuntime<NationalNodeConfig>): DynamicModule {
    const c = runtime.config;
    return {
      module: NationalAppModule,
      imports: [
        // Its top unit is the ministry (level 1): its system administrator reads /health details and /metrics.
        CoreNodeModule.register(runtime, { topUnitLevel: 1 }),
        SyncIngestModule.register({
          topic: c.SYNC_TOPIC,
          kafka: kafkaConnection(c),
          nodeTokens: Object.fromEntries(
            (c.SYNC_NODE_TOKENS ?? '')
              .split(',')
              .filter(Boolean)
              .map((p) => [p.slice(0, 2), p.slice(3)]),
          ),
        }),
        // Periodic registration and the ethics veto (issue 15).
        RegistrationModule.register({ stats: 'national-records', credits: CreditBank, creditsModule: TrainingModule }),
        StatsModule.register({
          facts: NationalFactSource,
          refreshSeconds: c.STATS_REFRESH_SECONDS,
          cacheEntries: c.STATS_CACHE_ENTRIES,
        }),
        // Training credits (Art. 25): the central universities' teachers and the national projects' plans.
        TrainingModule,
      ],
    };
  }
}

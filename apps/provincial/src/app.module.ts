import { Module, type DynamicModule } from '@nestjs/common';
import { CoreNodeModule, kafkaConnection } from '@tmis/node-kit';
import { RegistrationModule } from '@tmis/registration';
import type { NodeRuntime, ProvincialNodeConfig } from '@tmis/server';
import { ProvincialFactSource, StatsModule } from '@tmis/stats';
import { CreditBank, TrainingModule } from '@tmis/training';
import { SyncPublishModule } from '@tmis/sync-publish';

/**
 * A provincial node: its own province's subtree and accounts; the record, review and bulk modules;
 * the outbox that publishes what was reported to the national node (sync publish: the relay, the
 * resync, the reconciliation fingerprint); and statistics over its own records.
 */
@Module({})
export class ProvincialAppModule {
  static register(runtime: NodeRuntime<ProvincialNodeConfig>): DynamicModule {
    const c = runtime.config;
    return {
      module: ProvincialAppModule,
      imports: [
        // Its top unit is the province (level 2): its system administrator reads /health details and /metrics.
        CoreNodeModule.register(runtime, { provinceCode: c.PROVINCE_CODE, topUnitLevel: 2 }),
        SyncPublishModule.register({
          provinceCode: c.PROVINCE_CODE,
          topic: c.SYNC_TOPIC,
          kafka: kafkaConnection(c),
          nationalUrl: c.NATIONAL_URL,
          nodeToken: c.SYNC_NODE_TOKEN,
          relayIntervalMs: c.SYNC_RELAY_INTERVAL_MS,
        }),
        // Periodic registration and the ethics veto (issue 15).
        RegistrationModule.register({ stats: 'decisions', credits: CreditBank, creditsModule: TrainingModule }),
        StatsModule.register({
          facts: ProvincialFactSource,
          provinceCode: c.PROVINCE_CODE,
          refreshSeconds: c.STATS_REFRESH_SECONDS,
          cacheEntries: c.STATS_CACHE_ENTRIES,
        }),
        // Training credits (Art. 25): the province's projects, its conversion rules and its teachers' credit bank.
        TrainingModule,
      ],
    };
  }
}

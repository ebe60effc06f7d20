import { Module, type DynamicModule } from '@nestjs/common';
import { CoreNodeModule, kafkaConnection } from '@tmis/node-kit';
import { RegistrationModule } from '@tmis/registration';
import type { NodeRuntime, ProvincialNodeConfig } from '@tmis/server';
import { ProvincialFactSource, StatsModule } from '@tmis/stats';
import { TransfersModule } from '@tmis/transfers';
import { CreditBank, TrainingModule } from '@tmis/training';
import { SyncPublishModule } from '@tmis/sync-publish';
import { FederationModule, upTopic } from '@tmis/federation';
import { CatalogueModule } from '@tmis/catalogue';
import { ProvincialTeachersModule } from '@tmis/teachers';

/**
 * A provincial node: its own province's subtree and accounts; the record, review and bulk modules, with
 * the province's reporting cycles and custom indicators;
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
        // The province's reporting cycles (Art. 18) and its custom indicators (Art. 11): not on the national node.
        ProvincialTeachersModule,
        FederationModule.forProvince({
          provinceCode: c.PROVINCE_CODE,
          topicPrefix: c.SYNC_TOPIC,
          kafka: kafkaConnection(c),
          nationalUrl: c.NATIONAL_URL,
          nodeToken: c.SYNC_NODE_TOKEN,
          relayIntervalMs: c.FEDERATION_RELAY_INTERVAL_MS,
        }),
        SyncPublishModule.register({
          provinceCode: c.PROVINCE_CODE,
          // The province's own upward topic (its broker user may write no other).
          topic: upTopic(c.SYNC_TOPIC, c.PROVINCE_CODE),
          kafka: kafkaConnection(c),
          nationalUrl: c.NATIONAL_URL,
          nodeToken: c.SYNC_NODE_TOKEN,
          relayIntervalMs: c.SYNC_RELAY_INTERVAL_MS,
        }),
        // Periodic registration and the ethics veto (issue 15).
        RegistrationModule.register({ stats: 'decisions', credits: CreditBank, creditsModule: TrainingModule }),
        // Catalogue versions (ADR 0018): received from national and applied.
        CatalogueModule.forProvince(),
        StatsModule.register({
          facts: ProvincialFactSource,
          provinceCode: c.PROVINCE_CODE,
          refreshSeconds: c.STATS_REFRESH_SECONDS,
          cacheEntries: c.STATS_CACHE_ENTRIES,
        }),
        // Transfers and exchange rotations within the node (Art. 23–24) and mobility statistics.
        TransfersModule.register({ dueIntervalMs: c.TRANSFERS_DUE_SECONDS * 1000, provinceCode: c.PROVINCE_CODE }),
        // Training credits (Art. 25): the province's projects, its conversion rules and its teachers' credit bank.
        TrainingModule,
      ],
    };
  }
}

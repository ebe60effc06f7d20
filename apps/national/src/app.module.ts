import { Module, type DynamicModule } from '@nestjs/common';
import { CoreNodeModule, kafkaConnection } from '@tmis/node-kit';
import { RegistrationModule } from '@tmis/registration';
import type { NationalNodeConfig, NodeRuntime } from '@tmis/server';
import { NationalFactSource, StatsModule } from '@tmis/stats';
import { TransfersModule } from '@tmis/transfers';
import { TransfersHubModule } from '@tmis/transfers-hub';
import { SyncIngestModule } from '@tmis/sync-ingest';
import { FederationModule, upTopic } from '@tmis/federation';
import { CreditBank, NationalTrainingModule, TrainingModule } from '@tmis/training';
import { CatalogueModule } from '@tmis/catalogue';

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
    const provinces = c.FEDERATION_PROVINCES.split(',');
    const nodeTokens: Record<string, string> = Object.fromEntries(
      (c.SYNC_NODE_TOKENS ?? '')
        .split(',')
        .filter(Boolean)
        .map((p) => [p.slice(0, 2), p.slice(3)]),
    );
    return {
      module: NationalAppModule,
      imports: [
        // Its top unit is the ministry (level 1): its system administrator reads /health details and /metrics.
        CoreNodeModule.register(runtime, { topUnitLevel: 1 }),
        FederationModule.forNational({
          topicPrefix: c.SYNC_TOPIC,
          provinces,
          kafka: kafkaConnection(c),
          nodeTokens,
          relayIntervalMs: c.FEDERATION_RELAY_INTERVAL_MS,
        }),
        SyncIngestModule.register({
          topics: Object.fromEntries(provinces.map((p) => [p, upTopic(c.SYNC_TOPIC, p)])),
          kafka: kafkaConnection(c),
          nodeTokens,
        }),
        // Periodic registration and the ethics veto (issue 15).
        RegistrationModule.register({ stats: 'national-records', credits: CreditBank, creditsModule: TrainingModule }),
        // Catalogue versions (ADR 0018): published here to every province.
        CatalogueModule.forNational(),
        StatsModule.register({
          facts: NationalFactSource,
          refreshSeconds: c.STATS_REFRESH_SECONDS,
          cacheEntries: c.STATS_CACHE_ENTRIES,
        }),
        // Transfers and exchange rotations within the node (Art. 23–24) and mobility statistics.
        TransfersModule.register({ dueIntervalMs: c.TRANSFERS_DUE_SECONDS * 1000 }),
        // The hub of cross-province transfers: routes them between provinces, expires the stalled ones.
        TransfersHubModule.register({
          timeoutSeconds: c.CROSS_TRANSFER_TIMEOUT_SECONDS,
          checkIntervalMs: c.CROSS_TRANSFER_CHECK_MS,
        }),
        // Training credits (Art. 25): the central universities' teachers (under the ministry's conversion rules)
        // and the national projects, which the ministry publishes to every province.
        TrainingModule,
        NationalTrainingModule,
      ],
    };
  }
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry } from '@tmis/server';
import { KafkaTransport, withTimeout, type SyncSubscription } from '@tmis/sync-transport';
import { SyncIngestService } from './ingest.service.js';
import { SyncLedgerRepository } from './sync-ledger.repository.js';
import { SYNC_INGEST_OPTIONS, type SyncIngestOptions } from './sync-ingest.options.js';

const GROUP = 'tmis-national';

/** The national consumer group on the federation topic (when Kafka is configured), and the ingest's health. */
@Injectable()
export class KafkaIngestConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: SyncSubscription | null = null;
  private kafka: KafkaTransport | null = null;

  constructor(
    private readonly ingest: SyncIngestService,
    private readonly ledger: SyncLedgerRepository,
    private readonly health: HealthRegistry,
    @Inject(SYNC_INGEST_OPTIONS) private readonly options: SyncIngestOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('sync_national', async () => {
      const provinces = await this.ledger.progress(null);
      const n = await this.ledger.deadLetterCount(null);
      const metrics: Record<string, number> = { dead_letters: n };
      // Lag in messages: what the broker holds that the national consumer group has not yet committed.
      const consumerLag = this.kafka
        ? await withTimeout(
            this.kafka.consumerLag(this.options.topic, GROUP).catch(() => undefined),
            3000,
          )
        : undefined;
      if (consumerLag !== undefined) metrics.consumer_lag_messages = consumerLag;
      for (const p of provinces) {
        metrics[`last_sequence{province="${p.province}"}`] = Number(p.maxSequence);
        metrics[`gap{province="${p.province}"}`] = Number(p.gap);
        metrics[`seconds_since_last_event{province="${p.province}"}`] = p.secondsSinceLastEvent ?? 0;
      }
      return {
        details: {
          consumer: this.subscription ? 'kafka' : 'none',
          consumerLagMessages: consumerLag ?? null,
          provinces: provinces.map((p) => ({
            province: p.province,
            maxSequence: p.maxSequence,
            applied: p.applied,
            gap: p.gap,
            lag: p.secondsSinceLastEvent,
          })),
          deadLetters: n,
        },
        metrics,
      };
    });
    if (!this.options.kafka?.brokers.length) return;
    const kafka = new KafkaTransport(this.options.kafka, GROUP);
    this.kafka = kafka;
    await kafka.ensureTopic(this.options.topic);
    this.subscription = await kafka.subscribeBatches(this.options.topic, GROUP, async (values) => {
      await this.ingest.applyBatch(values);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close().catch(() => undefined);
    await this.kafka?.close();
  }
}

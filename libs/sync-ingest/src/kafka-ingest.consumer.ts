import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry, NodeReady } from '@tmis/server';
import { KafkaTransport, withTimeout, type KafkaConnection, type SyncSubscription } from '@tmis/sync-transport';
import { SyncIngestService } from './ingest.service.js';
import { SyncLedgerRepository } from './sync-ledger.repository.js';
import { SYNC_INGEST_OPTIONS, type SyncIngestOptions } from './sync-ingest.options.js';

const GROUP = 'tmis-national';
const MESSENGER_PREFIX = Buffer.from('{"federation":1,');

/** A federation messenger message (libs/federation's wire form starts with these bytes). */
function isMessengerWire(v: Buffer | null): boolean {
  return !!v && v.length >= MESSENGER_PREFIX.length && v.subarray(0, MESSENGER_PREFIX.length).equals(MESSENGER_PREFIX);
}

/** The national consumer group on the federation topic (when Kafka is configured), and the ingest's health. */
@Injectable()
export class KafkaIngestConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: SyncSubscription | null = null;
  private kafka: KafkaTransport | null = null;

  constructor(
    private readonly ingest: SyncIngestService,
    private readonly ledger: SyncLedgerRepository,
    private readonly health: HealthRegistry,
    private readonly ready: NodeReady,
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
            this.kafka.consumerLag(Object.values(this.options.topics), GROUP).catch(() => undefined),
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
    const connection = this.options.kafka;
    if (!connection?.brokers.length) return;
    // Consume once the national tree is seeded (a province's messages are judged against it).
    await this.ready.whenReady(() => this.subscribe(connection));
  }

  private async subscribe(connection: KafkaConnection): Promise<void> {
    const kafka = new KafkaTransport(connection, GROUP);
    this.kafka = kafka;
    const byTopic = new Map(Object.entries(this.options.topics).map(([p, t]) => [t, p]));
    await kafka.ensureTopics([...byTopic.keys()].map((topic) => ({ topic, partitions: 6 }))).catch(() => undefined);
    this.subscription = await kafka.subscribeBatches([...byTopic.keys()], GROUP, async (values, topic) => {
      // The upward topic also carries the federation messenger's messages (its own per-message consumer).
      const records = values.filter((v) => !isMessengerWire(v));
      if (records.length) await this.ingest.applyBatch(records, byTopic.get(topic) ?? `?${topic}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close().catch(() => undefined);
    await this.kafka?.close();
  }
}

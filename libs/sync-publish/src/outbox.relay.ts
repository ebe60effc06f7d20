import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CURRENT_SCHEMA_VERSION, type SyncEnvelope } from '@tmis/contracts';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { HealthRegistry } from '@tmis/server';
import { HttpTransport, KafkaTransport, type SyncTransport } from '@tmis/sync-transport';
import { OutboxRepository } from './outbox.repository.js';
import { SYNC_PUBLISH_OPTIONS, type SyncPublishOptions } from './sync-publish.options.js';

/**
 * Publishes the provincial outbox in sequence order, keyed by teacher id (one teacher's events stay
 * in one partition, in order), and marks rows sent in the same transaction that locked them. Each row
 * first gets a gap-free publish sequence (the envelope's `sequence`), committed before it is sent, so
 * the national node's gap counts only messages really missing. If the
 * broker is down the transaction rolls back: the outbox grows and drains on recovery; a restart
 * mid-publish republishes at most the rows of that batch, which the national node ignores as duplicates.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** At or below every unpublished publish sequence (`OutboxRepository.unpublishedFloor`). */
  private floor = 0;
  private transport: SyncTransport | null = null;
  lastError: string | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    @Inject(SYNC_PUBLISH_OPTIONS) private readonly options: SyncPublishOptions,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('sync_outbox', async () => {
      const s = await this.status();
      return {
        details: s,
        metrics: {
          unpublished: s.unpublished,
          last_sequence: s.lastSequence,
          oldest_unpublished_seconds: s.oldestUnpublishedAt
            ? Math.round((Date.now() - new Date(s.oldestUnpublishedAt).getTime()) / 1000)
            : 0,
        },
      };
    });
    if (this.options.kafka?.brokers.length)
      this.transport = new KafkaTransport(this.options.kafka, `tmis-province-${this.options.provinceCode}`);
    else if (this.options.nationalUrl && this.options.nodeToken)
      this.transport = new HttpTransport(this.options.nationalUrl, this.options.nodeToken);
    else return;
    this.timer = setInterval(() => void this.tick(), this.options.relayIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    await this.transport?.close();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while ((await this.drainOnce()) > 0) {
        /* keep draining (each successful publish clears lastError) */
      }
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.log.warn(`outbox relay paused: ${this.lastError}`);
    } finally {
      this.running = false;
    }
  }

  /**
   * Numbers the next rows (a committed transaction of its own), then publishes up to `limit` numbered
   * rows in publish order; returns how many were published. Over Kafka 5,000 a batch (the transport
   * splits them into requests under the broker's limit; fewer, larger transactions — a resync is
   * hundreds of thousands of rows), over HTTP 1,000 (small requests one after the other).
   */
  async drainOnce(limit = this.transport instanceof KafkaTransport ? 5000 : 1000): Promise<number> {
    if (!this.transport) return 0;
    const transport = this.transport;
    await this.txHost.withTransaction(() => this.outbox.assignPublishSequences(limit));
    return this.txHost.withTransaction(async () => {
      this.floor = await this.outbox.unpublishedFloor(this.floor);
      const rows = await this.outbox.lockUnpublished(limit, undefined, this.floor);
      if (!rows.length) return 0;
      // The payload stays text end to end (no JSON parse and re-serialise of ~2 kB records in the relay).
      const messages = rows.map((r) => {
        const head: Omit<SyncEnvelope, 'payload'> = {
          schemaVersion: CURRENT_SCHEMA_VERSION,
          eventId: r.eventId,
          provinceCode: this.options.provinceCode,
          sequence: Number(r.publishSequence),
          type: r.type as SyncEnvelope['type'],
          key: r.key,
          occurredAt: new Date(r.createdAt).toISOString(),
        };
        return { key: r.key, value: `${JSON.stringify(head).slice(0, -1)},"payload":${r.payload}}` };
      });
      await transport.publish(this.options.topic, messages);
      // The broker (or national node) took a batch: it is reachable again, whatever the backlog.
      this.lastError = null;
      await this.outbox.markPublished(rows.map((r) => r.sequence));
      return rows.length;
    });
  }

  async status(): Promise<{
    unpublished: number;
    lastSequence: number;
    oldestUnpublishedAt: Date | null;
    transport: string;
    lastError: string | null;
  }> {
    return {
      ...(await this.outbox.status()),
      transport:
        this.transport instanceof KafkaTransport
          ? 'kafka'
          : this.transport
            ? 'http'
            : 'none (no KAFKA_BROKERS or NATIONAL_URL: events wait in the outbox)',
      lastError: this.lastError,
    };
  }
}

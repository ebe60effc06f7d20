import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CURRENT_SCHEMA_VERSION, type SyncEnvelope } from '@tmis/contracts';
import { HealthRegistry } from '@tmis/server';
import { DataSource } from 'typeorm';
import { HttpTransport, KafkaTransport, type SyncTransport } from './kafka.transport.js';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

/**
 * Publishes the provincial outbox in sequence order, keyed by teacher id (one teacher's events stay
 * in one partition, in order), and marks rows sent in the same transaction that locked them. If the
 * broker is down the transaction rolls back: the outbox grows and drains on recovery; a restart
 * mid-publish republishes at most the rows of that batch, which the national node ignores as duplicates.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private transport: SyncTransport | null = null;
  lastError: string | null = null;

  constructor(
    private readonly db: DataSource,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.kind !== 'provincial') return;
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
    if (this.options.kafkaBrokers?.length)
      this.transport = new KafkaTransport(this.options.kafkaBrokers, `tmis-province-${this.options.provinceCode}`, {
        ssl: this.options.kafkaSsl,
        sasl: this.options.kafkaSasl,
      });
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
        /* keep draining */
      }
      this.lastError = null;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.log.warn(`outbox relay paused: ${this.lastError}`);
    } finally {
      this.running = false;
    }
  }

  /** Publishes up to 1,000 unpublished rows; returns how many. */
  async drainOnce(limit = 1000): Promise<number> {
    if (!this.transport) return 0;
    const transport = this.transport;
    return this.db.transaction(async (tx) => {
      // The payload stays text end to end (no JSON parse and re-serialise of ~2 kB records in the relay).
      const rows: { sequence: string; eventId: string; type: string; key: string; payload: string; createdAt: Date }[] =
        await tx.query(
          // ORDER BY o.sequence, the bigint column: an unqualified name would sort by the text output column.
          `SELECT o.sequence::text AS sequence, o.event_id AS "eventId", o.type, o.key, o.payload::text AS payload, o.created_at AS "createdAt" FROM sync_outbox o
          WHERE o.published_at IS NULL ORDER BY o.sequence LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
      if (!rows.length) return 0;
      const messages = rows.map((r) => {
        const head: Omit<SyncEnvelope, 'payload'> = {
          schemaVersion: CURRENT_SCHEMA_VERSION,
          eventId: r.eventId,
          provinceCode: this.options.provinceCode!,
          sequence: Number(r.sequence),
          type: r.type as SyncEnvelope['type'],
          key: r.key,
          occurredAt: new Date(r.createdAt).toISOString(),
        };
        return { key: r.key, value: `${JSON.stringify(head).slice(0, -1)},"payload":${r.payload}}` };
      });
      await transport.publish(this.options.topic, messages);
      await tx.query(`UPDATE sync_outbox SET published_at = now() WHERE sequence = ANY($1::bigint[])`, [
        rows.map((r) => r.sequence),
      ]);
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
    const [row] = await this.db.query(
      `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished, COALESCE(max(sequence), 0)::bigint AS last, min(created_at) FILTER (WHERE published_at IS NULL) AS oldest FROM sync_outbox`,
    );
    return {
      unpublished: row.unpublished,
      lastSequence: Number(row.last),
      oldestUnpublishedAt: row.oldest,
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

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CURRENT_SCHEMA_VERSION, type SyncEnvelope } from '@tmis/contracts';
import { Propagation, TransactionHost, type ChannelListener, type TransactionalAdapterTypeOrm } from '@tmis/database';
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
 *
 * Woken by the outbox itself (ADR 0025): a commit that appended rows sends `NOTIFY tmis_sync_outbox`,
 * and the relay drains at once; rows appended while a batch is in flight make the drain look again
 * before it ends (they form the next batch). The timer (`relayIntervalMs`) is the fallback: while the
 * listening connection is down, and the only retry after the broker refused a batch. While a batch is
 * in flight the next rows are numbered (their own transaction), so the numbering's round trips are
 * off the path; batches are still claimed, sent and marked one after the other, in order.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | null = null;
  private listener: ChannelListener | null = null;
  /** The drain under way, if any. */
  private draining: Promise<void> | null = null;
  /** Rows were appended during the drain under way: it looks again before it ends. */
  private again = false;
  private stopping = false;
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
    this.listener = this.outbox.listenForAppends({
      onNotify: () => this.wake(false),
      // Rows appended while the connection was down were not announced.
      onUp: () => this.wake(true),
    });
    this.timer = setInterval(() => this.wake(true), this.options.relayIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.listener?.close();
    await this.draining;
    await this.transport?.close();
  }

  /**
   * Starts a drain, or has the one under way look again. After the broker refused a batch only the
   * timer retries (`timer`), not every append's notification.
   */
  private wake(timer: boolean): void {
    if (this.stopping || (!timer && this.lastError !== null)) return;
    if (this.draining) this.again = true;
    else void this.tick();
  }

  /** Drains until nothing is left (the drain under way, if any). */
  private tick(): Promise<void> {
    this.draining ??= this.drain().finally(() => (this.draining = null));
    return this.draining;
  }

  private async drain(): Promise<void> {
    const limit = this.batchLimit();
    let numbering: Promise<number> = Promise.resolve(0);
    try {
      do {
        this.again = false;
        numbering = this.numberNext(limit);
        for (let published = -1; published !== 0 && !this.stopping;) {
          await numbering;
          const claimed = deferred();
          const publishing = this.publishNumbered(limit, claimed.resolve);
          // Once this batch's rows are locked, the next rows are numbered while it is in flight.
          numbering = Promise.race([claimed.promise, publishing]).then((n) => (n > 0 ? this.numberNext(limit) : 0));
          // Its failure surfaces where it is awaited (the next batch, or below), never as unhandled meanwhile.
          numbering.catch(() => undefined);
          published = await publishing;
        }
        await numbering;
      } while (this.again && !this.stopping);
    } catch (e) {
      // The numbering under way, if any, ends before the drain does (a next drain numbers after it).
      await numbering.catch(() => undefined);
      this.lastError = e instanceof Error ? e.message : String(e);
      this.log.warn(`outbox relay paused: ${this.lastError}`);
    }
  }

  /** Over Kafka 5,000 rows a batch, over HTTP 1,000 (see `drainOnce`). */
  private batchLimit(): number {
    return this.transport instanceof KafkaTransport ? 5000 : 1000;
  }

  /** Numbers the next rows in a committed transaction of its own (never the caller's). */
  private numberNext(limit: number): Promise<number> {
    return this.txHost.withTransaction(Propagation.RequiresNew, () => this.outbox.assignPublishSequences(limit));
  }

  /**
   * Numbers the next rows (a committed transaction of its own), then publishes up to `limit` numbered
   * rows in publish order; returns how many were published. Over Kafka 5,000 a batch (the transport
   * splits them into requests under the broker's limit; fewer, larger transactions — a resync is
   * hundreds of thousands of rows), over HTTP 1,000 (small requests one after the other).
   */
  async drainOnce(limit = this.batchLimit()): Promise<number> {
    if (!this.transport) return 0;
    await this.numberNext(limit);
    return this.publishNumbered(limit);
  }

  /**
   * Publishes up to `limit` numbered rows in publish order, in one transaction (claim, send, mark);
   * `claimed(n)` is called once the rows are locked, before they are sent. Returns how many were published.
   */
  private publishNumbered(limit: number, claimed: (n: number) => void = () => undefined): Promise<number> {
    const transport = this.transport;
    if (!transport) return Promise.resolve(0);
    return this.txHost.withTransaction(Propagation.RequiresNew, async () => {
      this.floor = await this.outbox.unpublishedFloor(this.floor);
      const rows = await this.outbox.lockUnpublished(limit, undefined, this.floor);
      claimed(rows.length);
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

function deferred(): { promise: Promise<number>; resolve: (n: number) => void } {
  let resolve!: (n: number) => void;
  const promise = new Promise<number>((r) => (resolve = r));
  return { promise, resolve };
}

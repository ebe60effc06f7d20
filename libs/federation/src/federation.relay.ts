import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { HealthRegistry } from '@tmis/server';
import { KafkaTransport } from '@tmis/sync-transport';
import { toWire } from './federation-message.js';
import { FederationReceiver } from './federation.receiver.js';
import { FederationRepository, type FederationOutboxRow } from './federation.repository.js';
import { FederationPlace } from './federation.options.js';

const BATCH = 500;

/**
 * Delivers `federation_outbox`: numbers committed rows (gap-free `relay_seq`, its own committed
 * transaction), then publishes them in that order — to `<prefix>.down.<province>` (national) or
 * `<prefix>.up.<province>` (a province) over Kafka, or, without a broker, a province POSTs them to
 * the national node and pulls its own downward messages (`GET /federation/down?after=`), which the
 * national node serves from its numbered outbox. A failed publish rolls back: rows stay unpublished
 * and go again (the receiver's inbox ignores what arrived twice).
 */
@Injectable()
export class FederationRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('FederationRelay');
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private kafka: KafkaTransport | null = null;
  lastError: string | null = null;

  constructor(
    private readonly repo: FederationRepository,
    private readonly receiver: FederationReceiver,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly health: HealthRegistry,
    private readonly place: FederationPlace,
  ) {}

  private get self(): string {
    return this.place.self;
  }

  /** How this node delivers: `kafka`, `http` (a province without a broker), `pull` (national serving HTTP pulls) or `none`. */
  get mode(): 'kafka' | 'http' | 'pull' | 'none' {
    return this.place.kafka?.brokers.length ? 'kafka' : this.place.withoutBroker;
  }

  /** The topics this node uses (created when missing, where the broker lets it). */
  topics(): { topic: string; partitions: number }[] {
    return this.place.ownTopics();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('federation', async () => {
      const s = await this.repo.status();
      return {
        details: { mode: this.mode, ...s, lastError: this.lastError },
        metrics: { unpublished: s.unpublished, last_relay_seq: s.lastRelaySeq, dead_letters: s.deadLetters },
      };
    });
    if (this.mode === 'kafka') {
      this.kafka = new KafkaTransport(this.place.kafka!, `tmis-${this.self}-federation`);
      await this.kafka.ensureTopics(this.topics()).catch((e: unknown) => {
        // With production ACLs a node may not create topics: the operator created them (deploy/kafka/README.md).
        this.log.warn(`could not ensure federation topics: ${e instanceof Error ? e.message : String(e)}`);
      });
    }
    if (this.mode === 'none') return;
    this.timer = setInterval(() => void this.tick(), this.place.relayIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    await this.kafka?.close();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while ((await this.drainOnce()) > 0) {
        /* keep draining */
      }
      if (this.mode === 'http') while ((await this.pullOnce()) > 0) if (!this.timer) break;
      this.lastError = null;
    } catch (e) {
      this.lastError = e instanceof Error ? e.message : String(e);
      this.log.warn(`federation relay paused: ${this.lastError}`);
    } finally {
      this.running = false;
    }
  }

  /** Numbers committed rows, then delivers up to `limit` of them; returns how many were delivered. */
  async drainOnce(limit = BATCH): Promise<number> {
    await this.txHost.withTransaction(() => this.repo.assignRelaySequences(limit));
    if (this.mode === 'pull' || this.mode === 'none') return 0;
    return this.txHost.withTransaction(async () => {
      const rows = await this.repo.lockUnpublished(limit);
      if (!rows.length) return 0;
      if (this.mode === 'kafka') await this.publishKafka(rows);
      else await this.pushHttp(rows);
      await this.repo.markPublished(rows.map((r) => r.relaySeq));
      return rows.length;
    });
  }

  private wire(r: FederationOutboxRow): string {
    return toWire(
      {
        id: r.messageId,
        type: r.type,
        from: this.self,
        to: r.destination,
        key: r.key,
        sentAt: new Date(r.createdAt).toISOString(),
      },
      r.payload,
    );
  }

  private topicOf(r: FederationOutboxRow): string {
    return this.place.outboundTopic(r.destination);
  }

  private async publishKafka(rows: FederationOutboxRow[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const r of rows) {
      const t = this.topicOf(r);
      const list = byTopic.get(t) ?? [];
      list.push({ key: r.key, value: this.wire(r) });
      byTopic.set(t, list);
    }
    for (const [topic, messages] of byTopic) await this.kafka!.publish(topic, messages);
  }

  private async pushHttp(rows: FederationOutboxRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 20) {
      const national = this.place.nationalHttp!;
      const res = await fetch(`${national.url}/federation/up`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${national.token}` },
        body: JSON.stringify({ messages: rows.slice(i, i + 20).map((r) => this.wire(r)) }),
      });
      if (!res.ok) throw new Error(`national node answered ${res.status} to POST /federation/up`);
    }
  }

  /** A province without a broker: fetches and handles its next downward messages; returns how many. */
  async pullOnce(limit = 100): Promise<number> {
    const after = await this.repo.cursor('down');
    const national = this.place.nationalHttp!;
    const res = await fetch(`${national.url}/federation/down?after=${after}&limit=${limit}`, {
      headers: { authorization: `Bearer ${national.token}` },
    });
    if (!res.ok) throw new Error(`national node answered ${res.status} to GET /federation/down`);
    const body = (await res.json()) as { messages: { seq: number; message: string }[] };
    for (const m of body.messages) {
      await this.receiver.receive(m.message, { from: 'national', channel: 'http' });
      await this.txHost.withTransaction(() => this.repo.setCursor('down', m.seq));
    }
    return body.messages.length;
  }
}

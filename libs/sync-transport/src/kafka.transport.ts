import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import type { KafkaConnection } from './transport.options.js';

/**
 * Our own small interface over the Kafka client (ADR 0005): kafkajs is the design card's choice but
 * has had no release for years; switching clients means re-implementing this file only.
 */
export interface SyncTransport {
  publish(topic: string, messages: { key: string; value: string }[]): Promise<void>;
  close(): Promise<void>;
}

/** Waits at most `ms` for a client call that can hang while the broker is unreachable. */
export function withTimeout<T>(p: Promise<T>, ms = 5000): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms).unref())]);
}

export interface SyncSubscription {
  close(): Promise<void>;
}

/** The direct transport without a broker: the province pushes batches to the national node over HTTP. */
export class HttpTransport implements SyncTransport {
  constructor(
    private readonly nationalUrl: string,
    private readonly token: string,
  ) {}

  async publish(_topic: string, messages: { key: string; value: string }[]): Promise<void> {
    // Small requests (the JSON body limit is 100 kB); order is kept: one request after the other.
    for (let i = 0; i < messages.length; i += 20) {
      const res = await fetch(`${this.nationalUrl.replace(/\/$/, '')}/sync/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ messages: messages.slice(i, i + 20).map((m) => m.value) }),
      });
      if (!res.ok) throw new Error(`national node answered ${res.status}`);
    }
  }

  async close(): Promise<void> {
    /* nothing held open */
  }
}

/**
 * How every Kafka client of a node retries (this transport's, and the federation's inbound consumer):
 * kafkajs backs off exponentially up to 30 s by default, so a consumer that kept retrying through a broker
 * outage of ~15 s could wait another 25 s after the broker was back before it tried again (and a chain
 * of consumers, province → national → province, added those waits up). Capped at 2 s, a node resumes
 * within a couple of seconds of the broker's return; a consumer that exhausts its retries is restarted
 * by kafkajs (the errors of an unreachable broker are retriable), so nothing gives up.
 */
export const KAFKA_RETRY = { initialRetryTime: 200, maxRetryTime: 2000 } as const;

/** Messages handed to a batch handler at once (one national transaction). */
const BATCH_CHUNK = 1000;

export class KafkaTransport implements SyncTransport {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private admin: Admin | null = null;

  constructor(connection: KafkaConnection, clientId: string) {
    const security = connection;
    this.kafka = new Kafka({
      brokers: connection.brokers,
      clientId,
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, ...KAFKA_RETRY },
      ...(security.ssl ? { ssl: security.ssl.ca ? { ca: [security.ssl.ca] } : true } : {}),
      ...(security.sasl ? { sasl: security.sasl as never } : {}),
    });
  }

  async ensureTopic(topic: string, partitions = 6): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic))
        await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  /** Creates the topics that do not exist yet (one admin connection); an existing topic is left as it is. */
  async ensureTopics(topics: { topic: string; partitions: number }[]): Promise<void> {
    if (!topics.length) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length) {
        await admin.createTopics({
          topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
          waitForLeaders: true,
        });
        // Until the new topics are in the metadata a consumer subscribing to them would fail.
        for (let attempt = 1; attempt <= 20; attempt++)
          try {
            await admin.fetchTopicMetadata({ topics: missing.map((t) => t.topic) });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 250));
          }
      }
    } catch (e) {
      // Another node created one of them meanwhile.
      if ((e as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw e;
    } finally {
      await admin.disconnect();
    }
  }

  /** Messages in the topics not yet committed by the consumer group (sum over topics and partitions). */
  async consumerLag(topics: string | string[], groupId: string): Promise<number> {
    let sum = 0;
    for (const t of typeof topics === 'string' ? [topics] : topics) sum += await this.topicLag(t, groupId);
    return sum;
  }

  private async topicLag(topic: string, groupId: string): Promise<number> {
    // One admin connection, kept for the health probes (not a new connection per probe).
    if (!this.admin) {
      const a = this.kafka.admin();
      await a.connect();
      this.admin = a;
    }
    try {
      const [high, committed] = await Promise.all([
        this.admin.fetchTopicOffsets(topic),
        this.admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      return high.reduce((sum, p) => {
        const c = done.get(p.partition) ?? -1;
        return sum + Math.max(0, Number(p.high ?? p.offset) - (c < 0 ? Number(p.low ?? 0) : c));
      }, 0);
    } catch (e) {
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = null;
      throw e;
    }
  }

  async publish(topic: string, messages: { key: string; value: string }[]): Promise<void> {
    if (!this.producer) {
      const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      this.producer = p;
    }
    try {
      // One request per ~800 kB (the broker's default message.max.bytes is 1 MiB per record batch), in order.
      for (let i = 0; i < messages.length;) {
        let bytes = 0;
        let j = i;
        const size = (k: number) => Buffer.byteLength(messages[k].value) + Buffer.byteLength(messages[k].key) + 64;
        while (j < messages.length && (j === i || bytes + size(j) < 800_000)) {
          bytes += size(j);
          j++;
        }
        await this.producer.send({ topic, acks: -1, messages: messages.slice(i, j) });
        i = j;
      }
    } catch (e) {
      await this.producer.disconnect().catch(() => undefined);
      this.producer = null;
      throw e;
    }
  }

  /** Consumer group; `handle` runs per message and must be idempotent: the offset commits after it returns. */
  async subscribe(
    topic: string,
    groupId: string,
    handle: (m: { key: string | null; value: Buffer | null; partition: number; offset: string }) => Promise<void>,
  ): Promise<SyncSubscription> {
    const consumer: Consumer = this.kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ message, partition }) =>
        handle({ key: message.key?.toString() ?? null, value: message.value, partition, offset: message.offset }),
    });
    return {
      close: async () => {
        await withTimeout(consumer.disconnect());
      },
    };
  }

  /** Consumer group, one call per fetched batch; offsets are resolved after `handle` returns (idempotent handling). */
  async subscribeBatches(
    topics: string | string[],
    groupId: string,
    handle: (values: (Buffer | null)[], topic: string) => Promise<void>,
  ): Promise<SyncSubscription> {
    // Fetches of up to 8 MB per partition (kafkajs' default is 1 MB, ~400 records of a resync): a
    // batch applies in one transaction, so fewer, larger batches cost fewer commits and lookups.
    // The session survives a busy event loop (three partitions' batches judged on one thread of a loaded
    // machine): a member dropped mid-batch has its batch redelivered and applied again as duplicates.
    const consumer: Consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 3000,
      maxBytesPerPartition: 8 * 1024 * 1024,
      maxBytes: 32 * 1024 * 1024,
    });
    await consumer.connect();
    // Topics created a moment ago (a fresh prefix, a broker just back) may not be in every broker's metadata yet.
    for (let attempt = 1; ; attempt++)
      try {
        await consumer.subscribe({ topics: typeof topics === 'string' ? [topics] : topics, fromBeginning: true });
        break;
      } catch (e) {
        if (!(e as { retriable?: boolean }).retriable || attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 500));
      }
    await consumer.run({
      // Partitions are applied concurrently (one teacher's events stay in one partition, in order).
      partitionsConsumedConcurrently: 3,
      eachBatchAutoResolve: false,
      // commitOffsetsIfNecessary() below commits whatever was resolved (at least one offset).
      autoCommitThreshold: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        for (let i = 0; i < batch.messages.length && isRunning() && !isStale(); i += BATCH_CHUNK) {
          const chunk = batch.messages.slice(i, i + BATCH_CHUNK);
          await handle(
            chunk.map((m) => m.value),
            batch.topic,
          );
          resolveOffset(chunk[chunk.length - 1].offset);
          // Committed chunk by chunk: what a rebalance or a restart redelivers is at most one chunk.
          await commitOffsetsIfNecessary();
          await heartbeat();
        }
      },
    });
    return {
      close: async () => {
        await withTimeout(consumer.disconnect());
      },
    };
  }

  async close(): Promise<void> {
    if (this.producer) await withTimeout(this.producer.disconnect().catch(() => undefined));
    if (this.admin) await withTimeout(this.admin.disconnect().catch(() => undefined));
    this.producer = null;
    this.admin = null;
  }
}

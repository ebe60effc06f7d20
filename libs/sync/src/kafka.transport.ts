import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';

/**
 * Our own small interface over the Kafka client (ADR 0005): kafkajs is the design card's choice but
 * has had no release for years; switching clients means re-implementing this file only.
 */
export interface SyncTransport {
  publish(topic: string, messages: { key: string; value: string }[]): Promise<void>;
  close(): Promise<void>;
}

export interface SyncSubscription {
  close(): Promise<void>;
}

export class KafkaTransport implements SyncTransport {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;

  constructor(brokers: string[], clientId: string) {
    this.kafka = new Kafka({ brokers, clientId, logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 200 } });
  }

  async ensureTopic(topic: string, partitions = 6): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  async publish(topic: string, messages: { key: string; value: string }[]): Promise<void> {
    if (!this.producer) {
      const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await p.connect();
      this.producer = p;
    }
    try {
      await this.producer.send({ topic, acks: -1, messages });
    } catch (e) {
      await this.producer.disconnect().catch(() => undefined);
      this.producer = null;
      throw e;
    }
  }

  /** Consumer group; `handle` runs per message and must be idempotent: the offset commits after it returns. */
  async subscribe(topic: string, groupId: string, handle: (m: { key: string | null; value: Buffer | null; partition: number; offset: string }) => Promise<void>): Promise<SyncSubscription> {
    const consumer: Consumer = this.kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommit: true, eachMessage: async ({ message, partition }) => handle({ key: message.key?.toString() ?? null, value: message.value, partition, offset: message.offset }) });
    return { close: () => consumer.disconnect() };
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }
}

import { Controller, Injectable, type Type } from '@nestjs/common';
import { logLevel } from 'kafkajs';
import { Ctx, EventPattern, KafkaContext, Payload, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { KAFKA_RETRY } from '@tmis/sync-transport';
import { isFederationWire } from './federation-message.js';
import { FederationReceiver, type ReceiveOutcome } from './federation.receiver.js';
import { FederationPlace } from './federation.options.js';

/**
 * Kafka's side of the receiver: the sender is the topic's province (a province can write only its own
 * upward topic and read only its own downward topic: broker ACLs, deploy/kafka/README.md).
 */
@Injectable()
export class FederationKafkaInbox {
  constructor(
    private readonly receiver: FederationReceiver,
    private readonly place: FederationPlace,
  ) {}

  async fromTopic(topic: string, value: Buffer | string | null): Promise<ReceiveOutcome | 'skipped'> {
    // The upward topics also carry the record sync (the batch consumer's): not ours, not parsed.
    if (!isFederationWire(value)) return 'skipped';
    const from = this.place.senderOf(topic);
    if (!from) return this.receiver.receive(value, { from: `?${topic}`.slice(0, 8), channel: topic });
    return this.receiver.receive(value, { from, channel: topic });
  }
}

/**
 * The `@nestjs/microservices` Kafka event handler on the node's inbound topics. The topics depend on
 * the configuration, so the controller class is made per node with `@EventPattern(topics)` applied
 * to it; each message is handed to the receiver, which dispatches by message type.
 */
export function federationKafkaController(topics: string[]): Type {
  @Controller()
  class FederationKafkaController {
    constructor(private readonly inbox: FederationKafkaInbox) {}

    async onMessage(@Payload() value: Buffer | null, @Ctx() ctx: KafkaContext): Promise<void> {
      await this.inbox.fromTopic(ctx.getTopic(), value);
    }
  }
  const d = Object.getOwnPropertyDescriptor(FederationKafkaController.prototype, 'onMessage')!;
  EventPattern(topics)(FederationKafkaController.prototype, 'onMessage', d);
  return FederationKafkaController;
}

/** The Kafka server the node connects (libs/server's bootstrap starts it after the HTTP app). */
export function federationMicroservice(place: FederationPlace): MicroserviceOptions {
  const k = place.kafka!;
  return {
    transport: Transport.KAFKA,
    options: {
      postfixId: '',
      client: {
        clientId: `tmis-${place.self}-inbound`,
        brokers: k.brokers,
        ...(k.ssl ? { ssl: k.ssl.ca ? { ca: [k.ssl.ca] } : true } : {}),
        ...(k.sasl ? { sasl: k.sasl as never } : {}),
        retry: { retries: 8, ...KAFKA_RETRY },
        // As the record sync's client (libs/sync-transport): the node's health and metrics report the state.
        logLevel: logLevel.NOTHING,
      },
      consumer: { groupId: place.group, sessionTimeout: 10000, heartbeatInterval: 1000 },
      subscribe: { fromBeginning: true },
      parser: { keepBinary: true },
    },
  } as MicroserviceOptions;
}

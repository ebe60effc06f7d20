import type { KafkaConnection } from '@tmis/sync-transport';
import { PROVINCE_PREFIXES } from '@tmis/core-indicators';

/** Where a message goes: a province's two-digit code, or the national node. */
export type FederationAddress = string | 'national';

/** What both node roles configure. */
interface FederationCommonOptions {
  /** Topic names: `<prefix>.up.<province>` and `<prefix>.down.<province>` (SYNC_TOPIC, default `tmis`). */
  topicPrefix: string;
  /** Kafka, when the federation runs one. */
  kafka?: KafkaConnection;
  relayIntervalMs: number;
}

/** The national node: the provinces it serves. */
export interface NationalFederationOptions extends FederationCommonOptions {
  /** The provinces whose upward topics it consumes (and whose topics it ensures exist). */
  provinces: string[];
  /** Without Kafka: province → accepted node token (SYNC_NODE_TOKENS). */
  nodeTokens?: Record<string, string>;
}

/** A provincial node: its province, and without Kafka how it reaches national. */
export interface ProvincialFederationOptions extends FederationCommonOptions {
  /** The province of the node (its identity: its topics and broker credentials). */
  provinceCode: string;
  /** Without Kafka: the national node's URL and this province's node token (push up, pull down). */
  nationalUrl?: string;
  nodeToken?: string;
}

/**
 * The node's place in the federation — who it is, where its messages go and whose messages it takes
 * from which topic. Each app composes its own (`FederationModule.forNational` / `forProvince`); the
 * messenger, relay and receiver ask the place, they never ask which role they run in.
 */
export abstract class FederationPlace {
  abstract readonly self: FederationAddress;
  abstract readonly topicPrefix: string;
  abstract readonly kafka?: KafkaConnection;
  abstract readonly relayIntervalMs: number;
  /** Without a broker: national serves pulls; a province pushes and pulls over HTTP when it knows national. */
  abstract readonly withoutBroker: 'pull' | 'http' | 'none';
  /** The national node's URL and this node's token, where this node calls national over HTTP. */
  abstract readonly nationalHttp?: { url: string; token: string };
  /** Why this node may not send to `to`, or null. */
  abstract refuseDestination(to: FederationAddress): string | null;
  /** The topic a message to `destination` goes out on. */
  abstract outboundTopic(destination: FederationAddress): string;
  /** The topics this node consumes per message. */
  abstract inboundTopics(): string[];
  /** The topics this node uses (ensured at start where the broker lets it). */
  abstract ownTopics(): { topic: string; partitions: number }[];
  /** The sender a message on `topic` comes from (the topic is the identity), or null for a topic not ours to read. */
  abstract senderOf(topic: string): FederationAddress | null;

  /** The per-message consumer group (`<prefix>.national`, `<prefix>.province.<code>`): the broker ACLs name it. */
  get group(): string {
    return federationGroupName(this.topicPrefix, this.self);
  }
}

export class NationalPlace extends FederationPlace {
  readonly self = 'national';
  readonly topicPrefix: string;
  readonly kafka?: KafkaConnection;
  readonly relayIntervalMs: number;
  readonly withoutBroker = 'pull' as const;
  readonly nationalHttp = undefined;
  private readonly provinces: string[];

  constructor(o: NationalFederationOptions) {
    super();
    ({ topicPrefix: this.topicPrefix, kafka: this.kafka, relayIntervalMs: this.relayIntervalMs } = o);
    this.provinces = o.provinces;
  }

  refuseDestination(to: FederationAddress): string | null {
    return /^\d{2}$/.test(to) ? null : `the national node sends to a province code (not to ${to})`;
  }

  outboundTopic(destination: FederationAddress): string {
    return downTopic(this.topicPrefix, destination);
  }

  inboundTopics(): string[] {
    return this.provinces.map((p) => upTopic(this.topicPrefix, p));
  }

  ownTopics() {
    return this.provinces.flatMap((c) => topicPair(this.topicPrefix, c));
  }

  senderOf(topic: string): FederationAddress | null {
    const t = topicProvince(this.topicPrefix, topic);
    return t?.direction === 'up' ? t.province : null;
  }
}

export class ProvincialPlace extends FederationPlace {
  readonly self: string;
  readonly topicPrefix: string;
  readonly kafka?: KafkaConnection;
  readonly relayIntervalMs: number;
  readonly withoutBroker: 'http' | 'none';
  readonly nationalHttp?: { url: string; token: string };

  constructor(o: ProvincialFederationOptions) {
    super();
    ({ topicPrefix: this.topicPrefix, kafka: this.kafka, relayIntervalMs: this.relayIntervalMs } = o);
    this.self = o.provinceCode;
    this.nationalHttp =
      o.nationalUrl && o.nodeToken ? { url: o.nationalUrl.replace(/\/$/, ''), token: o.nodeToken } : undefined;
    this.withoutBroker = this.nationalHttp ? 'http' : 'none';
  }

  refuseDestination(to: FederationAddress): string | null {
    return to === 'national' ? null : `a provincial node sends only to national (not to ${to})`;
  }

  outboundTopic(): string {
    return upTopic(this.topicPrefix, this.self);
  }

  inboundTopics(): string[] {
    return [downTopic(this.topicPrefix, this.self)];
  }

  ownTopics() {
    return topicPair(this.topicPrefix, this.self);
  }

  senderOf(topic: string): FederationAddress | null {
    const t = topicProvince(this.topicPrefix, topic);
    return t?.direction === 'down' && t.province === this.self ? 'national' : null;
  }
}

function topicPair(prefix: string, province: string) {
  return [
    { topic: upTopic(prefix, province), partitions: 6 },
    { topic: downTopic(prefix, province), partitions: 3 },
  ];
}

export const upTopic = (prefix: string, province: string) => `${prefix}.up.${province}`;
export const downTopic = (prefix: string, province: string) => `${prefix}.down.${province}`;

/** The province a topic belongs to (`<prefix>.up.44` → `{ direction: 'up', province: '44' }`), or null. */
export function topicProvince(prefix: string, topic: string): { direction: 'up' | 'down'; province: string } | null {
  if (!topic.startsWith(`${prefix}.`)) return null;
  const m = /^(up|down)\.(\d{2})$/.exec(topic.slice(prefix.length + 1));
  return m ? { direction: m[1] as 'up' | 'down', province: m[2] } : null;
}

/** Every province prefix of GB/T 2260 (31 provinces and the XPCC, 66), in code order. */
export const ALL_PROVINCES: readonly string[] = [...PROVINCE_PREFIXES].sort();

/** The per-message consumer group of a node (`<prefix>.national`, `<prefix>.province.<code>`): the broker ACLs name it. */
export function federationGroupName(prefix: string, node: string): string {
  return node === 'national' ? `${prefix}.national` : `${prefix}.province.${node}`;
}

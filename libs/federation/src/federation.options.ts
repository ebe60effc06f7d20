import type { KafkaConnection } from '@tmis/sync-transport';
import { PROVINCE_PREFIXES } from '@tmis/core-indicators';

export const FEDERATION_OPTIONS = Symbol('FEDERATION_OPTIONS');

/** Where a message goes: a province's two-digit code, or the national node. */
export type FederationAddress = string | 'national';

/** A node's place in the federation and how it reaches the others. */
export interface FederationOptions {
  role: 'national' | 'provincial';
  /** The province of a provincial node (its identity: its topics and broker credentials). */
  provinceCode?: string;
  /** Topic names: `<prefix>.up.<province>` and `<prefix>.down.<province>` (SYNC_TOPIC, default `tmis`). */
  topicPrefix: string;
  /** National: the provinces whose upward topics it consumes (and whose topics it ensures exist). */
  provinces: string[];
  /** Kafka, when the federation runs one. */
  kafka?: KafkaConnection;
  /** Province without Kafka: the national node's URL and this province's node token (push up, pull down). */
  nationalUrl?: string;
  nodeToken?: string;
  /** National without Kafka: province → accepted node token (SYNC_NODE_TOKENS). */
  nodeTokens?: Record<string, string>;
  relayIntervalMs: number;
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

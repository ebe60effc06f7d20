import type { KafkaConnection } from '@tmis/sync-transport';

export const SYNC_PUBLISH_OPTIONS = Symbol('SYNC_PUBLISH_OPTIONS');

/** A provincial node's link to the national node. */
export interface SyncPublishOptions {
  /** Two-digit province of this node (the envelope's `provinceCode`). */
  provinceCode: string;
  topic: string;
  /** Kafka, when the federation runs one; otherwise `nationalUrl` + `nodeToken` (HTTP), or nothing (events wait). */
  kafka?: KafkaConnection;
  nationalUrl?: string;
  nodeToken?: string;
  relayIntervalMs: number;
}

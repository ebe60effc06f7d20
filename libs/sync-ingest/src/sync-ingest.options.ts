import type { KafkaConnection } from '@tmis/sync-transport';

export const SYNC_INGEST_OPTIONS = Symbol('SYNC_INGEST_OPTIONS');

/** The national node's side of the federation. */
export interface SyncIngestOptions {
  /** The upward topics, province → topic (`<prefix>.up.<province>`): the sender is the topic's province. */
  topics: Record<string, string>;
  /** Kafka, when the federation runs one (the consumer group `tmis-national`). */
  kafka?: KafkaConnection;
  /** Province → accepted node token (the HTTP transport, `POST /sync/ingest`). */
  nodeTokens: Record<string, string>;
}

export const SYNC_OPTIONS = Symbol('SYNC_OPTIONS');

export interface SyncOptions {
  kind: 'national' | 'provincial';
  provinceCode?: string;
  kafkaBrokers?: string[];
  kafkaSsl?: { ca?: string } | false;
  kafkaSasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Provincial node: push to the national node over HTTP when there is no Kafka. */
  nationalUrl?: string;
  nodeToken?: string;
  /** National node: province → accepted node token. */
  nodeTokens?: Record<string, string>;
  topic: string;
  relayIntervalMs: number;
}

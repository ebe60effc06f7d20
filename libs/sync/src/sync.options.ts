export const SYNC_OPTIONS = Symbol('SYNC_OPTIONS');

export interface SyncOptions {
  kind: 'national' | 'provincial';
  provinceCode?: string;
  kafkaBrokers?: string[];
  topic: string;
  relayIntervalMs: number;
}

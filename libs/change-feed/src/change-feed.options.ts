export const CHANGE_FEED_OPTIONS = Symbol('CHANGE_FEED_OPTIONS');

export interface ChangeFeedOptions {
  /** How often the sequencer numbers committed changes (ms). */
  intervalMs: number;
  /** Days an entry is kept; a cursor older than that answers 410. */
  retentionDays: number;
}

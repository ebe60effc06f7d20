export interface TransfersOptions {
  /** How often approved cases whose date has come are applied (ms); 0 = only on read. */
  dueIntervalMs: number;
}

export const TRANSFERS_OPTIONS = Symbol('TRANSFERS_OPTIONS');

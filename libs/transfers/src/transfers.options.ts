export interface TransfersOptions {
  /** How often approved cases whose date has come are applied (ms); 0 = only on read. */
  dueIntervalMs: number;
  /** A provincial node's province: cross-province transfers go through the national node (federation messenger). */
  provinceCode?: string;
}

export const TRANSFERS_OPTIONS = Symbol('TRANSFERS_OPTIONS');

export interface TransfersHubOptions {
  /** Seconds a cross-province transfer may wait at the sending province before it expires on both sides. */
  timeoutSeconds: number;
  /** How often the expiry is checked (ms). */
  checkIntervalMs: number;
}

export const TRANSFERS_HUB_OPTIONS = Symbol('TRANSFERS_HUB_OPTIONS');

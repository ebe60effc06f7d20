export const WEBHOOKS_OPTIONS = Symbol('WEBHOOKS_OPTIONS');

export interface WebhooksOptions {
  intervalMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  disableAfter: number;
  timeoutMs: number;
}

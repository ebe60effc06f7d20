export const WEBHOOKS_OPTIONS = Symbol('WEBHOOKS_OPTIONS');

export interface WebhooksOptions {
  intervalMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  disableAfter: number;
  timeoutMs: number;
  /** Requests in flight to one endpoint at most (and keep-alive sockets per origin). */
  concurrency: number;
  /** Endpoints being sent to at once at most (one lane each). */
  maxEndpoints: number;
  /** Deliver to any address, private networks included (intranet deployments, tests). */
  allowPrivateNetworks: boolean;
  /** Comma-separated CIDRs allowed though not public (e.g. `10.20.0.0/16`). */
  allowedCidrs?: string;
}

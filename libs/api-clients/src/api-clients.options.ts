export interface ApiClientsOptions {
  /** Lifetime of a client-credentials access token. */
  tokenTtlSeconds: number;
  /** Requests per minute per client (token requests included), unless the client has its own limit. */
  clientRateLimitPerMinute: number;
  /** Requests per minute per source address, for client calls and token requests. */
  addressRateLimitPerMinute: number;
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlSeconds: number;
}

export const API_CLIENTS_OPTIONS = Symbol('API_CLIENTS_OPTIONS');

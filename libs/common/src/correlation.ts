import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface RequestContext {
  correlationId: string;
  ip?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Uses the caller's `X-Correlation-Id` when it is well formed, otherwise a fresh UUID. */
export function correlationIdFrom(header: unknown): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}

export function currentCorrelationId(): string | undefined {
  return requestContext.getStore()?.correlationId;
}

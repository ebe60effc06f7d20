import { toChangeEntry, type ChangeRow, type ChangeView } from '@tmis/change-feed';

/**
 * The body of one delivery (the Standard Webhooks payload shape): `type`, `timestamp` (when the
 * change was committed) and `data` (the change-feed entry, masked per the endpoint's view).
 * Deterministic, so a replay sends the same bytes under the same `webhook-id`.
 */
export function webhookBody(row: ChangeRow, view: ChangeView): string {
  const entry = toChangeEntry(row, view);
  return JSON.stringify({ type: entry.type, timestamp: entry.committedAt, data: entry });
}

/** The delay before retry number `attempt` (1-based count of attempts made): base × 4^(attempt−1), at most 6 h. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 4 ** (attempt - 1), 6 * 3600_000);
}

import { entryTextFor, type ChangeView } from '@tmis/change-feed';

/** A delivery's change as the claim reads it: the feed entry's full-view JSON text and what frames it. */
export interface DeliveryChange {
  type: string;
  entityType: string;
  /** When the change was committed (ISO 8601, as the entry's `committedAt`). */
  committedAt: string;
  /** The change-feed entry, full view, as JSON text (written by PostgreSQL). */
  entry: string;
}

/**
 * The body of one delivery (the Standard Webhooks payload shape): `type`, `timestamp` (when the
 * change was committed) and `data` (the change-feed entry, masked per the endpoint's view), spliced
 * from the entry's text. Deterministic, so a replay sends the same bytes under the same `webhook-id`.
 */
export function webhookBody(c: DeliveryChange, view: ChangeView): string {
  return `{"type":${JSON.stringify(c.type)},"timestamp":${JSON.stringify(c.committedAt)},"data":${entryTextFor(c.entityType, c.entry, view)}}`;
}

/** The delay before retry number `attempt` (1-based count of attempts made): base × 4^(attempt−1), at most 6 h. */
export function retryDelayMs(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 4 ** (attempt - 1), 6 * 3600_000);
}

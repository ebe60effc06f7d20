import type { Actor } from '@tmis/access';
import { NotifiedCache } from '@tmis/common';

/**
 * Who is behind a session, remembered for `ttlMs` so that a busy caller's requests do not each look
 * the session up (issue 21). Dropped whenever `tmis_auth_changed` is notified — every change that can
 * end or narrow a session sends it on commit: a session revoked, an account disabled or moved, a unit
 * closed or moved — with the revocation semantics of {@link NotifiedCache}. An entry answers only for
 * the account its session belongs to.
 */
export class SessionCache extends NotifiedCache<Actor> {
  /** The session's actor if seen within the bound, else `undefined` (look it up). */
  actorOf(sessionId: string, accountId: string): Actor | undefined {
    const actor = this.get(sessionId, (a) => a.accountId === accountId);
    return actor ? { ...actor } : undefined;
  }
}

import type { Actor } from '@tmis/access';

interface Entry {
  accountId: string;
  actor: Actor;
  until: number;
}

/**
 * Who is behind a session, remembered for `ttlMs` so that a busy caller's requests do not each look
 * the session up (issue 21). Revocation semantics:
 * - entries are kept only while `live` (the node is listening for `tmis_auth_changed`, which every
 *   change that can end or narrow a session notifies on commit, from any process or path): the
 *   notification drops every entry, so a revoked session, a disabled account or a closed or moved unit
 *   is refused as soon as the notification arrives (milliseconds after the commit);
 * - while the listening connection is down, nothing is cached (every request looks the session up);
 * - a change made by this process (`invalidate`, called by the writes of the accounts repository)
 *   drops every entry at once and caches nothing until the next notification (that change's, on its
 *   commit) or for `ttlMs`, so that a lookup that read the old state before that transaction
 *   committed cannot be kept;
 * - in every case an entry is at most `ttlMs` old: the bound.
 * A lookup's answer is kept only if no invalidation happened while it was running.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private quietUntil = 0;
  private listening = false;
  hits = 0;
  misses = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0 && this.listening;
  }

  /** Whether changes are being notified (the listening connection is up); off drops every entry. */
  set live(on: boolean) {
    this.listening = on;
    this.invalidate(false);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The session's actor if seen within the bound, else `undefined` (look it up). */
  get(sessionId: string, accountId: string): Actor | undefined {
    if (!this.enabled) return undefined;
    const e = this.entries.get(sessionId);
    if (!e || e.accountId !== accountId) {
      this.misses++;
      return undefined;
    }
    if (e.until <= this.now()) {
      this.entries.delete(sessionId);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return { ...e.actor };
  }

  /** A token for `put`: the generation when a lookup starts. */
  begin(): number {
    return this.generation;
  }

  /** Keeps a lookup's answer (a live session only) unless anything was invalidated since `begin()`. */
  put(started: number, sessionId: string, actor: Actor): void {
    const t = this.now();
    if (!this.enabled || started !== this.generation || t < this.quietUntil) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(sessionId);
    this.entries.set(sessionId, { accountId: actor.accountId, actor, until: t + this.ttlMs });
  }

  /**
   * Drops every entry. `local`: a change made by this process, maybe not committed yet: nothing is
   * kept until the next notification (its commit's) or for `ttlMs`. Not local: a notification.
   */
  invalidate(local = true): void {
    this.generation++;
    this.entries.clear();
    this.quietUntil = local ? this.now() + this.ttlMs : 0;
  }
}

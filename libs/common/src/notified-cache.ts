interface Entry<V> {
  value: V;
  until: number;
}

/**
 * A small in-process cache of values that a database notification invalidates (issue 21): the session
 * cache (who is behind a session) and the unit-scope cache (a unit's path) are two. Semantics:
 * - entries are kept only while `live` (the node is listening for the notification, which every change
 *   that can alter a cached value sends on commit, from any process or path): a notification drops
 *   every entry, so a change is seen as soon as it arrives (milliseconds after the commit);
 * - while the listening connection is down, nothing is cached (every read looks the value up);
 * - a change made by this process (`invalidate()`, called by its writes before they commit) drops every
 *   entry at once and caches nothing until the next notification (that change's, on its commit) or for
 *   `ttlMs`, so that a lookup that read the old state before that transaction committed cannot be kept;
 * - in every case an entry is at most `ttlMs` old: the bound.
 * A lookup's answer is kept only if no invalidation happened while it was running (`begin` … `put`).
 */
export class NotifiedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
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

  /** The value if seen within the bound (and, when given, accepted by `matches`), else `undefined`. */
  get(key: string, matches?: (v: V) => boolean): V | undefined {
    if (!this.enabled) return undefined;
    const e = this.entries.get(key);
    if (!e || (matches && !matches(e.value))) {
      this.misses++;
      return undefined;
    }
    if (e.until <= this.now()) {
      this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e.value;
  }

  /** A token for `put`: the generation when a lookup starts. */
  begin(): number {
    return this.generation;
  }

  /** Keeps a lookup's answer unless anything was invalidated since `begin()`. */
  put(started: number, key: string, value: V): void {
    const t = this.now();
    if (!this.enabled || started !== this.generation || t < this.quietUntil) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(key);
    this.entries.set(key, { value, until: t + this.ttlMs });
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

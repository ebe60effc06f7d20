/** A fixed-window counter per key (in memory, per node process). */
class WindowCounter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** The window of `key` now (a fresh one when the old has ended). */
  private current(key: string, now: number): { count: number; resetAt: number } {
    let w = this.hits.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, w);
      if (this.hits.size > 50_000) for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
    }
    return w;
  }

  exhausted(key: string, now: number): { resetAt: number } | null {
    const w = this.current(key, now);
    return w.count >= this.limit ? { resetAt: w.resetAt } : null;
  }

  hit(key: string, now: number): void {
    this.current(key, now).count++;
  }
}

export interface LoginThrottleOptions {
  /** Failed logins (and wrong current passwords) allowed per client address per window. */
  perAddress: number;
  /** Failed logins allowed on the whole node per window, whatever the address and user name. */
  global: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = { perAddress: 20, global: 300, windowSeconds: 300 };

export interface ThrottleVerdict {
  limit: number;
  windowSeconds: number;
  retryAfterSeconds: number;
}

/**
 * Throttles password guessing across user names: once an address, or the node as a whole, has
 * failed `perAddress` / `global` times in the window, further attempts are refused (429) until the
 * window ends, before any password is checked. Account lockout still guards each name.
 */
export class LoginThrottle {
  private readonly byAddress: WindowCounter;
  private readonly all: WindowCounter;

  constructor(private readonly o: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
    this.byAddress = new WindowCounter(o.perAddress, o.windowSeconds * 1000);
    this.all = new WindowCounter(o.global, o.windowSeconds * 1000);
  }

  /** Null when an attempt from `address` may go ahead; otherwise when to come back. */
  check(address: string | null, now = Date.now()): ThrottleVerdict | null {
    const a = this.byAddress.exhausted(address ?? 'unknown', now);
    const g = this.all.exhausted('*', now);
    const hit = a ?? g;
    if (!hit) return null;
    return {
      limit: a ? this.o.perAddress : this.o.global,
      windowSeconds: this.o.windowSeconds,
      retryAfterSeconds: Math.max(1, Math.ceil((hit.resetAt - now) / 1000)),
    };
  }

  failed(address: string | null, now = Date.now()): void {
    this.byAddress.hit(address ?? 'unknown', now);
    this.all.hit('*', now);
  }
}

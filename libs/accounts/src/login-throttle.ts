import { Inject, Injectable } from '@nestjs/common';
import { RateLimiter, type RateLimit } from '@tmis/api-clients';
import { ACCOUNTS_OPTIONS, type AccountsOptions } from './accounts.options.js';

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
 *
 * The failures are counted by the platform's rate limiter in PostgreSQL (`rate_limit_counter`,
 * ADR 0017), so every process of a node on its database counts the same failures and a restart
 * forgets nothing.
 */
@Injectable()
export class LoginThrottle {
  private readonly o: LoginThrottleOptions;

  constructor(
    private readonly limiter: RateLimiter,
    @Inject(ACCOUNTS_OPTIONS) options: AccountsOptions,
  ) {
    this.o = options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE;
  }

  private limits(address: string | null): RateLimit[] {
    return [
      { key: `login-fail:addr:${address ?? 'unknown'}`, limit: this.o.perAddress, what: 'address' },
      { key: 'login-fail:node', limit: this.o.global, what: 'node' },
    ];
  }

  /** Null when an attempt from `address` may go ahead; otherwise when to come back. */
  async check(address: string | null): Promise<ThrottleVerdict | null> {
    const over = await this.limiter.exceeded(this.limits(address), this.o.windowSeconds);
    return over
      ? { limit: over.limit.limit, windowSeconds: over.windowSeconds, retryAfterSeconds: over.retryAfterSeconds }
      : null;
  }

  async failed(address: string | null): Promise<void> {
    await this.limiter.count(
      this.limits(address).map((l) => l.key),
      this.o.windowSeconds,
    );
  }
}

import { Injectable } from '@nestjs/common';
import { apiClientError, ApiClientErrorCode } from './api-clients.errors.js';
import { RateLimitRepository } from './rate-limit.repository.js';

export const RATE_WINDOW_SECONDS = 60;

export interface RateLimit {
  key: string;
  /** Requests allowed per window. */
  limit: number;
  /** What is limited, for the problem's detail ("client", "address"). */
  what: string;
}

/** A limit that is used up: which one, and when its window ends. */
export interface RateLimitExceeded {
  limit: RateLimit;
  windowSeconds: number;
  retryAfterSeconds: number;
}

/**
 * Fixed windows counted in PostgreSQL (shared by every instance of a node on its database). For
 * requests (`consume`): one-minute windows; answers the IETF RateLimit headers
 * (draft-ietf-httpapi-ratelimit-headers) of the tightest limit, or throws 429 with them and
 * `Retry-After` once any limit is exceeded. For events counted apart from the request that checks
 * them (failed logins: `exceeded` before, `count` after a failure), any window length.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly repo: RateLimitRepository) {}

  async consume(limits: RateLimit[]): Promise<Record<string, string>> {
    const hits = await this.repo.hit(
      limits.map((l) => l.key),
      RATE_WINDOW_SECONDS,
    );
    const state = limits.map((l) => {
      const h = hits.find((x) => x.key === l.key);
      return { ...l, hits: h?.hits ?? 0, reset: h?.resetSeconds ?? RATE_WINDOW_SECONDS };
    });
    const over = state.find((s) => s.hits > s.limit);
    if (over)
      throw apiClientError(
        ApiClientErrorCode.RateLimited,
        `More than ${over.limit} requests per ${RATE_WINDOW_SECONDS} s for this ${over.what}`,
        {
          retryAfterSeconds: over.reset,
          rateLimit: { limit: over.limit, remaining: 0, reset: over.reset, windowSeconds: RATE_WINDOW_SECONDS },
        },
      );
    const tightest = state.reduce((a, b) => (b.limit - b.hits < a.limit - a.hits ? b : a));
    return {
      'RateLimit-Limit': String(tightest.limit),
      'RateLimit-Remaining': String(Math.max(0, tightest.limit - tightest.hits)),
      'RateLimit-Reset': String(tightest.reset),
      'RateLimit-Policy': `${tightest.limit};w=${RATE_WINDOW_SECONDS}`,
    };
  }

  /** The first of `limits` whose count in the current window of `windowSeconds` has reached it. */
  async exceeded(limits: RateLimit[], windowSeconds: number): Promise<RateLimitExceeded | null> {
    const hits = await this.repo.peek(
      limits.map((l) => l.key),
      windowSeconds,
    );
    for (const l of limits) {
      const h = hits.find((x) => x.key === l.key);
      if (h && h.hits >= l.limit) return { limit: l, windowSeconds, retryAfterSeconds: h.resetSeconds };
    }
    return null;
  }

  /** Counts one event on each key in the current window of `windowSeconds`. */
  async count(keys: string[], windowSeconds: number): Promise<void> {
    await this.repo.hit(keys, windowSeconds);
  }
}

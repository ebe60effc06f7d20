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

/**
 * Fixed one-minute windows counted in PostgreSQL (shared by a node's instances). Answers the IETF
 * RateLimit headers (draft-ietf-httpapi-ratelimit-headers) of the tightest limit, or throws 429
 * with them and `Retry-After` once any limit is exceeded.
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
}

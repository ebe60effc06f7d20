import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface WindowHits {
  key: string;
  hits: number;
  /** Seconds until the window ends. */
  resetSeconds: number;
}

/**
 * `rate_limit_counter`: fixed windows counted in PostgreSQL, so every instance of a node (sharing its
 * database) counts the same requests. One upsert per request for all of its keys.
 */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /** Counts one hit on each key in the current window of `windowSeconds`; the counts after it. */
  async hit(keys: string[], windowSeconds: number): Promise<WindowHits[]> {
    return this.db.query(
      `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start)
       INSERT INTO rate_limit_counter (key, window_start, hits)
       SELECT k, w.start, 1 FROM unnest($1::text[]) k, w
       ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_counter.hits + 1
       RETURNING key, hits, GREATEST(1, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now())))::int AS "resetSeconds"`,
      [keys, windowSeconds],
    );
  }

  /** The counts of `keys` in the current window of `windowSeconds`, without counting (absent keys: none). */
  async peek(keys: string[], windowSeconds: number): Promise<WindowHits[]> {
    return this.db.query(
      `WITH w AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $2) * $2) AS start)
       SELECT key, hits, GREATEST(1, ceil(extract(epoch FROM window_start + make_interval(secs => $2) - now())))::int AS "resetSeconds"
         FROM rate_limit_counter, w WHERE key = ANY($1::text[]) AND window_start = w.start`,
      [keys, windowSeconds],
    );
  }

  /** Drops windows that ended more than a day ago (the longest window a limit may use). */
  async purge(): Promise<void> {
    await this.db.query(`DELETE FROM rate_limit_counter WHERE window_start < now() - interval '1 day'`);
  }
}

import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface IdempotencyRow {
  method: string;
  path: string;
  requestHash: string;
  status: number | null;
  response: unknown;
}

/** `idempotency_key`: the first answer to a creating POST, per caller and key. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /**
   * Claims `key` for this request, in the open transaction: true when it is ours. When another
   * transaction holds the same key, the insert waits until that one commits (then false: read its
   * answer) or rolls back (then true). An expired key is forgotten first.
   */
  async claim(
    principal: string,
    key: string,
    req: { method: string; path: string; requestHash: string },
    ttlSeconds: number,
  ): Promise<boolean> {
    await this.db.query(`DELETE FROM idempotency_key WHERE principal = $1 AND key = $2 AND expires_at <= now()`, [
      principal,
      key,
    ]);
    const rows = await this.db.query(
      `INSERT INTO idempotency_key (principal, key, method, path, request_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
       ON CONFLICT (principal, key) DO NOTHING RETURNING key`,
      [principal, key, req.method, req.path, req.requestHash, ttlSeconds],
    );
    return returned(rows).length > 0;
  }

  async find(principal: string, key: string): Promise<IdempotencyRow | null> {
    const rows: IdempotencyRow[] = await this.db.query(
      `SELECT method, path, request_hash AS "requestHash", status, response FROM idempotency_key
        WHERE principal = $1 AND key = $2`,
      [principal, key],
    );
    return rows[0] ?? null;
  }

  /** Keeps the answer, in the transaction of the write it answers. */
  async complete(principal: string, key: string, status: number, response: unknown): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_key SET status = $3, response = $4::jsonb WHERE principal = $1 AND key = $2`,
      [principal, key, status, JSON.stringify(response ?? null)],
    );
  }

  async purgeExpired(): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_key WHERE expires_at <= now()`);
  }
}

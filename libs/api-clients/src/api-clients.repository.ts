import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

export interface ApiClientSecretRow {
  id: string;
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiClientRow {
  id: string;
  name: string;
  ownerUnitId: string;
  ownerUnitPath: string;
  ownerUnitLevel: number;
  ownerUnitStatus: string;
  scopes: string[];
  allowedAddresses: string[];
  expiresAt: Date | null;
  rateLimitPerMinute: number | null;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A client and one of its secrets, as the token endpoint and the guard judge them. */
export interface ClientCredentialRow extends ApiClientRow {
  secretId: string;
  secretExpiresAt: Date | null;
  secretRevokedAt: Date | null;
  /** The caller's address is allowed (no restriction, or inside one of the ranges). */
  addressAllowed: boolean;
  /** Database time, so every instance of a node judges expiry alike. */
  now: Date;
}

export interface NewApiClient {
  name: string;
  ownerUnitId: string;
  scopes: string[];
  allowedAddresses: string[];
  expiresAt: Date | null;
  rateLimitPerMinute: number | null;
  createdBy: string;
}

const CLIENT_COLS = `c.id, c.name, c.owner_unit_id AS "ownerUnitId", u.path AS "ownerUnitPath", u.level AS "ownerUnitLevel",
  u.status AS "ownerUnitStatus", c.scopes, ARRAY(SELECT host(a) || CASE WHEN masklen(a) = (CASE WHEN family(a) = 4 THEN 32 ELSE 128 END)
  THEN '' ELSE '/' || masklen(a) END FROM unnest(c.allowed_addresses) a) AS "allowedAddresses", c.expires_at AS "expiresAt",
  c.rate_limit_per_minute AS "rateLimitPerMinute", c.created_by AS "createdBy", c.created_at AS "createdAt", c.revoked_at AS "revokedAt"`;

/** The `api_client` and `api_client_secret` tables. */
@Injectable()
export class ApiClientsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get db(): EntityManager {
    return this.txHost.tx;
  }

  async insert(c: NewApiClient): Promise<string> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO api_client (name, owner_unit_id, scopes, allowed_addresses, expires_at, rate_limit_per_minute, created_by)
       VALUES ($1, $2, $3::text[], $4::inet[], $5, $6, $7) RETURNING id`,
      [c.name, c.ownerUnitId, c.scopes, c.allowedAddresses, c.expiresAt, c.rateLimitPerMinute, c.createdBy],
    );
    return rows[0].id;
  }

  async insertSecret(clientId: string, secretHash: string, hint: string, createdBy: string): Promise<string> {
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO api_client_secret (client_id, secret_hash, hint, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [clientId, secretHash, hint, createdBy],
    );
    return rows[0].id;
  }

  async findById(id: string, lock = false): Promise<ApiClientRow | null> {
    const rows: ApiClientRow[] = await this.db.query(
      `SELECT ${CLIENT_COLS} FROM api_client c JOIN org_unit u ON u.id = c.owner_unit_id WHERE c.id = $1
       ${lock ? 'FOR UPDATE OF c' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Clients owned by units under `pathPrefix`, newest first, keyset-paged on (created_at, id). */
  async list(pathPrefix: string, after: [string, string] | null, limit: number): Promise<ApiClientRow[]> {
    const params: unknown[] = [pathPrefix + '%', limit];
    let where = `u.path LIKE $1`;
    if (after) {
      params.push(after[0], after[1]);
      where += ` AND (c.created_at, c.id) < ($3::timestamptz, $4::uuid)`;
    }
    return this.db.query(
      `SELECT ${CLIENT_COLS} FROM api_client c JOIN org_unit u ON u.id = c.owner_unit_id
        WHERE ${where} ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
      params,
    );
  }

  async secrets(clientId: string): Promise<ApiClientSecretRow[]> {
    return this.db.query(
      `SELECT id, hint, created_at AS "createdAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"
         FROM api_client_secret WHERE client_id = $1 ORDER BY created_at DESC, id`,
      [clientId],
    );
  }

  /** Every other live secret of the client stops at `deadline` (or earlier, if it already had to). */
  async expireOtherSecrets(clientId: string, exceptId: string, deadline: Date): Promise<void> {
    await this.db.query(
      `UPDATE api_client_secret SET expires_at = LEAST(COALESCE(expires_at, $3), $3)
        WHERE client_id = $1 AND id <> $2 AND revoked_at IS NULL`,
      [clientId, exceptId, deadline],
    );
  }

  /** Revokes one secret now; false when the client has no such secret. */
  async revokeSecret(clientId: string, secretId: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE api_client_secret SET revoked_at = COALESCE(revoked_at, now()) WHERE client_id = $1 AND id = $2 RETURNING id`,
      [clientId, secretId],
    );
    return returned(rows).length > 0;
  }

  async revoke(clientId: string, by: string): Promise<void> {
    await this.db.query(
      `UPDATE api_client SET revoked_at = COALESCE(revoked_at, now()), revoked_by = COALESCE(revoked_by, $2) WHERE id = $1`,
      [clientId, by],
    );
    await this.db.query(`UPDATE api_client_secret SET revoked_at = COALESCE(revoked_at, now()) WHERE client_id = $1`, [
      clientId,
    ]);
  }

  /**
   * The client and secret behind a credential: by the secret's hash (token endpoint) or the secret's
   * id (a token presented to the API), with whether `address` may call.
   */
  async credential(
    clientId: string,
    secret: { hash: string } | { id: string },
    address: string | null,
  ): Promise<ClientCredentialRow | null> {
    const bySecret = 'hash' in secret ? `s.secret_hash = $2` : `s.id = $2::uuid`;
    const rows: ClientCredentialRow[] = await this.db.query(
      `SELECT ${CLIENT_COLS}, s.id AS "secretId", s.expires_at AS "secretExpiresAt", s.revoked_at AS "secretRevokedAt",
              COALESCE(cardinality(c.allowed_addresses) = 0 OR $3::inet <<= ANY(c.allowed_addresses), false) AS "addressAllowed",
              now() AS now
         FROM api_client c JOIN org_unit u ON u.id = c.owner_unit_id
         JOIN api_client_secret s ON s.client_id = c.id AND ${bySecret}
        WHERE c.id = $1`,
      [clientId, 'hash' in secret ? secret.hash : secret.id, address],
    );
    return rows[0] ?? null;
  }
}

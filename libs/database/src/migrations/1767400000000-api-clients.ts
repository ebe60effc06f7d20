import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The REST API for third-party platforms (issue 16, ADR 0017):
 * - `api_client`: a platform registered by a unit's system administrator; its scope is the owner
 *   unit's subtree; granted scopes, allowed source addresses (empty = any), expiry, revocation.
 * - `api_client_secret`: secrets stored as SHA-256 hashes (they are 256-bit random, so a slow hash
 *   adds nothing); a rotation gives the previous ones an `expires_at` (the overlap deadline).
 * - `rate_limit_counter`: fixed-window counters shared by every instance of a node; UNLOGGED (no WAL:
 *   a crash resets the windows, which only forgives a minute of traffic).
 * - `idempotency_key`: the first response to a creating POST, per caller and key, written in the
 *   transaction of the write itself.
 * - `audit_log.actor_client_id`: the client behind an audited call (people keep `actor_account_id`).
 */
export class ApiClients1767400000000 implements MigrationInterface {
  name = 'ApiClients1767400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_client (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        owner_unit_id uuid NOT NULL REFERENCES org_unit(id),
        scopes text[] NOT NULL,
        allowed_addresses inet[] NOT NULL DEFAULT '{}',
        expires_at timestamptz,
        rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid
      )`);
    await q.query(`CREATE INDEX api_client_owner_idx ON api_client (owner_unit_id)`);
    await q.query(`
      CREATE TABLE api_client_secret (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL REFERENCES api_client(id),
        secret_hash char(64) NOT NULL UNIQUE,
        hint varchar(16) NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_client_secret_client_idx ON api_client_secret (client_id, created_at)`);
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_counter (
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL,
        PRIMARY KEY (key, window_start)
      )`);
    await q.query(`
      CREATE TABLE idempotency_key (
        principal uuid NOT NULL,
        key varchar(255) NOT NULL,
        method varchar(8) NOT NULL,
        path text NOT NULL,
        request_hash char(64) NOT NULL,
        status smallint,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (principal, key)
      )`);
    await q.query(`CREATE INDEX idempotency_key_expires_idx ON idempotency_key (expires_at)`);
    await q.query(`ALTER TABLE audit_log ADD COLUMN actor_client_id uuid`);
    await q.query(
      `CREATE INDEX audit_log_client_idx ON audit_log (actor_client_id, id) WHERE actor_client_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_client_idx`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN actor_client_id`);
    await q.query(`DROP TABLE idempotency_key`);
    await q.query(`DROP TABLE rate_limit_counter`);
    await q.query(`DROP TABLE api_client_secret`);
    await q.query(`DROP TABLE api_client`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions hardening (issue 19):
 * - `auth_refresh_rotated`: the refresh tokens a session has rotated away from; presenting one again
 *   is reuse (a stolen token), and revokes the whole session (RFC 6819 §5.2.2.3, OAuth 2.0 BCP).
 * - `auth_unknown_login`: failed logins under user names that do not exist, counted and locked like an
 *   account's, so that the answers do not tell which names exist.
 */
export class SessionHardening1766200000000 implements MigrationInterface {
  name = 'SessionHardening1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth_refresh_rotated (
        refresh_hash varchar(64) PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES auth_session(id) ON DELETE CASCADE,
        rotated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX auth_refresh_rotated_session_idx ON auth_refresh_rotated (session_id)`);
    await q.query(`
      CREATE TABLE auth_unknown_login (
        username varchar(64) PRIMARY KEY,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_unknown_login`);
    await q.query(`DROP TABLE auth_refresh_rotated`);
  }
}

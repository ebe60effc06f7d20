import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A node caches who is behind a session for a few seconds (issue 21). Every change that can end or
 * narrow a session — a session revoked or deleted; an account disabled, moved, given another role or
 * made to change its password; a unit closed, merged or moved — sends `NOTIFY tmis_auth_changed`
 * when its transaction commits, whichever path or process made it (statement-level triggers, so a
 * set-based update notifies once), and the nodes drop their caches.
 */
export class AuthChangeNotify1767840000000 implements MigrationInterface {
  name = 'AuthChangeNotify1767840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tmis_notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('tmis_auth_changed', TG_TABLE_NAME);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER auth_session_changed AFTER UPDATE OF revoked_at, account_id OR DELETE OR TRUNCATE ON auth_session
        FOR EACH STATEMENT EXECUTE FUNCTION tmis_notify_auth_changed()`);
    await q.query(`
      CREATE TRIGGER account_auth_changed AFTER UPDATE OF status, role, unit_id, must_change_password OR DELETE OR TRUNCATE ON account
        FOR EACH STATEMENT EXECUTE FUNCTION tmis_notify_auth_changed()`);
    await q.query(`
      CREATE TRIGGER org_unit_auth_changed AFTER UPDATE OF status, path, level OR DELETE OR TRUNCATE ON org_unit
        FOR EACH STATEMENT EXECUTE FUNCTION tmis_notify_auth_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER org_unit_auth_changed ON org_unit`);
    await q.query(`DROP TRIGGER account_auth_changed ON account`);
    await q.query(`DROP TRIGGER auth_session_changed ON auth_session`);
    await q.query(`DROP FUNCTION tmis_notify_auth_changed()`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Org tree, accounts, sessions and the audit log (issue: foundation). */
export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE org_unit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL CHECK (kind IN ('ministry','province','city','county','school','department')),
        level smallint NOT NULL,
        code varchar(24) NOT NULL,
        name varchar(200) NOT NULL,
        parent_id uuid REFERENCES org_unit(id),
        path varchar(400) COLLATE "C" NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed','merged')),
        school_type varchar(4),
        urban_rural varchar(4),
        sponsor varchar(2),
        central boolean NOT NULL DEFAULT false,
        merged_into_id uuid REFERENCES org_unit(id),
        closed_on date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT org_unit_code_uq UNIQUE (code),
        CONSTRAINT org_unit_root CHECK (parent_id IS NOT NULL OR kind IN ('ministry','province')),
        CONSTRAINT org_unit_school_attrs CHECK (kind <> 'school' OR (school_type IS NOT NULL AND urban_rural IS NOT NULL AND sponsor IS NOT NULL))
      )`);
    // Paths are ASCII codes in the "C" collation, so one plain btree serves prefix LIKE and ORDER BY path.
    await q.query(`CREATE INDEX org_unit_path_idx ON org_unit (path)`);
    await q.query(`CREATE INDEX org_unit_parent_idx ON org_unit (parent_id, name)`);
    await q.query(`
      CREATE TABLE org_unit_event (
        id bigserial PRIMARY KEY,
        unit_id uuid NOT NULL REFERENCES org_unit(id),
        action varchar(16) NOT NULL,
        actor_account_id uuid,
        at timestamptz NOT NULL DEFAULT now(),
        before jsonb,
        after jsonb
      )`);
    await q.query(`CREATE INDEX org_unit_event_unit_idx ON org_unit_event (unit_id, id)`);
    await q.query(`
      CREATE TABLE account (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit(id),
        role varchar(16) NOT NULL CHECK (role IN ('sysadmin','info_admin','query','teacher')),
        username varchar(64) NOT NULL,
        real_name varchar(100) NOT NULL,
        id_type varchar(2) NOT NULL DEFAULT '1',
        id_number varchar(32) NOT NULL,
        password_hash varchar(200) NOT NULL,
        must_change_password boolean NOT NULL DEFAULT true,
        failed_attempts integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
        cert_fingerprint varchar(95),
        created_by uuid REFERENCES account(id),
        password_changed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT account_username_uq UNIQUE (username),
        CONSTRAINT account_username_lower CHECK (username = lower(username))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX account_one_sysadmin_per_unit ON account (unit_id) WHERE role = 'sysadmin' AND status = 'active'`,
    );
    await q.query(`CREATE INDEX account_unit_idx ON account (unit_id, role)`);
    await q.query(`
      CREATE TABLE auth_session (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES account(id),
        refresh_hash varchar(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        ip varchar(64),
        CONSTRAINT auth_session_refresh_uq UNIQUE (refresh_hash)
      )`);
    await q.query(`CREATE INDEX auth_session_account_idx ON auth_session (account_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_account_id uuid,
        actor_unit_id uuid,
        action varchar(64) NOT NULL,
        outcome varchar(16) NOT NULL DEFAULT 'ok',
        target_type varchar(32),
        target_id varchar(64),
        unit_path varchar(400) COLLATE "C",
        ip varchar(64),
        correlation_id varchar(64),
        details jsonb
      )`);
    await q.query(`CREATE INDEX audit_log_path_idx ON audit_log (unit_path, id)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_account_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE auth_session`);
    await q.query(`DROP TABLE account`);
    await q.query(`DROP TABLE org_unit_event`);
    await q.query(`DROP TABLE org_unit`);
  }
}

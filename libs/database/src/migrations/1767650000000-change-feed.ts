import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The teacher row as the change feed carries it (camelCase, the API's names). */
const teacherDoc = (r: string) => `jsonb_build_object(
  'id', ${r}.id, 'unitId', ${r}.unit_id, 'unitPath', ${r}.unit_path, 'idType', ${r}.id_type, 'idNumber', ${r}.id_number,
  'name', ${r}.name, 'sex', ${r}.sex, 'birthDate', ${r}.birth_date, 'personStatus', ${r}.person_status,
  'statusSince', ${r}.status_since, 'active', ${r}.active, 'schoolType', ${r}.school_type,
  'staffCategory', ${r}.staff_category, 'title', ${r}.title, 'subjects', to_jsonb(${r}.subjects), 'record', ${r}.record,
  'catalogueVersion', ${r}.catalogue_version, 'reviewState', ${r}.review_state, 'reportedVersion', ${r}.reported_version,
  'version', ${r}.version, 'updatedAt', ${r}.updated_at)`;

const unitDoc = (r: string) => `jsonb_build_object(
  'id', ${r}.id, 'kind', ${r}.kind, 'level', ${r}.level, 'code', ${r}.code, 'name', ${r}.name, 'parentId', ${r}.parent_id,
  'path', ${r}.path, 'status', ${r}.status, 'schoolType', ${r}.school_type, 'urbanRural', ${r}.urban_rural,
  'sponsor', ${r}.sponsor, 'central', ${r}.central, 'mergedIntoId', ${r}.merged_into_id, 'closedOn', ${r}.closed_on,
  'version', ${r}.version, 'updatedAt', ${r}.updated_at)`;

const COLS = `(type, entity_type, entity_id, unit_path, old_unit_path, data)`;

/**
 * The change feed (ADR 0020). Statement-level triggers on `teacher` and `org_unit` append every
 * change to `change_pending` in the writing transaction (so no write path, set-based ones included,
 * can forget it). A single sequencer (under the row lock of `change_feed_counter`) moves committed
 * pending rows into `change_log` with gap-free sequences 1, 2, 3, … in the order it sees them
 * committed; readers page `change_log` by `seq`. Another entity (training results) adds its own
 * trigger writing `change_pending` with its `entity_type`.
 */
export class ChangeFeed1767650000000 implements MigrationInterface {
  name = 'ChangeFeed1767650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_pending (
        id bigserial PRIMARY KEY,
        type varchar(40) NOT NULL,
        entity_type varchar(16) NOT NULL,
        entity_id uuid NOT NULL,
        unit_path varchar(400) COLLATE "C" NOT NULL,
        old_unit_path varchar(400) COLLATE "C",
        changed_at timestamptz NOT NULL DEFAULT now(),
        data jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE change_log (
        seq bigint PRIMARY KEY,
        type varchar(40) NOT NULL,
        entity_type varchar(16) NOT NULL,
        entity_id uuid NOT NULL,
        unit_path varchar(400) COLLATE "C" NOT NULL,
        old_unit_path varchar(400) COLLATE "C",
        changed_at timestamptz NOT NULL,
        committed_at timestamptz NOT NULL,
        data jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX change_log_committed_idx ON change_log (committed_at)`);
    // Appended fast and read by key range: keep its statistics fresh, or a stale estimate turns the ordered
    // primary-key scan of a page into a bitmap scan and sort of the whole window.
    await q.query(
      `ALTER TABLE change_log SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.05)`,
    );
    await q.query(`
      CREATE TABLE change_feed_counter (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        last bigint NOT NULL DEFAULT 0,
        pruned_through bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`INSERT INTO change_feed_counter DEFAULT VALUES`);

    await q.query(`
      CREATE FUNCTION tmis_change_teacher() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO change_pending ${COLS}
          SELECT 'teacher.created', 'teacher', n.id, n.unit_path, NULL, ${teacherDoc('n')} FROM new_rows n;
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO change_pending ${COLS}
          SELECT CASE WHEN n.unit_path <> o.unit_path THEN 'teacher.moved'
                      WHEN n.person_status <> o.person_status OR n.active <> o.active THEN 'teacher.status-changed'
                      ELSE 'teacher.updated' END,
                 'teacher', n.id, n.unit_path, CASE WHEN n.unit_path <> o.unit_path THEN o.unit_path END, ${teacherDoc('n')}
            FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE ROW(n.*) IS DISTINCT FROM ROW(o.*);
        ELSE
          INSERT INTO change_pending ${COLS}
          SELECT 'teacher.deleted', 'teacher', o.id, o.unit_path, NULL, jsonb_build_object('id', o.id, 'unitId', o.unit_id) FROM old_rows o;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION tmis_change_org_unit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO change_pending ${COLS}
          SELECT 'unit.created', 'unit', n.id, n.path, NULL, ${unitDoc('n')} FROM new_rows n;
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO change_pending ${COLS}
          SELECT CASE WHEN n.status <> o.status AND n.status = 'closed' THEN 'unit.closed'
                      WHEN n.status <> o.status AND n.status = 'merged' THEN 'unit.merged'
                      WHEN n.path <> o.path THEN 'unit.moved'
                      ELSE 'unit.updated' END,
                 'unit', n.id, n.path, CASE WHEN n.path <> o.path THEN o.path END, ${unitDoc('n')}
            FROM new_rows n JOIN old_rows o ON o.id = n.id
           WHERE ROW(n.*) IS DISTINCT FROM ROW(o.*);
        ELSE
          INSERT INTO change_pending ${COLS}
          SELECT 'unit.deleted', 'unit', o.id, o.path, NULL, jsonb_build_object('id', o.id, 'code', o.code) FROM old_rows o;
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['teacher', 'org_unit']) {
      await q.query(
        `CREATE TRIGGER ${table}_change_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_change_${table}()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_change_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_change_${table}()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_change_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_change_${table}()`,
      );
    }

    // Webhooks (ADR 0020): endpoints, one delivery per (endpoint, change), every attempt, and the fan-out cursor.
    await q.query(`
      CREATE TABLE webhook_endpoint (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_unit_id uuid NOT NULL REFERENCES org_unit(id),
        owner_unit_path varchar(400) COLLATE "C" NOT NULL,
        created_by uuid,
        client_id uuid,
        url varchar(2000) NOT NULL,
        description varchar(200),
        event_types text[] NOT NULL,
        view varchar(8) NOT NULL CHECK (view IN ('full', 'masked')),
        secret varchar(200) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        consecutive_failures integer NOT NULL DEFAULT 0,
        disabled_at timestamptz,
        from_seq bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoint_owner_idx ON webhook_endpoint (owner_unit_path)`);
    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoint(id) ON DELETE CASCADE,
        change_seq bigint NOT NULL,
        event_type varchar(40) NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        leased_until timestamptz,
        last_status integer,
        last_error varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT webhook_delivery_uq UNIQUE (endpoint_id, change_seq)
      )`);
    await q.query(
      `CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE state = 'pending'`,
    );
    await q.query(`
      CREATE TABLE webhook_attempt (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_delivery(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        error varchar(500),
        response_excerpt varchar(1000)
      )`);
    await q.query(`CREATE INDEX webhook_attempt_delivery_idx ON webhook_attempt (delivery_id, id)`);
    await q.query(`
      CREATE TABLE webhook_dispatch_cursor (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        last_seq bigint NOT NULL DEFAULT 0
      )`);
    await q.query(`INSERT INTO webhook_dispatch_cursor (last_seq) SELECT last FROM change_feed_counter`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_dispatch_cursor, webhook_attempt, webhook_delivery, webhook_endpoint`);
    for (const table of ['teacher', 'org_unit']) {
      for (const event of ['insert', 'update', 'delete'])
        await q.query(`DROP TRIGGER ${table}_change_${event} ON ${table}`);
      await q.query(`DROP FUNCTION tmis_change_${table}()`);
    }
    await q.query(`DROP TABLE change_feed_counter, change_log, change_pending`);
  }
}

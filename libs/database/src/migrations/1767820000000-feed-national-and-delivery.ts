import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A reported record as the national change feed carries it (camelCase, the national search's names). */
const reportedDoc = (r: string) => `jsonb_build_object(
  'id', ${r}.teacher_id, 'province', ${r}.province_code, 'unitCode', ${r}.unit_code, 'idType', ${r}.id_type,
  'idNumber', ${r}.id_number, 'name', ${r}.name, 'personStatus', ${r}.person_status, 'active', ${r}.active,
  'removed', ${r}.removed, 'record', ${r}.record, 'custom', ${r}.custom, 'catalogueVersion', ${r}.catalogue_version,
  'reportedVersion', ${r}.reported_version, 'updatedAt', ${r}.updated_at)`;

/** What makes a reported record different (not its sequence or time of receipt). */
const CONTENT = `unit_code, id_type, id_number, name, person_status, active, record, custom, catalogue_version, reported_version, removed`;
const content = (r: string) =>
  `ROW(${CONTENT.split(', ')
    .map((c) => `${r}.${c}`)
    .join(', ')})`;

/** The national tree's path for a reported record's school (the province, the ministry's root as fallbacks). */
const path = (r: string, code: string) => `COALESCE(
        (SELECT u.path FROM org_unit u WHERE u.code = ${r}.${code}),
        (SELECT p.path FROM org_unit p WHERE p.code = ${r}.province_code || '0000'),
        (SELECT m.path FROM org_unit m WHERE m.parent_id IS NULL AND m.kind = 'ministry' ORDER BY m.path LIMIT 1), '')`;

export const NATIONAL_CHANGE_COLS = `(type, entity_type, entity_id, unit_path, old_unit_path, data)`;

/**
 * The change-feed rows of a statement on `national_teacher`, per operation, from its transition tables
 * (`new_rows`, `old_rows`): what the trigger appends to `change_pending` (and, for a resync's staged
 * apply, to the numbering it does at commit: migration 1767970000000).
 */
export const NATIONAL_CHANGE_ROWS = {
  insert: `SELECT 'reported-teacher.' || CASE WHEN n.removed THEN 'removed' ELSE 'created' END, 'reported-teacher', n.teacher_id,
                 ${path('n', 'unit_code')}, NULL, ${reportedDoc('n')} FROM new_rows n`,
  update: `SELECT 'reported-teacher.' || CASE WHEN n.removed AND NOT o.removed THEN 'removed'
                                             WHEN o.removed AND NOT n.removed THEN 'created'
                                             WHEN n.unit_code <> o.unit_code THEN 'moved'
                                             WHEN n.person_status <> o.person_status OR n.active <> o.active THEN 'status-changed'
                                             ELSE 'updated' END,
                 'reported-teacher', n.teacher_id, ${path('n', 'unit_code')},
                 CASE WHEN n.unit_code <> o.unit_code THEN ${path('o', 'unit_code')} END, ${reportedDoc('n')}
            FROM new_rows n JOIN old_rows o ON o.teacher_id = n.teacher_id
           WHERE ${content('n')} IS DISTINCT FROM ${content('o')}`,
  delete: `SELECT 'reported-teacher.deleted', 'reported-teacher', o.teacher_id, ${path('o', 'unit_code')}, NULL,
                 jsonb_build_object('id', o.teacher_id, 'province', o.province_code, 'unitCode', o.unit_code) FROM old_rows o`,
};

/**
 * The trigger function of `national_teacher`'s change feed: every change appended to `change_pending`;
 * `before` (PL/pgSQL statements, with a declared `n integer`) runs first and may return early
 * (migration 1767970000000: a resync's staged statement).
 */
export const nationalChangeFunction = (before = '') => `
      CREATE OR REPLACE FUNCTION tmis_change_national_teacher() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        n integer;
      BEGIN
        ${before}
        IF TG_OP = 'INSERT' THEN
          INSERT INTO change_pending ${NATIONAL_CHANGE_COLS} ${NATIONAL_CHANGE_ROWS.insert};
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO change_pending ${NATIONAL_CHANGE_COLS} ${NATIONAL_CHANGE_ROWS.update};
        ELSE
          INSERT INTO change_pending ${NATIONAL_CHANGE_COLS} ${NATIONAL_CHANGE_ROWS.delete};
        END IF;
        RETURN NULL;
      END $$`;

/**
 * Issue 16, the change feed at the national node and webhook delivery at 200 changes/s (ADR 0020).
 * - `national_teacher` (the provinces' reported records) gets the change-feed triggers, as `teacher`
 *   and `org_unit` have: each change is a `reported-teacher.*` entry at the path of the record's
 *   school in the national tree (the province's replica; the province unit while the school is not
 *   known, the ministry's root as a last resort), so a province-level reader sees its province's and
 *   the ministry every province's. A record sent again unchanged (a newer sequence only) writes nothing.
 * - Each sending lane claims one endpoint's due deliveries: an index in that order.
 */
export class FeedNationalAndDelivery1767820000000 implements MigrationInterface {
  name = 'FeedNationalAndDelivery1767820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(nationalChangeFunction());
    await q.query(
      `CREATE TRIGGER national_teacher_change_insert AFTER INSERT ON national_teacher REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_change_national_teacher()`,
    );
    await q.query(
      `CREATE TRIGGER national_teacher_change_update AFTER UPDATE ON national_teacher REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_change_national_teacher()`,
    );
    await q.query(
      `CREATE TRIGGER national_teacher_change_delete AFTER DELETE ON national_teacher REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_change_national_teacher()`,
    );
    await q.query(
      `CREATE INDEX webhook_delivery_lane_idx ON webhook_delivery (endpoint_id, next_attempt_at, change_seq) WHERE state = 'pending'`,
    );
    await q.query(`DROP INDEX webhook_delivery_due_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX webhook_delivery_due_idx ON webhook_delivery (next_attempt_at) WHERE state = 'pending'`,
    );
    await q.query(`DROP INDEX webhook_delivery_lane_idx`);
    for (const event of ['insert', 'update', 'delete'])
      await q.query(`DROP TRIGGER national_teacher_change_${event} ON national_teacher`);
    await q.query(`DROP FUNCTION tmis_change_national_teacher()`);
  }
}

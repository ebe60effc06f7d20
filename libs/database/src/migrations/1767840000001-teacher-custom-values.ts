import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom indicator values as rows (issue 21): one row per record and custom field with a value,
 * indexed in list order — (field, value, unit path, name, record id) — so a list filtered by a custom
 * value reads its page from that index in order (a county's page: 51 index entries) instead of
 * walking the subtree's records and reading each one to test its `custom` document. Kept in step by
 * a trigger on every write path (API, bulk import, moves, merges); only records that have custom
 * values get rows, and only values up to 256 bytes (a longer one is looked up in the record's
 * `custom` document, as before). It replaces the GIN index on `teacher.custom`, which only that filter used and
 * which could not give the page order.
 */
export class TeacherCustomValues1767840000001 implements MigrationInterface {
  name = 'TeacherCustomValues1767840000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teacher_custom_value (
        teacher_id uuid NOT NULL REFERENCES teacher (id) ON DELETE CASCADE,
        key varchar(48) COLLATE "C" NOT NULL,
        value jsonb NOT NULL,
        unit_path varchar(400) COLLATE "C" NOT NULL,
        name varchar(100) NOT NULL,
        active boolean NOT NULL,
        PRIMARY KEY (teacher_id, key)
      )`);
    await q.query(
      `CREATE INDEX teacher_custom_value_list_idx ON teacher_custom_value (key, value, unit_path, name, teacher_id) INCLUDE (active)`,
    );
    await q.query(`
      CREATE FUNCTION tmis_teacher_custom_values() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM teacher_custom_value WHERE teacher_id = OLD.id;
        END IF;
        INSERT INTO teacher_custom_value (teacher_id, key, value, unit_path, name, active)
        SELECT NEW.id, e.key, e.value, NEW.unit_path, NEW.name, NEW.active
          FROM jsonb_each(CASE WHEN jsonb_typeof(NEW.custom) = 'object' THEN NEW.custom ELSE '{}' END) e
         WHERE e.value <> 'null'::jsonb AND octet_length(e.value::text) <= 256;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER teacher_custom_values_insert AFTER INSERT ON teacher
        FOR EACH ROW WHEN (NEW.custom <> '{}'::jsonb) EXECUTE FUNCTION tmis_teacher_custom_values()`);
    await q.query(`
      CREATE TRIGGER teacher_custom_values_update AFTER UPDATE OF custom, unit_path, name, active ON teacher
        FOR EACH ROW WHEN (OLD.custom IS DISTINCT FROM NEW.custom
          OR (NEW.custom <> '{}'::jsonb AND (OLD.unit_path, OLD.name, OLD.active) IS DISTINCT FROM (NEW.unit_path, NEW.name, NEW.active)))
        EXECUTE FUNCTION tmis_teacher_custom_values()`);
    await q.query(`
      INSERT INTO teacher_custom_value (teacher_id, key, value, unit_path, name, active)
      SELECT t.id, e.key, e.value, t.unit_path, t.name, t.active
        FROM teacher t, jsonb_each(t.custom) e
       WHERE t.custom <> '{}'::jsonb AND jsonb_typeof(t.custom) = 'object' AND e.value <> 'null'::jsonb
         AND octet_length(e.value::text) <= 256`);
    await q.query(`ANALYZE teacher_custom_value`);
    await q.query(`DROP INDEX teacher_custom_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX teacher_custom_idx ON teacher USING gin (custom jsonb_path_ops)`);
    await q.query(`DROP TRIGGER teacher_custom_values_update ON teacher`);
    await q.query(`DROP TRIGGER teacher_custom_values_insert ON teacher`);
    await q.query(`DROP FUNCTION tmis_teacher_custom_values()`);
    await q.query(`DROP TABLE teacher_custom_value`);
  }
}

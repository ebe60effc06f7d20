import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The filter columns a subject's row carries (the record's, kept in step by the triggers below). */
const CARRIED = 'unit_path, name, active, person_status, school_type, staff_category, title';

/**
 * The subjects a record teaches as rows (issue 21, third step): one row per record and subject, with
 * the record's list order and filter columns, indexed in list order — (subject, unit path, name, record
 * id) — and by name prefix — (subject, name). `teacher.subjects` is an array, so no index on `teacher`
 * can give a subject's records in page order: a county's English teachers (one record in 27) were
 * found by walking the county's records in order and testing each one's array (~1,400 index entries
 * and 6 ms a page at 1.5 M). From this table a page is its index's first entries in the subtree; a
 * name prefix over a province with a subject reads only that subject's records of that name.
 *
 * Kept exact on every write path (API, bulk import, moves, merges, SQL) in the writing transaction: a
 * statement trigger on insert (one set-based insert for a bulk import's records), row triggers on an
 * update that changes a carried column and on delete, which find a record's rows by its old values
 * through the list index. Two indexes and no primary key: each is written on every insert (a bulk
 * import's 100,000 records), and the list index, unique, already identifies a row. The backfill holds writes off (SHARE lock), so
 * no write falls between the copy and the triggers; VACUUM afterwards sets the visibility map that
 * index-only scans need.
 */
export class TeacherSubjects1767910000000 implements MigrationInterface {
  name = 'TeacherSubjects1767910000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.startTransaction();
    try {
      await q.query(`
        CREATE TABLE teacher_subject (
          teacher_id uuid NOT NULL,
          subject text COLLATE "C" NOT NULL,
          unit_path varchar(400) COLLATE "C" NOT NULL,
          name varchar(100) NOT NULL,
          active boolean NOT NULL,
          person_status varchar(4) NOT NULL,
          school_type varchar(4),
          staff_category varchar(4),
          title varchar(8)
        )`);
      // The rows of the records in `rows` (a transition table, or NEW).
      const rowsOf = (rows: string) => `
        SELECT DISTINCT r.id, s.subject, r.unit_path, r.name, r.active, r.person_status, r.school_type, r.staff_category, r.title
          FROM ${rows} r CROSS JOIN LATERAL unnest(r.subjects) s(subject) WHERE s.subject IS NOT NULL`;
      await q.query(`
        CREATE FUNCTION tmis_teacher_subjects_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO teacher_subject (teacher_id, subject, ${CARRIED}) ${rowsOf('new_rows')};
          RETURN NULL;
        END $$`);
      await q.query(`
        CREATE FUNCTION tmis_teacher_subjects_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- Found through the list index (no index on the record id alone: one index fewer to write).
          DELETE FROM teacher_subject
           WHERE subject = ANY (OLD.subjects) AND unit_path = OLD.unit_path AND name = OLD.name AND teacher_id = OLD.id;
          IF TG_OP = 'UPDATE' THEN
            INSERT INTO teacher_subject (teacher_id, subject, ${CARRIED})
            SELECT DISTINCT NEW.id, s.subject, NEW.unit_path, NEW.name, NEW.active, NEW.person_status, NEW.school_type, NEW.staff_category, NEW.title
              FROM unnest(NEW.subjects) s(subject) WHERE s.subject IS NOT NULL;
          END IF;
          RETURN NULL;
        END $$`);
      await q.query(`
        CREATE TRIGGER teacher_subjects_insert AFTER INSERT ON teacher
          REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_teacher_subjects_insert()`);
      await q.query(`
        CREATE TRIGGER teacher_subjects_update AFTER UPDATE OF subjects, ${CARRIED} ON teacher
          FOR EACH ROW WHEN ((OLD.subjects, OLD.unit_path, OLD.name, OLD.active, OLD.person_status, OLD.school_type, OLD.staff_category, OLD.title)
            IS DISTINCT FROM (NEW.subjects, NEW.unit_path, NEW.name, NEW.active, NEW.person_status, NEW.school_type, NEW.staff_category, NEW.title))
          EXECUTE FUNCTION tmis_teacher_subjects_change()`);
      await q.query(`
        CREATE TRIGGER teacher_subjects_delete AFTER DELETE ON teacher
          FOR EACH ROW WHEN (OLD.subjects <> '{}') EXECUTE FUNCTION tmis_teacher_subjects_change()`);
      await q.query(`LOCK TABLE teacher IN SHARE MODE`);
      await q.query(`INSERT INTO teacher_subject (teacher_id, subject, ${CARRIED}) ${rowsOf('teacher')}`);
      await q.query(
        `CREATE UNIQUE INDEX teacher_subject_list_idx ON teacher_subject (subject, unit_path, name, teacher_id) INCLUDE (active, person_status, school_type, staff_category, title)`,
      );
      await q.query(
        `CREATE INDEX teacher_subject_name_idx ON teacher_subject (subject, name varchar_pattern_ops) INCLUDE (unit_path, teacher_id, active, person_status, school_type, staff_category, title)`,
      );
      await q.commitTransaction();
    } catch (e) {
      await q.rollbackTransaction();
      throw e;
    }
    // Index-only scans read the heap for pages not marked all-visible: vacuum after 1 % new rows, not 20 %.
    await q.query(
      `ALTER TABLE teacher_subject SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01)`,
    );
    await q.query(`VACUUM ANALYZE teacher_subject`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['insert', 'update', 'delete'])
      await q.query(`DROP TRIGGER IF EXISTS teacher_subjects_${t} ON teacher`);
    await q.query(`DROP FUNCTION IF EXISTS tmis_teacher_subjects_insert()`);
    await q.query(`DROP FUNCTION IF EXISTS tmis_teacher_subjects_change()`);
    await q.query(`DROP TABLE IF EXISTS teacher_subject`);
  }
}

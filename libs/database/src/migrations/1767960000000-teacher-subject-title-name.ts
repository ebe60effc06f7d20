import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A subject's records by title and name prefix (issue 21): (subject, title, name). A list over a wide
 * subtree with a subject, a title and a name prefix — "the province's senior Maths teachers named 张…",
 * how a staffing officer looks for one person — read every (subject, name-prefix) entry of the
 * name index and tested the title on each (16,072 entries for Maths + 张 at 1.5 M, ~130 ms a request at
 * c=8, even when none matched); through this index it reads only the entries that match all three.
 * The other filter columns are carried, so the page's candidates are tested without a record read.
 * Built inside the migration's transaction (the table is locked against writes for the seconds it
 * takes: ~4 s for 1.1 M subject rows).
 */
export class TeacherSubjectTitleName1767960000000 implements MigrationInterface {
  name = 'TeacherSubjectTitleName1767960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX IF NOT EXISTS teacher_subject_title_name_idx ON teacher_subject (subject, title, name varchar_pattern_ops)
         INCLUDE (unit_path, teacher_id, active, person_status, school_type, staff_category)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS teacher_subject_title_name_idx`);
  }
}

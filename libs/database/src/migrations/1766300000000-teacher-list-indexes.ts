import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Covering indexes for the teacher list (issue 21). The list pages a unit subtree in (unit_path,
 * name, id) order, filters on a few promoted columns and shows a few more: with all of them in the
 * index, a page is one index-only scan, and no 2 kB record is read to be thrown away (a county
 * filtered by subject used to read and discard thousands of them per page).
 * - `teacher_list_idx` replaces `teacher_path_name_idx` (same key, so every subtree query keeps it);
 * - `teacher_name_list_idx` replaces `teacher_name_idx` (name prefix, same operator class).
 * Replacing rather than adding keeps the number of indexes a write maintains unchanged. `version` is in
 * them, so no record update is a HOT update any more; with 2 kB rows and a full fill factor, few were.
 * Built CONCURRENTLY (outside a transaction): a province's table stays writable while they build.
 */
export class TeacherListIndexes1766300000000 implements MigrationInterface {
  name = 'TeacherListIndexes1766300000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // The filters' columns, then the rest of what a list shows (`TeacherListRow`).
    const cols = `active, person_status, school_type, staff_category, title, subjects, qualification_types,
      unit_id, id_type, id_number, sex, birth_date, version`;
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS teacher_list_idx`);
    await q.query(`CREATE INDEX CONCURRENTLY teacher_list_idx ON teacher (unit_path, name, id) INCLUDE (${cols})`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS teacher_path_name_idx`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS teacher_name_list_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY teacher_name_list_idx ON teacher (name varchar_pattern_ops) INCLUDE (unit_path, id, ${cols})`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS teacher_name_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS teacher_path_name_idx ON teacher (unit_path, name, id)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS teacher_list_idx`);
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS teacher_name_idx ON teacher (name varchar_pattern_ops)`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS teacher_name_list_idx`);
  }
}

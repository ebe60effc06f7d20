import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * National search (issue 17): searches by region, school type, status and name inside a province read
 * their page's keys from one index in the keyset order instead of walking the whole keyset index.
 * - `national_teacher_scope_idx` (province, unit code, teacher id) INCLUDE (active, removed, status, name)
 *   replaces `national_teacher_unit_idx` (province, unit code), of which it is an extension (every query
 *   that used that one can use this one): a province's records are one range in keyset order, a school
 *   type inside a province a sub-range, and a region, a status or a name prefix is checked on the index
 *   entry (an index-only scan), so a page reads its 50 keys and the entries between them, never records.
 * - `national_teacher_status_idx`: the people whose status is not "in post" (01), by province and status
 *   in keyset order: a page of people who left (or any rarer status) is one range. Partial: about a tenth
 *   of the records, and an insert of a teacher in post does not touch it.
 * Built CONCURRENTLY (outside a transaction: the ingest keeps writing); no table is rewritten.
 */
export class NationalSearchScope1767930000000 implements MigrationInterface {
  name = 'NationalSearchScope1767930000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_scope_idx
         ON national_teacher (province_code, unit_code, teacher_id) INCLUDE (active, removed, person_status, name)`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS national_teacher_unit_idx`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_status_idx
         ON national_teacher (province_code, person_status, unit_code, teacher_id) INCLUDE (active)
         WHERE person_status <> '01' AND NOT removed`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_unit_idx ON national_teacher (province_code, unit_code)`,
    );
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS national_teacher_scope_idx`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS national_teacher_status_idx`);
  }
}

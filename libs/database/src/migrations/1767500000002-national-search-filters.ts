import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * National search (issue 17): the person filters ministry staff use most — staff category and current
 * title — within a province, in the search's keyset order, so a page of a rare value is one index range
 * instead of a walk through the province's records (bench/README.md: a staff category nobody in the
 * province has read all 220,000 of its records for an empty page). Built CONCURRENTLY.
 */
export class NationalSearchFilters1767500000002 implements MigrationInterface {
  name = 'NationalSearchFilters1767500000002';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_category_idx
         ON national_teacher (province_code, (record->'basic'->>'staffCategory'), unit_code, teacher_id)`,
    );
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_title_idx
         ON national_teacher (province_code, tmis_record_title(record), unit_code, teacher_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS national_teacher_category_idx`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS national_teacher_title_idx`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finer statistics for teachers' names (issue 17: national search at 15 M). With the default
 * statistics target (100 histogram buckets) the planner took a name prefix inside a province for 1/2,000
 * of the nation when it matched 1/135 (111,111 of 15 M), walked the name index over all of them and read
 * each record for its province: 134 ms. With 1,000 buckets the estimate is within 10 % and the page is
 * taken from the province's scope index, the names tested on its entries: 13 ms. The same for the
 * provincial node's `teacher.name`. The columns are analysed once here (a sample of 300,000 rows: ~20 s at
 * 15 M); autovacuum keeps them after.
 */
export class NameStatistics1767980000000 implements MigrationInterface {
  name = 'NameStatistics1767980000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['national_teacher', 'teacher']) {
      await q.query(`ALTER TABLE ${table} ALTER COLUMN name SET STATISTICS 1000`);
      await q.query(`ANALYZE ${table} (name)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['national_teacher', 'teacher'])
      await q.query(`ALTER TABLE ${table} ALTER COLUMN name SET STATISTICS -1`);
  }
}

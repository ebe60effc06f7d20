import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics (issue 17): the yearly report's new entrants and leavers need three more fact columns — the
 * staff source (教职工来源), the school entry month (进本校年月) and the status effective date
 * (人员状态生效日期). The fact table is emptied so that the next refresh rebuilds every row with them
 * (the node processes then load the new generation whole).
 */
export class StatsEntrantsLeavers1767850000001 implements MigrationInterface {
  name = 'StatsEntrantsLeavers1767850000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE stat_fact ADD COLUMN IF NOT EXISTS staff_source text, ADD COLUMN IF NOT EXISTS school_entry_month text, ADD COLUMN IF NOT EXISTS status_since text`,
    );
    await q.query(`TRUNCATE stat_fact`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE stat_fact DROP COLUMN IF EXISTS staff_source, DROP COLUMN IF EXISTS school_entry_month, DROP COLUMN IF EXISTS status_since`,
    );
  }
}

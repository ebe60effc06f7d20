import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every outbox row is updated twice (numbered, then marked published), each time out of the partial
 * indexes the relay reads; the dead versions stay there until VACUUM, and the default trigger (20 % of
 * the table dead) let a province that had resynced 100,000 records carry thousands of them through
 * every claim (issue 19: ~13,000, ~50 ms a query). Vacuum the outbox after a few thousand dead rows,
 * whatever its size, and without the cost delay (its live part is small; its published rows are
 * all-visible and skipped).
 */
export class OutboxVacuum1767905000001 implements MigrationInterface {
  name = 'OutboxVacuum1767905000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE sync_outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE sync_outbox RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay)`,
    );
  }
}

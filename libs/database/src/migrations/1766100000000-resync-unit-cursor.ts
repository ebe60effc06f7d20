import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A resync pages through the province's units by path (a keyset cursor, like the records by id),
 * not by OFFSET: units created meanwhile no longer shift the pages, and a restarted resync carries on
 * after the last unit it queued.
 */
export class ResyncUnitCursor1766100000000 implements MigrationInterface {
  name = 'ResyncUnitCursor1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_resync ADD COLUMN after_unit_path varchar(400)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_resync DROP COLUMN after_unit_path`);
  }
}

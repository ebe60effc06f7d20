import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The resync's `teacher.snapshot` rows (ADR 0022) hold a few hundred records each (~250 kB of JSON),
 * compressed when stored: with lz4 instead of the default pglz, the province's PostgreSQL spends about
 * half the CPU writing them (measured on 100 chunks: 1.2 s against 2.1 s). Only new values are
 * compressed so; a server built without lz4 (the embedded PostgreSQL binaries) keeps pglz.
 */
export class OutboxLz41767900000000 implements MigrationInterface {
  name = 'OutboxLz41767900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        ALTER TABLE sync_outbox ALTER COLUMN payload SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this server has no lz4: sync_outbox.payload stays pglz';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_outbox ALTER COLUMN payload SET COMPRESSION default`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Gap-free publish sequences (issue 20): `sync_outbox.sequence` is a bigserial, whose numbers are used
 * up by transactions that roll back (a crashed resync chunk, a refused write), so the national node
 * could not tell a skipped number from a lost message. The relay now hands out `publish_sequence`
 * (consecutive, per province) under the lock of `sync_publish_counter`, in a committed transaction
 * before it publishes: a row published twice keeps its number. Rows already published keep their old
 * sequence as their publish sequence (what national received); the counter continues after them.
 */
export class PublishSequence1766400000000 implements MigrationInterface {
  name = 'PublishSequence1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_outbox ADD COLUMN publish_sequence bigint`);
    await q.query(`UPDATE sync_outbox SET publish_sequence = sequence WHERE published_at IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX sync_outbox_publish_sequence_key ON sync_outbox (publish_sequence)`);
    await q.query(`CREATE INDEX sync_outbox_unassigned_idx ON sync_outbox (sequence) WHERE publish_sequence IS NULL`);
    await q.query(
      `CREATE INDEX sync_outbox_assigned_unpublished_idx ON sync_outbox (publish_sequence) WHERE published_at IS NULL AND publish_sequence IS NOT NULL`,
    );
    await q.query(
      `CREATE TABLE sync_publish_counter (id boolean PRIMARY KEY DEFAULT true CHECK (id), last bigint NOT NULL)`,
    );
    await q.query(
      `INSERT INTO sync_publish_counter (id, last) SELECT true, COALESCE(max(publish_sequence), 0) FROM sync_outbox`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sync_publish_counter`);
    await q.query(`DROP INDEX sync_outbox_assigned_unpublished_idx`);
    await q.query(`DROP INDEX sync_outbox_unassigned_idx`);
    await q.query(`DROP INDEX sync_outbox_publish_sequence_key`);
    await q.query(`ALTER TABLE sync_outbox DROP COLUMN publish_sequence`);
  }
}

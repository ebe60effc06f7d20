import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The province's relay is woken by its outbox rather than by a timer (issue 19, ADR 0025): every
 * statement that appends outbox rows sends `NOTIFY tmis_sync_outbox` (a statement-level trigger, so a
 * set-based resync chunk notifies once; PostgreSQL folds equal notifications of one transaction into
 * one), delivered when the appending transaction commits, whichever path or process wrote it.
 */
export class OutboxNotify1767950000000 implements MigrationInterface {
  name = 'OutboxNotify1767950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION tmis_notify_sync_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('tmis_sync_outbox', '');
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER sync_outbox_appended AFTER INSERT ON sync_outbox
        FOR EACH STATEMENT EXECUTE FUNCTION tmis_notify_sync_outbox()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER sync_outbox_appended ON sync_outbox`);
    await q.query(`DROP FUNCTION tmis_notify_sync_outbox()`);
  }
}

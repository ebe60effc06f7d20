import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A resync's credits phase (after the records): where it stands, so that an interrupted resync resumes
 * there, and how many teachers' credits it queued.
 */
export class ResyncCredits1767970000001 implements MigrationInterface {
  name = 'ResyncCredits1767970000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE sync_resync ADD COLUMN after_credit_teacher_id uuid, ADD COLUMN credits_queued integer NOT NULL DEFAULT 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sync_resync DROP COLUMN after_credit_teacher_id, DROP COLUMN credits_queued`);
  }
}

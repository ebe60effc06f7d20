import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Collection and review (Art. 17): a record's review state and the trail of every review step. */
export class Review1764500000000 implements MigrationInterface {
  name = 'Review1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE teacher ADD COLUMN review_state varchar(16) NOT NULL DEFAULT 'draft'
      CHECK (review_state IN ('draft','submitted','returned','school_approved','reported'))`);
    await q.query(`ALTER TABLE teacher ADD COLUMN reported_version integer`);
    await q.query(
      `CREATE INDEX teacher_review_idx ON teacher (review_state, unit_path) WHERE review_state IN ('submitted','school_approved')`,
    );
    await q.query(`
      CREATE TABLE review_event (
        id bigserial PRIMARY KEY,
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        at timestamptz NOT NULL DEFAULT now(),
        actor_account_id uuid NOT NULL,
        actor_role varchar(16) NOT NULL,
        action varchar(32) NOT NULL,
        from_state varchar(16) NOT NULL,
        to_state varchar(16) NOT NULL,
        record_version integer NOT NULL,
        reason text,
        field_reasons jsonb,
        participants jsonb,
        principal varchar(50)
      )`);
    await q.query(`CREATE INDEX review_event_teacher_idx ON review_event (teacher_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_event`);
    await q.query(`DROP INDEX teacher_review_idx`);
    await q.query(`ALTER TABLE teacher DROP COLUMN reported_version`);
    await q.query(`ALTER TABLE teacher DROP COLUMN review_state`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk import jobs (Art. 16): the job and its progress, the errors it found (sheet, row, column,
 * code, messages), and two job-owned staging tables (unlogged: they hold nothing a crash must keep)
 * that let a file be read once as a stream and then validated person by person.
 */
export class Bulk1765000000000 implements MigrationInterface {
  name = 'Bulk1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE bulk_job (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(16) NOT NULL DEFAULT 'import' CHECK (kind IN ('import')),
        state varchar(16) NOT NULL CHECK (state IN ('queued','validating','validated','committing','committed','failed','interrupted')),
        dry_run boolean NOT NULL,
        mode varchar(16) NOT NULL CHECK (mode IN ('all-or-nothing','valid-only')),
        format varchar(8) NOT NULL CHECK (format IN ('xlsx','csv')),
        file_name varchar(255) NOT NULL,
        file_size bigint NOT NULL,
        file_hash char(64) NOT NULL,
        file_path text,
        layout jsonb NOT NULL DEFAULT '{}'::jsonb,
        source_job_id uuid REFERENCES bulk_job(id),
        created_by uuid NOT NULL,
        actor jsonb NOT NULL,
        unit_path varchar(400) COLLATE "C" NOT NULL,
        counts jsonb NOT NULL DEFAULT '{}'::jsonb,
        progress jsonb NOT NULL DEFAULT '{}'::jsonb,
        errors_truncated boolean NOT NULL DEFAULT false,
        message text,
        message_zh text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX bulk_job_path_idx ON bulk_job (unit_path, created_at)`);
    await q.query(
      `CREATE INDEX bulk_job_running_idx ON bulk_job (state) WHERE state IN ('queued','validating','committing')`,
    );
    await q.query(`
      CREATE TABLE bulk_job_error (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES bulk_job(id) ON DELETE CASCADE,
        sheet varchar(64),
        row_no integer,
        col varchar(8),
        field varchar(100),
        value text,
        code varchar(40) NOT NULL,
        message_en text NOT NULL,
        message_zh text NOT NULL
      )`);
    await q.query(`CREATE INDEX bulk_job_error_job_idx ON bulk_job_error (job_id, id)`);
    await q.query(`
      CREATE UNLOGGED TABLE bulk_job_row (
        job_id uuid NOT NULL,
        seq integer NOT NULL,
        sheet varchar(64) NOT NULL,
        row_no integer NOT NULL,
        sub_set varchar(32) NOT NULL,
        id_type varchar(8) NOT NULL,
        id_number varchar(64) NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (job_id, seq)
      )`);
    await q.query(`CREATE INDEX bulk_job_row_person_idx ON bulk_job_row (job_id, id_type, id_number, seq)`);
    await q.query(`
      CREATE UNLOGGED TABLE bulk_job_person (
        job_id uuid NOT NULL,
        id_type varchar(8) NOT NULL,
        id_number varchar(64) NOT NULL,
        action varchar(8) NOT NULL CHECK (action IN ('create','update')),
        teacher_id uuid,
        base_version integer,
        from_state varchar(16) NOT NULL,
        columns jsonb NOT NULL,
        record jsonb NOT NULL,
        custom jsonb NOT NULL,
        catalogue_version varchar(16) NOT NULL,
        changes jsonb NOT NULL,
        PRIMARY KEY (job_id, id_type, id_number)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bulk_job_person`);
    await q.query(`DROP TABLE bulk_job_row`);
    await q.query(`DROP TABLE bulk_job_error`);
    await q.query(`DROP TABLE bulk_job`);
  }
}

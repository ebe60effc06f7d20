import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, the rest: a cross-province transfer waits for its effective date at the receiving province
 * with the record the sending province reported (`transfer.reported_record`); the national hub knows
 * a saga withdrawn by its applicant; the bulk importer stages a re-registration (a person who left and
 * comes back, on the same record) as its own action.
 */
export class TransfersEffectiveDate1767800000000 implements MigrationInterface {
  name = 'TransfersEffectiveDate1767800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer ADD COLUMN reported_record jsonb`);
    await q.query(`ALTER TABLE transfer_hub DROP CONSTRAINT transfer_hub_state_check`);
    await q.query(
      `ALTER TABLE transfer_hub ADD CONSTRAINT transfer_hub_state_check CHECK (state IN ('in_flight','completed','refused','expired','withdrawn'))`,
    );
    await q.query(`ALTER TABLE bulk_job_person DROP CONSTRAINT bulk_job_person_action_check`);
    await q.query(`ALTER TABLE bulk_job_person ALTER COLUMN action TYPE varchar(12)`);
    await q.query(
      `ALTER TABLE bulk_job_person ADD CONSTRAINT bulk_job_person_action_check CHECK (action IN ('create','update','re-register'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM bulk_job_person WHERE action = 're-register'`);
    await q.query(`ALTER TABLE bulk_job_person DROP CONSTRAINT bulk_job_person_action_check`);
    await q.query(`ALTER TABLE bulk_job_person ALTER COLUMN action TYPE varchar(8)`);
    await q.query(
      `ALTER TABLE bulk_job_person ADD CONSTRAINT bulk_job_person_action_check CHECK (action IN ('create','update'))`,
    );
    await q.query(`UPDATE transfer_hub SET state = 'refused' WHERE state = 'withdrawn'`);
    await q.query(`ALTER TABLE transfer_hub DROP CONSTRAINT transfer_hub_state_check`);
    await q.query(
      `ALTER TABLE transfer_hub ADD CONSTRAINT transfer_hub_state_check CHECK (state IN ('in_flight','completed','refused','expired'))`,
    );
    await q.query(`ALTER TABLE transfer DROP COLUMN reported_record`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The national node's copy of each teacher's confirmed training credits (sync schema v3, `teacher.credits`). */
export class NationalTrainingCredit1767200000001 implements MigrationInterface {
  name = 'NationalTrainingCredit1767200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE national_teacher_credit (
        teacher_id uuid PRIMARY KEY,
        province_code varchar(2) NOT NULL,
        unit_code varchar(24) NOT NULL,
        credits jsonb NOT NULL,
        total_credits numeric(10,2) NOT NULL,
        total_hours numeric(10,1) NOT NULL,
        registration_credits numeric(10,2) NOT NULL,
        last_sequence bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX national_teacher_credit_province_idx ON national_teacher_credit (province_code, unit_code)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE national_teacher_credit`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Periodic registration of teacher qualifications (issue 15, Art. 26): the province's rules as
 * versioned data, applications (the workflow case), each teacher's last decision, and serious ethics
 * violations reported by the school and confirmed by the supervising department (the one-vote veto).
 */
export class Registration1767300000000 implements MigrationInterface {
  name = 'Registration1767300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE registration_rules (
        version varchar(40) PRIMARY KEY,
        effective_from date NOT NULL,
        rules jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE registration_application (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        state varchar(20) NOT NULL,
        cycle_start date NOT NULL,
        cycle_end date NOT NULL,
        qualification_entry_id varchar(64),
        applied_by uuid NOT NULL,
        applied_as varchar(12) NOT NULL,
        batch_id uuid,
        eligibility jsonb,
        decision_reason text,
        decided_by uuid,
        decided_at timestamptz,
        trail jsonb NOT NULL DEFAULT '[]'::jsonb,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One open application per teacher.
    await q.query(
      `CREATE UNIQUE INDEX registration_application_open_uq ON registration_application (teacher_id) WHERE state IN ('applied', 'school_confirmed')`,
    );
    await q.query(`CREATE INDEX registration_application_path_idx ON registration_application (state, unit_path)`);
    await q.query(
      `CREATE INDEX registration_application_teacher_idx ON registration_application (teacher_id, created_at)`,
    );
    await q.query(`
      CREATE TABLE registration_status (
        teacher_id uuid PRIMARY KEY REFERENCES teacher(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        school_type varchar(4),
        result varchar(16) NOT NULL,
        cycle_start date NOT NULL,
        cycle_end date NOT NULL,
        reason text,
        decided_on date NOT NULL,
        application_id uuid NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX registration_status_path_idx ON registration_status (unit_path)`);
    await q.query(`
      CREATE TABLE ethics_violation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        state varchar(12) NOT NULL,
        violation_date date NOT NULL,
        description text NOT NULL,
        veto_until date,
        record_entry_id varchar(64),
        reported_by uuid NOT NULL,
        reported_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text
      )`);
    await q.query(
      `CREATE INDEX ethics_violation_teacher_idx ON ethics_violation (teacher_id) WHERE state = 'confirmed'`,
    );
    await q.query(`CREATE INDEX ethics_violation_path_idx ON ethics_violation (state, unit_path)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['ethics_violation', 'registration_status', 'registration_application', 'registration_rules'])
      await q.query(`DROP TABLE ${t}`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Training (Art. 25): training institutions as org units of their own kind (ADR 0015), projects per
 * level, enrolments with results, per-province credit rules (versioned, effective dates), the credit
 * bank and self-study claims.
 */
export class Training1767200000000 implements MigrationInterface {
  name = 'Training1767200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE org_unit DROP CONSTRAINT org_unit_kind_check`);
    await q.query(
      `ALTER TABLE org_unit ADD CONSTRAINT org_unit_kind_check
         CHECK (kind IN ('ministry','province','city','county','school','department','institution'))`,
    );
    await q.query(`
      CREATE TABLE training_project (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_unit_id uuid NOT NULL REFERENCES org_unit(id),
        owner_path varchar(400) COLLATE "C" NOT NULL,
        level varchar(16) NOT NULL CHECK (level IN ('national','province','city','county','school')),
        national_code varchar(40),
        name varchar(200) NOT NULL,
        category varchar(24) NOT NULL,
        credit_kind varchar(24) NOT NULL,
        organiser varchar(200) NOT NULL,
        hours numeric(7,1) NOT NULL CHECK (hours > 0),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        capacity integer NOT NULL CHECK (capacity > 0),
        target jsonb NOT NULL DEFAULT '{}'::jsonb,
        self_enrol boolean NOT NULL DEFAULT false,
        state varchar(16) NOT NULL CHECK (state IN ('pending','approved','refused')),
        refusal_reason varchar(1000),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        CONSTRAINT training_project_period CHECK (ends_on >= starts_on)
      )`);
    await q.query(`CREATE INDEX training_project_owner_idx ON training_project (owner_path)`);
    await q.query(`
      CREATE TABLE training_project_institution (
        project_id uuid NOT NULL REFERENCES training_project(id) ON DELETE CASCADE,
        institution_unit_id uuid NOT NULL REFERENCES org_unit(id),
        PRIMARY KEY (project_id, institution_unit_id)
      )`);
    await q.query(
      `CREATE INDEX training_project_institution_unit_idx ON training_project_institution (institution_unit_id)`,
    );
    await q.query(`
      CREATE TABLE training_enrolment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL REFERENCES training_project(id),
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        enrolled_by uuid,
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        completed_hours numeric(7,1),
        passed boolean,
        certificate_no varchar(64),
        result_by_unit_id uuid,
        result_at timestamptz,
        confirmed_at timestamptz,
        CONSTRAINT training_enrolment_uq UNIQUE (project_id, teacher_id)
      )`);
    await q.query(`CREATE INDEX training_enrolment_teacher_idx ON training_enrolment (teacher_id)`);
    await q.query(`
      CREATE TABLE credit_rule (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        province_code varchar(2) NOT NULL,
        version integer NOT NULL,
        effective_from date NOT NULL,
        rules jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credit_rule_version_uq UNIQUE (province_code, version)
      )`);
    await q.query(
      `CREATE INDEX credit_rule_lookup_idx ON credit_rule (province_code, effective_from DESC, version DESC)`,
    );
    await q.query(`
      CREATE TABLE credit_claim (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        kind varchar(24) NOT NULL,
        title varchar(200) NOT NULL,
        hours numeric(7,1) NOT NULL CHECK (hours > 0),
        occurred_on date NOT NULL,
        evidence jsonb NOT NULL,
        state varchar(24) NOT NULL CHECK (state IN ('submitted','school_approved','approved','refused')),
        reason varchar(1000),
        trail jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1
      )`);
    await q.query(`CREATE INDEX credit_claim_teacher_idx ON credit_claim (teacher_id)`);
    await q.query(`
      CREATE TABLE training_credit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        province_code varchar(2) NOT NULL,
        kind varchar(24) NOT NULL,
        hours numeric(7,1) NOT NULL,
        credits numeric(8,2) NOT NULL CHECK (credits >= 0),
        confirmed_on date NOT NULL,
        source varchar(16) NOT NULL CHECK (source IN ('project','self_study')),
        source_id uuid NOT NULL,
        source_name varchar(200) NOT NULL,
        rule_id uuid REFERENCES credit_rule(id),
        rule_version varchar(16),
        confirmed_by_unit_id uuid NOT NULL,
        counts_for_registration boolean NOT NULL,
        applied_purpose varchar(16) CHECK (applied_purpose IN ('registration','title')),
        applied_reference varchar(100),
        applied_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT training_credit_source_uq UNIQUE (source, source_id),
        CONSTRAINT training_credit_applied CHECK ((applied_purpose IS NULL) = (applied_reference IS NULL))
      )`);
    await q.query(`CREATE INDEX training_credit_teacher_idx ON training_credit (teacher_id, confirmed_on)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE training_credit`);
    await q.query(`DROP TABLE credit_claim`);
    await q.query(`DROP TABLE credit_rule`);
    await q.query(`DROP TABLE training_enrolment`);
    await q.query(`DROP TABLE training_project_institution`);
    await q.query(`DROP TABLE training_project`);
    await q.query(`DELETE FROM org_unit WHERE kind = 'institution'`);
    await q.query(`ALTER TABLE org_unit DROP CONSTRAINT org_unit_kind_check`);
    await q.query(
      `ALTER TABLE org_unit ADD CONSTRAINT org_unit_kind_check
         CHECK (kind IN ('ministry','province','city','county','school','department'))`,
    );
  }
}

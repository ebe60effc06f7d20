import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The teacher electronic record, its change history and provincial custom field definitions. */
export class TeacherRecord1764400000000 implements MigrationInterface {
  name = 'TeacherRecord1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE teacher (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        id_type varchar(2) NOT NULL,
        id_number varchar(32) NOT NULL,
        name varchar(100) NOT NULL,
        sex varchar(1),
        birth_date date,
        person_status varchar(4) NOT NULL,
        status_since date,
        active boolean NOT NULL DEFAULT true,
        school_type varchar(4),
        staff_category varchar(4),
        on_establishment boolean,
        highest_education varchar(4),
        title varchar(8),
        subjects text[] NOT NULL DEFAULT '{}',
        qualification_types text[] NOT NULL DEFAULT '{}',
        record jsonb NOT NULL,
        custom jsonb NOT NULL DEFAULT '{}'::jsonb,
        catalogue_version varchar(16) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT teacher_person_uq UNIQUE (id_type, id_number)
      )`);
    // unit_path is in the "C" collation: these btrees serve both the subtree prefix and the page order.
    await q.query(`CREATE INDEX teacher_path_name_idx ON teacher (unit_path, name, id)`);
    await q.query(`CREATE INDEX teacher_unit_idx ON teacher (unit_id)`);
    // The list endpoint filters a subtree by one of these and pages in (unit_path, name, id) order:
    // an equality column first keeps both the filter and the order inside one index range.
    for (const col of ['staff_category', 'school_type', 'title', 'person_status']) {
      await q.query(`CREATE INDEX teacher_${col}_path_idx ON teacher (${col}, unit_path, name, id)`);
    }
    await q.query(`CREATE INDEX teacher_name_idx ON teacher (name varchar_pattern_ops)`);
    await q.query(`CREATE INDEX teacher_id_number_idx ON teacher (id_number)`);
    await q.query(`CREATE INDEX teacher_subjects_idx ON teacher USING gin (subjects)`);
    await q.query(`CREATE INDEX teacher_custom_idx ON teacher USING gin (custom jsonb_path_ops)`);
    await q.query(`
      CREATE TABLE teacher_change (
        id bigserial PRIMARY KEY,
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        at timestamptz NOT NULL DEFAULT now(),
        actor_account_id uuid,
        actor_role varchar(16),
        action varchar(32) NOT NULL,
        changes jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX teacher_change_teacher_idx ON teacher_change (teacher_id, id)`);
    await q.query(`
      CREATE TABLE custom_field (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        province_code varchar(2) NOT NULL,
        key varchar(48) NOT NULL,
        version integer NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('active','retired')),
        definition jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT custom_field_version_uq UNIQUE (province_code, key, version)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE custom_field`);
    await q.query(`DROP TABLE teacher_change`);
    await q.query(`DROP TABLE teacher`);
  }
}

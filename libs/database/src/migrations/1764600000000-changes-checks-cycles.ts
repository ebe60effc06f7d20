import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Change requests (Art. 19), spot checks (Art. 17) and reporting cycles (Art. 18). */
export class ChangesChecksCycles1764600000000 implements MigrationInterface {
  name = 'ChangesChecksCycles1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE change_request (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        teacher_id uuid NOT NULL REFERENCES teacher(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        base_version integer NOT NULL,
        changes jsonb NOT NULL,
        reason text NOT NULL,
        state varchar(16) NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','approved','rejected','stale')),
        requested_by uuid NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid,
        decided_at timestamptz,
        decision_reason text
      )`);
    await q.query(
      `CREATE INDEX change_request_pending_idx ON change_request (unit_path, requested_at) WHERE state = 'pending'`,
    );
    await q.query(`CREATE INDEX change_request_teacher_idx ON change_request (teacher_id)`);
    await q.query(`
      CREATE TABLE spot_check (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        kind varchar(16) NOT NULL CHECK (kind IN ('schools','teachers')),
        sample_size integer NOT NULL,
        population integer NOT NULL,
        seed varchar(64) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open','published')),
        summary jsonb,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX spot_check_path_idx ON spot_check (unit_path)`);
    await q.query(`
      CREATE TABLE spot_check_item (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        spot_check_id uuid NOT NULL REFERENCES spot_check(id),
        ordinal integer NOT NULL,
        target_id uuid NOT NULL,
        target_path varchar(400) COLLATE "C" NOT NULL,
        result varchar(16) NOT NULL DEFAULT 'pending' CHECK (result IN ('pending','verified','discrepancy')),
        note text,
        verified_by uuid,
        verified_at timestamptz,
        CONSTRAINT spot_check_item_uq UNIQUE (spot_check_id, target_id)
      )`);
    await q.query(`
      CREATE TABLE reporting_cycle (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit(id),
        unit_path varchar(400) COLLATE "C" NOT NULL,
        name varchar(100) NOT NULL,
        period varchar(32) NOT NULL,
        deadline date NOT NULL,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reporting_cycle_period_uq UNIQUE (unit_id, period)
      )`);
    await q.query(`
      CREATE TABLE cycle_confirmation (
        cycle_id uuid NOT NULL REFERENCES reporting_cycle(id),
        school_id uuid NOT NULL REFERENCES org_unit(id),
        school_path varchar(400) COLLATE "C" NOT NULL,
        teachers integer NOT NULL,
        confirmed_by uuid NOT NULL,
        confirmed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cycle_id, school_id)
      )`);
    await q.query(`CREATE INDEX cycle_confirmation_path_idx ON cycle_confirmation (cycle_id, school_path)`);
    // GB 11643 check in SQL, for the "to verify" list over existing (e.g. legacy or imported) rows.
    await q.query(`
      CREATE FUNCTION tmis_gb11643_valid(v text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
        SELECT v ~ '^[0-9]{17}[0-9X]$' AND substr('10X98765432', 1 + (
          SELECT sum(substr(v, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) FROM generate_series(1, 17) i)::int % 11, 1) = substr(v, 18, 1)
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION tmis_gb11643_valid(text)`);
    for (const t of ['cycle_confirmation', 'reporting_cycle', 'spot_check_item', 'spot_check', 'change_request'])
      await q.query(`DROP TABLE ${t}`);
  }
}

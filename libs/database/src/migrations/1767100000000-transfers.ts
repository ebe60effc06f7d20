import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transfers (调动, Art. 23) and exchange rotations (交流轮岗, Art. 24): one row per case with its
 * workflow state, its trail of steps, and the province's setting for the to-do deadline.
 */
export class Transfers1767100000000 implements MigrationInterface {
  name = 'Transfers1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transfer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(20) NOT NULL CHECK (kind IN ('transfer','rotation','rotation-transfer')),
        teacher_id uuid REFERENCES teacher(id),
        teacher_name varchar(100) NOT NULL,
        from_unit_id uuid REFERENCES org_unit(id),
        from_unit_path varchar(400) COLLATE "C" NOT NULL,
        to_unit_id uuid REFERENCES org_unit(id),
        to_unit_path varchar(400) COLLATE "C" NOT NULL,
        new_post varchar(200),
        effective_date date NOT NULL,
        end_date date,
        rotation_kind varchar(2),
        reason text NOT NULL,
        state varchar(40) NOT NULL,
        state_since timestamptz NOT NULL DEFAULT now(),
        applied_by uuid NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        approved_by jsonb,
        entry_filled boolean NOT NULL DEFAULT false,
        moved_at timestamptz,
        closed_at timestamptz,
        from_school_type varchar(4),
        to_school_type varchar(4),
        from_urban_rural varchar(4),
        to_urban_rural varchar(4),
        title varchar(8),
        subjects text[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 1,
        CHECK (end_date IS NULL OR end_date >= effective_date)
      )`);
    await q.query(`CREATE INDEX transfer_from_idx ON transfer (from_unit_path)`);
    await q.query(`CREATE INDEX transfer_to_idx ON transfer (to_unit_path)`);
    await q.query(`CREATE INDEX transfer_due_idx ON transfer (effective_date) WHERE state IN ('approved','serving')`);
    // One open case per teacher: a second application waits until the first is settled.
    await q.query(
      `CREATE UNIQUE INDEX transfer_one_open_idx ON transfer (teacher_id)
        WHERE state NOT IN ('completed','refused','withdrawn','expired')`,
    );
    await q.query(`
      CREATE TABLE transfer_event (
        id bigserial PRIMARY KEY,
        transfer_id uuid NOT NULL REFERENCES transfer(id),
        action varchar(60) NOT NULL,
        from_state varchar(40),
        to_state varchar(40) NOT NULL,
        actor_account_id uuid,
        actor_unit_id uuid,
        reason text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX transfer_event_transfer_idx ON transfer_event (transfer_id, id)`);
    await q.query(`
      CREATE TABLE transfer_setting (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        deadline_days integer NOT NULL DEFAULT 15 CHECK (deadline_days BETWEEN 1 AND 365),
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO transfer_setting (id) VALUES (true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transfer_setting`);
    await q.query(`DROP TABLE transfer_event`);
    await q.query(`DROP TABLE transfer`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cross-province transfers (Art. 23): on each province the case (`transfer`, kinds `cross-in` at the
 * receiving province and `cross-out` at the sending one, under the saga's id), and on the national
 * node the saga's hub row (`transfer_hub`) with its step and deadline.
 */
export class CrossProvinceTransfers1767100000001 implements MigrationInterface {
  name = 'CrossProvinceTransfers1767100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE transfer DROP CONSTRAINT transfer_kind_check`);
    await q.query(
      `ALTER TABLE transfer ADD CONSTRAINT transfer_kind_check CHECK (kind IN ('transfer','rotation','rotation-transfer','cross-in','cross-out'))`,
    );
    await q.query(`
      ALTER TABLE transfer
        ADD COLUMN other_province varchar(2),
        ADD COLUMN person_id_type varchar(2),
        ADD COLUMN person_id_number varchar(40)`);
    await q.query(`
      CREATE TABLE transfer_hub (
        id uuid PRIMARY KEY,
        from_province varchar(2) NOT NULL,
        to_province varchar(2) NOT NULL,
        id_type varchar(2) NOT NULL,
        id_number varchar(40) NOT NULL,
        teacher_name varchar(100) NOT NULL,
        to_unit_code varchar(24) NOT NULL,
        to_unit_name varchar(200) NOT NULL,
        effective_date date NOT NULL,
        step varchar(40) NOT NULL,
        state varchar(16) NOT NULL CHECK (state IN ('in_flight','completed','refused','expired')),
        reason text,
        requested_at timestamptz NOT NULL DEFAULT now(),
        step_since timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        settled_at timestamptz,
        from_school_type varchar(4),
        to_school_type varchar(4),
        title varchar(8)
      )`);
    await q.query(`CREATE INDEX transfer_hub_flight_idx ON transfer_hub (expires_at) WHERE state = 'in_flight'`);
    // National refuses a second cross-province case for a person while one is in flight.
    await q.query(
      `CREATE UNIQUE INDEX transfer_hub_one_in_flight_idx ON transfer_hub (id_type, id_number) WHERE state = 'in_flight'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transfer_hub`);
    await q.query(`DELETE FROM transfer WHERE kind IN ('cross-in','cross-out')`);
    await q.query(
      `ALTER TABLE transfer DROP COLUMN other_province, DROP COLUMN person_id_type, DROP COLUMN person_id_number`,
    );
    await q.query(`ALTER TABLE transfer DROP CONSTRAINT transfer_kind_check`);
    await q.query(
      `ALTER TABLE transfer ADD CONSTRAINT transfer_kind_check CHECK (kind IN ('transfer','rotation','rotation-transfer'))`,
    );
  }
}

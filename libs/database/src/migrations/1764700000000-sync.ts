import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Federation: the provincial outbox and the national roll-up, progress and dead letters. */
export class Sync1764700000000 implements MigrationInterface {
  name = 'Sync1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sync_outbox (
        sequence bigserial PRIMARY KEY,
        event_id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        type varchar(32) NOT NULL,
        key varchar(64) NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX sync_outbox_unpublished_idx ON sync_outbox (sequence) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE sync_progress (
        province_code varchar(2) PRIMARY KEY,
        max_sequence bigint NOT NULL DEFAULT 0,
        applied integer NOT NULL DEFAULT 0,
        duplicates integer NOT NULL DEFAULT 0,
        last_event_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Every (province, sequence) received: duplicates are recognised and gaps counted exactly.
    await q.query(
      `CREATE TABLE sync_received (province_code varchar(2) NOT NULL, sequence bigint NOT NULL, received_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (province_code, sequence))`,
    );
    await q.query(`
      CREATE TABLE national_teacher (
        teacher_id uuid PRIMARY KEY,
        province_code varchar(2) NOT NULL,
        unit_code varchar(24) NOT NULL,
        id_type varchar(2) NOT NULL,
        id_number varchar(32) NOT NULL,
        name varchar(100) NOT NULL,
        person_status varchar(4) NOT NULL,
        active boolean NOT NULL,
        record jsonb NOT NULL,
        custom jsonb NOT NULL DEFAULT '{}'::jsonb,
        catalogue_version varchar(32) NOT NULL,
        reported_version integer NOT NULL,
        last_sequence bigint NOT NULL,
        removed boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX national_teacher_unit_idx ON national_teacher (province_code, unit_code)`);
    await q.query(
      `CREATE INDEX national_teacher_person_idx ON national_teacher (id_type, id_number) WHERE active AND NOT removed`,
    );
    await q.query(`
      CREATE TABLE national_custom_fields (
        province_code varchar(2) PRIMARY KEY,
        definitions jsonb NOT NULL,
        last_sequence bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE sync_dead_letter (
        id bigserial PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now(),
        province_code varchar(8),
        event_id varchar(64),
        reason text NOT NULL,
        raw text NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'sync_dead_letter',
      'national_custom_fields',
      'national_teacher',
      'sync_received',
      'sync_progress',
      'sync_outbox',
    ])
      await q.query(`DROP TABLE ${t}`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Cross-province duplicate notices (ADR 0013): the national node remembers which provinces it last
 * told about a person active in more than one province (`national_duplicate_notice`, so it tells
 * them again only when that set changes), and a province keeps what it was told
 * (`teacher_cross_province_duplicate`, one row per person: a redelivered or repeated notice
 * changes nothing), which its "to verify" list shows.
 */
export class DuplicateNotices1767000000001 implements MigrationInterface {
  name = 'DuplicateNotices1767000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE national_duplicate_notice (
        id_type varchar(8) NOT NULL,
        id_number varchar(64) NOT NULL,
        provinces text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id_type, id_number)
      )`);
    await q.query(`
      CREATE TABLE teacher_cross_province_duplicate (
        id_type varchar(8) NOT NULL,
        id_number varchar(64) NOT NULL,
        provinces text[] NOT NULL,
        notice_id uuid NOT NULL,
        noticed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id_type, id_number)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE teacher_cross_province_duplicate`);
    await q.query(`DROP TABLE national_duplicate_notice`);
  }
}

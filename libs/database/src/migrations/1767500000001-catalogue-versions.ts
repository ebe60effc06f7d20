import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Catalogue versions as data (issue 17, ADR 0018): `catalogue_version` holds, on the national node, the
 * versions it published and, on a provincial node, the versions it received and applied (each the
 * changes against the one before, in order); `province_catalogue` (national) the version each province
 * reports it runs.
 */
export class CatalogueVersions1767500000001 implements MigrationInterface {
  name = 'CatalogueVersions1767500000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalogue_version (
        seq bigserial UNIQUE,
        version varchar(32) PRIMARY KEY,
        base varchar(32) NOT NULL,
        changes jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        applied_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE province_catalogue (
        province_code varchar(2) PRIMARY KEY,
        version varchar(32) NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE province_catalogue`);
    await q.query(`DROP TABLE catalogue_version`);
  }
}

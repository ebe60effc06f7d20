import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a bulk dry run was validated against (catalogue version, custom field definitions): its commit
 * writes the persons the dry run staged, without reading and validating the file again, when these
 * still match and none of the staged records changed since (issue 21).
 */
export class BulkValidatedWith1766300000001 implements MigrationInterface {
  name = 'BulkValidatedWith1766300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bulk_job ADD COLUMN validated_with jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bulk_job DROP COLUMN validated_with`);
  }
}

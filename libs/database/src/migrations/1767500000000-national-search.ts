import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * National search over the provinces' reported records (issue 17, ADR 0018).
 * - `tmis_record_*`: a reported record's current title, latest school year's subjects, highest education
 *   and qualification types, as derive.ts and the national statistics compute them (IMMUTABLE: usable
 *   in filters and expression indexes).
 * - Indexes for the search's keyset order (unit code, teacher id) — also every region (a school list)
 *   and a school type (the first two digits of a school code) —, name prefix and ID number.
 * Built CONCURRENTLY (outside a transaction): the ingest keeps writing while they build.
 */
export class NationalSearch1767500000000 implements MigrationInterface {
  name = 'NationalSearch1767500000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    const arr = (e: string) => `CASE WHEN jsonb_typeof(${e}) = 'array' THEN ${e} END`;
    await q.query(`
      CREATE OR REPLACE FUNCTION tmis_record_title(r jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT e->>'title' FROM jsonb_array_elements(${arr(`r->'professionalTitle'`)}) e
         WHERE COALESCE(e->>'endMonth', '') = '' ORDER BY e->>'startMonth' COLLATE "C" DESC NULLS LAST LIMIT 1 $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION tmis_record_highest_education(r jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT e->>'educationLevel' FROM jsonb_array_elements(${arr(`r->'education'`)}) WITH ORDINALITY x(e, i)
         ORDER BY COALESCE(e->'isHighest' = 'true'::jsonb, false) DESC, CASE WHEN e->'isHighest' = 'true'::jsonb THEN i END,
                  e->>'educationLevel' COLLATE "C" NULLS LAST LIMIT 1 $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION tmis_record_subjects(r jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ARRAY(SELECT DISTINCT e->>'subject' FROM jsonb_array_elements(${arr(`r->'teaching'`)}) e
         WHERE e ? 'subject' AND e->>'schoolYear' = (SELECT max(e2->>'schoolYear' COLLATE "C") FROM jsonb_array_elements(${arr(`r->'teaching'`)}) e2)) $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION tmis_record_qualification_types(r jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ARRAY(SELECT DISTINCT e->>'qualificationType' FROM jsonb_array_elements(${arr(`r->'qualification'`)}) e WHERE e ? 'qualificationType') $$`);
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_page_idx ON national_teacher (unit_code, teacher_id)`,
    );
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_name_idx ON national_teacher (name varchar_pattern_ops)`,
    );
    await q.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS national_teacher_id_number_idx ON national_teacher (id_number)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of ['national_teacher_page_idx', 'national_teacher_name_idx', 'national_teacher_id_number_idx'])
      await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${i}`);
    for (const f of ['title', 'highest_education', 'subjects', 'qualification_types'])
      await q.query(`DROP FUNCTION IF EXISTS tmis_record_${f}(jsonb)`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * National search (issue 17, ADR 0018): the person filters computed from a reported record — staff
 * category, current title, highest education, subject, qualification type — as a narrow table beside
 * `national_teacher`, one row per (record, value) (`c11`, `t012`, `e41`, `s05`, `q3`), indexed in the
 * search's keyset order within a province. A page of a filter is then an index-only range (a region: the
 * range's entries of its schools) instead of a walk through a province's records computing each one's
 * values (0.2–2.2 s at 7 M, bench/README.md).
 *
 * Kept exact by statement triggers on `national_teacher` (any writer: the ingest, a transfer, a removal,
 * SQL) in the writing transaction. A row leaves by the values its record had (computed again from the old
 * record), so a migration that changes how a value is computed must rebuild this table.
 *
 * The backfill holds writes to `national_teacher` off (SHARE lock) so that no write falls between the
 * copy and the triggers; VACUUM afterwards sets the visibility map the index-only scans need.
 */
/**
 * The facet values of record `r` (a column reference) as rows of `facet`, written out inline — the same
 * expressions as `tmis_record_title`, `…_highest_education`, `…_subjects` and `…_qualification_types`
 * (migration 1767500000000): calling those functions per record took ~3× as long at scale.
 */
export function facetRows(r: string): string {
  const arr = (e: string) => `CASE WHEN jsonb_typeof(${e}) = 'array' THEN ${e} END`;
  return `(
    SELECT 'c' || (${r}->'basic'->>'staffCategory')
    UNION ALL
    SELECT 't' || (SELECT e->>'title' FROM jsonb_array_elements(${arr(`${r}->'professionalTitle'`)}) e
                    WHERE COALESCE(e->>'endMonth', '') = '' ORDER BY e->>'startMonth' COLLATE "C" DESC NULLS LAST LIMIT 1)
    UNION ALL
    SELECT 'e' || (SELECT e->>'educationLevel' FROM jsonb_array_elements(${arr(`${r}->'education'`)}) WITH ORDINALITY x(e, i)
                    ORDER BY COALESCE(e->'isHighest' = 'true'::jsonb, false) DESC, CASE WHEN e->'isHighest' = 'true'::jsonb THEN i END,
                             e->>'educationLevel' COLLATE "C" NULLS LAST LIMIT 1)
    UNION ALL
    (SELECT DISTINCT 's' || (e->>'subject') FROM jsonb_array_elements(${arr(`${r}->'teaching'`)}) e
      WHERE e ? 'subject' AND e->>'schoolYear' = (SELECT max(e2->>'schoolYear' COLLATE "C") FROM jsonb_array_elements(${arr(`${r}->'teaching'`)}) e2))
    UNION ALL
    (SELECT DISTINCT 'q' || (e->>'qualificationType') FROM jsonb_array_elements(${arr(`${r}->'qualification'`)}) e WHERE e ? 'qualificationType')
  )`;
}

export class NationalSearchFacets1767850000000 implements MigrationInterface {
  name = 'NationalSearchFacets1767850000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.startTransaction();
    try {
      // One record's values (checks and tools; the table and its triggers use the expressions inline).
      await q.query(`
        CREATE OR REPLACE FUNCTION tmis_record_facets(r jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT ARRAY(SELECT f FROM ${facetRows('r')} x(f) WHERE f IS NOT NULL ORDER BY 1) $$`);
      await q.query(`LOCK TABLE national_teacher IN SHARE MODE`);
      // CREATE TABLE AS may compute the values in parallel workers (an INSERT … SELECT may not); the many
      // rows it returns would otherwise price a parallel plan out.
      await q.query(`SET LOCAL parallel_tuple_cost = 0.001`);
      await q.query(`
        CREATE TABLE national_teacher_facet AS
        SELECT f.facet::text COLLATE "C" AS facet, nt.province_code, nt.unit_code, nt.teacher_id, nt.active, nt.person_status
          FROM national_teacher nt CROSS JOIN LATERAL ${facetRows('nt.record')} f(facet)
         WHERE NOT nt.removed AND f.facet IS NOT NULL`);
      for (const c of ['facet', 'province_code', 'unit_code', 'teacher_id', 'active', 'person_status'])
        await q.query(`ALTER TABLE national_teacher_facet ALTER COLUMN ${c} SET NOT NULL`);
      await q.query(
        `CREATE INDEX national_teacher_facet_idx ON national_teacher_facet (facet, province_code, unit_code, teacher_id) INCLUDE (active, person_status)`,
      );
      /** The facet rows of the (not removed) records in `rows` (a transition table, or a CTE of one). */
      const rowsOf = (rows: string) => `
        SELECT x.facet, r.province_code, r.unit_code, r.teacher_id, r.active, r.person_status
          FROM ${rows} r CROSS JOIN LATERAL ${facetRows('r.record')} x(facet)
         WHERE NOT r.removed AND x.facet IS NOT NULL`;
      const del = (rows: string) => `
        DELETE FROM national_teacher_facet f USING (${rows}) d
         WHERE f.facet = d.facet AND f.province_code = d.province_code AND f.unit_code = d.unit_code AND f.teacher_id = d.teacher_id`;
      const ins = (rows: string) => `
        INSERT INTO national_teacher_facet (facet, province_code, unit_code, teacher_id, active, person_status) ${rows}`;
      const same = (o: string, n: string) =>
        `${o}.teacher_id = ${n}.teacher_id AND (${o}.record, ${o}.unit_code, ${o}.province_code, ${o}.active, ${o}.person_status, ${o}.removed) IS NOT DISTINCT FROM (${n}.record, ${n}.unit_code, ${n}.province_code, ${n}.active, ${n}.person_status, ${n}.removed)`;
      const fn = (name: string, body: string) =>
        q.query(
          `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NULL; END $$`,
        );
      await fn('tmis_national_facet_insert', ins(rowsOf('new_rows')));
      await fn('tmis_national_facet_delete', del(rowsOf('old_rows')));
      // An update writes only the rows that differ: none when no value changed (a sequence number, a
      // timestamp, a phone number), one out and one in when a title changes.
      await fn(
        'tmis_national_facet_update',
        `WITH o AS (SELECT * FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE ${same('o', 'n')})),
              n AS (SELECT * FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE ${same('o', 'n')})),
              was AS (${rowsOf('o')}),
              now AS (${rowsOf('n')}),
              gone AS (${del('SELECT * FROM was EXCEPT ALL SELECT * FROM now')} RETURNING 1)
         ${ins('SELECT * FROM now EXCEPT ALL SELECT * FROM was')}`,
      );
      await q.query(
        `CREATE TRIGGER national_teacher_facet_insert AFTER INSERT ON national_teacher REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_national_facet_insert()`,
      );
      await q.query(
        `CREATE TRIGGER national_teacher_facet_update AFTER UPDATE ON national_teacher REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_national_facet_update()`,
      );
      await q.query(
        `CREATE TRIGGER national_teacher_facet_delete AFTER DELETE ON national_teacher REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tmis_national_facet_delete()`,
      );
      await q.commitTransaction();
    } catch (e) {
      await q.rollbackTransaction();
      throw e;
    }
    // Index-only scans read the heap for pages not marked all-visible: vacuum after 1 % new rows, not 20 %.
    await q.query(
      `ALTER TABLE national_teacher_facet SET (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.01)`,
    );
    await q.query(`VACUUM ANALYZE national_teacher_facet`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const e of ['insert', 'update', 'delete']) {
      await q.query(`DROP TRIGGER IF EXISTS national_teacher_facet_${e} ON national_teacher`);
      await q.query(`DROP FUNCTION IF EXISTS tmis_national_facet_${e}()`);
    }
    await q.query(`DROP TABLE IF EXISTS national_teacher_facet`);
    await q.query(`DROP FUNCTION IF EXISTS tmis_record_facets(jsonb)`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';
import { facetRows } from './1767850000000-national-search-facets.js';

/** The facet rows of the (not removed) inserted records, their values walked from each record (migration 1767850000000). */
const walked = (rows: string) => `
  INSERT INTO national_teacher_facet (facet, province_code, unit_code, teacher_id, active, person_status)
  SELECT x.facet, r.province_code, r.unit_code, r.teacher_id, r.active, r.person_status
    FROM ${rows} r CROSS JOIN LATERAL ${facetRows('r.record')} x(facet)
   WHERE NOT r.removed AND x.facet IS NOT NULL`;

/**
 * A resync's staged apply (ADR 0022) sends each record's facet values with its row, computed by the
 * national node (`recordFacets`, held to `tmis_record_facets` by a test) into the staging table's
 * `facets` column; on a resync of new records the walk of each record by the insert trigger cost about
 * as much PostgreSQL time as the insert with its indexes. The insert trigger takes a row's values from
 * the staging table when its statement says so (`tmis.facets_staged = 'on'`, set transaction-locally by
 * the staged upsert and switched off after it) and the staged row has them; it walks the record itself
 * for every other row and every other writer. The update and delete triggers are unchanged (an update
 * that changes no facet-relevant column writes no facet row).
 */
export class NationalFacetsStaged1767905000000 implements MigrationInterface {
  name = 'NationalFacetsStaged1767905000000';

  async up(q: QueryRunner): Promise<void> {
    // The staging table is the writing session's own (pg_temp), created by the node before it sets the flag;
    // EXECUTE: a session that never staged has no such table to plan against. Joined by teacher alone: the
    // flag is on for the one statement that inserts the staging table's rows (one per teacher); comparing
    // the records as well cost 1.9 s per 10,000 rows (the stored record is compressed).
    await q.query(`
      CREATE OR REPLACE FUNCTION tmis_national_facet_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('tmis.facets_staged', true) = 'on' THEN
          EXECUTE $q$
            INSERT INTO national_teacher_facet (facet, province_code, unit_code, teacher_id, active, person_status)
            SELECT x.facet, r.province_code, r.unit_code, r.teacher_id, r.active, r.person_status
              FROM new_rows r JOIN pg_temp.national_teacher_stage s ON s.teacher_id = r.teacher_id
                   CROSS JOIN LATERAL unnest(s.facets) x(facet)
             WHERE NOT r.removed AND s.facets IS NOT NULL$q$;
          EXECUTE $q$ ${walked(`(SELECT * FROM new_rows n WHERE NOT EXISTS (
                     SELECT 1 FROM pg_temp.national_teacher_stage s WHERE s.teacher_id = n.teacher_id AND s.facets IS NOT NULL))`)}$q$;
        ELSE
          ${walked('new_rows')};
        END IF;
        RETURN NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION tmis_national_facet_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${walked('new_rows')}; RETURN NULL; END $$`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics: the narrow fact table (one row per teacher), the precomputed cells (counts per county
 * for every dimension and pair of dimensions), the refresh log and the statutory retirement date.
 * `stat_fact` and `stat_cell` are derived data, rebuilt into `*_next` and swapped in by the stats
 * refresh (libs/stats); they are UNLOGGED (no WAL: a crash empties them and the node rebuilds them at boot).
 */
export class Stats1764900000000 implements MigrationInterface {
  name = 'Stats1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // The statutory retirement date (docs/statistics.md): men 60, women 55 (teachers: female professional
    // staff), raised from 2025 by the NPC Standing Committee decision of 13 September 2024 — one month per
    // four months of birth, men born from January 1965 (up to 63), women from January 1970 (up to 58).
    await q.query(`
      CREATE FUNCTION tmis_retirement_date(sex text, birth date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN birth IS NULL OR sex IS NULL OR sex NOT IN ('1', '2') THEN NULL
          ELSE (birth + make_interval(
            years => CASE sex WHEN '1' THEN 60 ELSE 55 END,
            months => CASE WHEN birth < make_date(CASE sex WHEN '1' THEN 1965 ELSE 1970 END, 1, 1) THEN 0
                           ELSE LEAST(36, ((date_part('year', birth)::int - CASE sex WHEN '1' THEN 1965 ELSE 1970 END) * 12 + date_part('month', birth)::int - 1) / 4 + 1) END))::date
        END
      $$`);
    await q.query(`
      CREATE UNLOGGED TABLE stat_fact (
        teacher_id uuid NOT NULL,
        unit_path text COLLATE "C",
        unit_code text,
        province_code text,
        city_code text,
        county_code text,
        school_code text,
        school_type text,
        indicator_set text,
        urban_rural text,
        sponsor text,
        sex text,
        birth_date date,
        age_band text,
        retire_date date,
        retire_band text,
        ethnicity text,
        political_status text,
        highest_education text,
        title text,
        title_level text,
        staff_category text,
        on_establishment text,
        person_status text,
        active boolean NOT NULL,
        pay_band text,
        subjects text[] NOT NULL,
        qualification_types text[] NOT NULL,
        custom jsonb NOT NULL
      )`);
    for (const c of ['province_code', 'city_code', 'county_code', 'unit_path'])
      await q.query(`CREATE INDEX stat_fact_${c}_idx ON stat_fact (${c})`);
    await q.query(`
      CREATE UNLOGGED TABLE stat_cell (
        dim1 text NOT NULL,
        dim2 text NOT NULL,
        province_code text,
        city_code text,
        county_code text,
        v1 text,
        v2 text,
        n integer NOT NULL
      )`);
    await q.query(
      `CREATE INDEX stat_cell_key_idx ON stat_cell (dim1, dim2, province_code, city_code, county_code) INCLUDE (v1, v2, n)`,
    );
    await q.query(`
      CREATE TABLE stat_refresh (
        id bigserial PRIMARY KEY,
        trigger varchar(16) NOT NULL CHECK (trigger IN ('boot', 'interval', 'manual')),
        requested_by uuid,
        status varchar(16) NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
        started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        as_of timestamptz,
        finished_at timestamptz,
        duration_ms integer,
        fact_ms integer,
        cell_ms integer,
        source varchar(32) NOT NULL,
        source_rows bigint,
        source_high_water timestamptz,
        fact_rows bigint,
        cell_rows bigint,
        error text
      )`);
    await q.query(`CREATE INDEX stat_refresh_ok_idx ON stat_refresh (finished_at DESC) WHERE status = 'ok'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['stat_refresh', 'stat_cell', 'stat_fact', 'stat_cell_next', 'stat_fact_next'])
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`DROP FUNCTION tmis_retirement_date(text, date)`);
  }
}

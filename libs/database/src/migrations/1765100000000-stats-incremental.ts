import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics, incrementally maintained (ADR 0008). The precomputed cells go; the fact table becomes a
 * log-structured table that a refresh changes only for the teachers written since the last one:
 * - `stat_dirty`: the teachers written since the last refresh, appended by statement-level triggers on
 *   `teacher` (provincial node) and `national_teacher` (national node) in the writing transaction;
 * - `stat_fact`: one live row per teacher (`died IS NULL`). A refresh marks the changed teachers' rows
 *   `died = <refresh id>` and appends their new rows with `born = <refresh id>` at new positions (`pos`),
 *   so a node process holding the facts in memory catches up by reading only what was born or died
 *   since the refresh it loaded. A compaction (or a full rebuild) rewrites the live rows at positions
 *   0…n-1 as a new generation.
 * The facts are UNLOGGED (a crash empties them; the next boot rebuilds); the dirty log is logged.
 */
export class StatsIncremental1765100000000 implements MigrationInterface {
  name = 'StatsIncremental1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS stat_cell, stat_cell_next, stat_fact, stat_fact_next`);
    await q.query(`
      CREATE UNLOGGED TABLE stat_fact (
        pos bigint NOT NULL,
        teacher_id uuid NOT NULL,
        born bigint NOT NULL,
        died bigint,
        unit_code text,
        province_code text,
        school_type text,
        sex text,
        birth_date date,
        retire_date date,
        ethnicity text,
        political_status text,
        highest_education text,
        title text,
        staff_category text,
        on_establishment text,
        person_status text,
        active boolean NOT NULL,
        pay_band text,
        subjects text[] NOT NULL,
        qualification_types text[] NOT NULL,
        custom jsonb NOT NULL,
        updated_at timestamptz
      )`);
    await q.query(`CREATE INDEX stat_fact_live_idx ON stat_fact (teacher_id) WHERE died IS NULL`);
    await q.query(`CREATE INDEX stat_fact_born_idx ON stat_fact (born)`);
    await q.query(`CREATE INDEX stat_fact_died_idx ON stat_fact (died) WHERE died IS NOT NULL`);
    await q.query(`CREATE SEQUENCE stat_fact_pos MINVALUE 0 START 0`);
    await q.query(`CREATE TABLE stat_dirty (id bigserial PRIMARY KEY, teacher_id uuid NOT NULL)`);
    // Statement-level with transition tables: one INSERT … SELECT per writing statement, however many rows it wrote.
    for (const [table, id] of [
      ['teacher', 'id'],
      ['national_teacher', 'teacher_id'],
    ]) {
      await q.query(`
        CREATE FUNCTION tmis_stat_dirty_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO stat_dirty (teacher_id) SELECT ${id} FROM changed;
          RETURN NULL;
        END $$`);
      for (const [event, ref] of [
        ['INSERT', 'NEW'],
        ['UPDATE', 'NEW'],
        ['DELETE', 'OLD'],
      ]) {
        await q.query(
          `CREATE TRIGGER ${table}_stat_dirty_${event.toLowerCase()} AFTER ${event} ON ${table} REFERENCING ${ref} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tmis_stat_dirty_${table}()`,
        );
      }
    }
    await q.query(`ALTER TABLE stat_refresh DROP COLUMN cell_ms, DROP COLUMN cell_rows`);
    await q.query(
      `ALTER TABLE stat_refresh ADD COLUMN mode varchar(16) CHECK (mode IN ('full', 'incremental', 'compact')), ADD COLUMN generation bigint, ADD COLUMN changed_rows bigint, ADD COLUMN dead_rows bigint`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['teacher', 'national_teacher']) {
      for (const event of ['insert', 'update', 'delete'])
        await q.query(`DROP TRIGGER ${table}_stat_dirty_${event} ON ${table}`);
      await q.query(`DROP FUNCTION tmis_stat_dirty_${table}()`);
    }
    await q.query(`DROP TABLE stat_dirty`);
    await q.query(`DROP SEQUENCE stat_fact_pos`);
    await q.query(`DROP TABLE stat_fact`);
    await q.query(
      `ALTER TABLE stat_refresh DROP COLUMN mode, DROP COLUMN generation, DROP COLUMN changed_rows, DROP COLUMN dead_rows, ADD COLUMN cell_ms integer, ADD COLUMN cell_rows bigint`,
    );
    // The earlier migration's tables, empty: the next refresh of that version rebuilds them.
    await q.query(`CREATE UNLOGGED TABLE stat_fact (teacher_id uuid NOT NULL, unit_path text COLLATE "C", unit_code text, province_code text, city_code text, county_code text, school_code text,
      school_type text, indicator_set text, urban_rural text, sponsor text, sex text, birth_date date, age_band text, retire_date date, retire_band text, ethnicity text, political_status text,
      highest_education text, title text, title_level text, staff_category text, on_establishment text, person_status text, active boolean NOT NULL, pay_band text, subjects text[] NOT NULL,
      qualification_types text[] NOT NULL, custom jsonb NOT NULL)`);
    await q.query(
      `CREATE UNLOGGED TABLE stat_cell (dim1 text NOT NULL, dim2 text NOT NULL, province_code text, city_code text, county_code text, v1 text, v2 text, n integer NOT NULL)`,
    );
  }
}

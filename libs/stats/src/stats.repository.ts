import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DIMENSION_BY_KEY, dimensionIndex } from './dimensions.js';
import { cellFamilies, cellInsertSql, FACT_INDEX_COLUMNS, NATIONAL_FACT_SQL, PROVINCIAL_FACT_SQL, UNIT_MAP_SQL, unnestSql } from './stats.sql.js';

/** Serialises refreshes across every node process on the database. */
const REFRESH_LOCK = 7246_0001;

export type RefreshTrigger = 'boot' | 'interval' | 'manual';
export type Level = 'province' | 'city' | 'county' | 'school';
export const LEVEL_COLUMN: Record<Level, string> = { province: 'province_code', city: 'city_code', county: 'county_code', school: 'school_code' };

export interface RefreshRow {
  id: string;
  trigger: RefreshTrigger;
  status: 'running' | 'ok' | 'failed';
  startedAt: Date;
  asOf: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  factMs: number | null;
  cellMs: number | null;
  source: string;
  sourceHighWater: Date | null;
  factRows: number | null;
  cellRows: number | null;
  error: string | null;
}

/** Where a query reads: the whole node, a province/city/county by code, or a school subtree by path. */
export type StatScope = { kind: 'all' } | { kind: 'code'; column: 'province_code' | 'city_code' | 'county_code'; code: string } | { kind: 'path'; path: string };

export interface StatFilter {
  dim: string;
  values: string[];
}

export interface StatQuery {
  /** Dimensions grouped by (core keys or `x_` custom keys). */
  by: string[];
  level: Level | null;
  scope: StatScope;
  filters: StatFilter[];
  includeInactive: boolean;
}

export interface StatRow {
  unit: string | null;
  values: (string | null)[];
  n: number;
}

const REFRESH_COLS = `id::text, trigger, status, started_at AS "startedAt", as_of AS "asOf", finished_at AS "finishedAt", duration_ms AS "durationMs", fact_ms AS "factMs",
  cell_ms AS "cellMs", source, source_high_water AS "sourceHighWater", fact_rows::int AS "factRows", cell_rows::int AS "cellRows", error`;

/** Every query of the statistics: the refresh (build and swap) and the reads of cells and facts. */
@Injectable()
export class StatsRepository {
  private readonly log = new Logger('StatsRefresh');

  constructor(private readonly db: DataSource) {}

  async lastRefresh(status?: 'ok'): Promise<RefreshRow | null> {
    const rows = await this.db.query(`SELECT ${REFRESH_COLS} FROM stat_refresh ${status ? `WHERE status = 'ok'` : ''} ORDER BY id DESC LIMIT 1`);
    return rows[0] ?? null;
  }

  /**
   * Rebuilds the fact table and the cells into `*_next` tables and swaps them in, in one transaction.
   * Concurrent refreshes (any process on the database) wait for each other on an advisory lock.
   */
  async refresh(kind: 'national' | 'provincial', trigger: RefreshTrigger, requestedBy: string | null): Promise<RefreshRow> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    let id: string | null = null;
    try {
      await qr.query(`SELECT pg_advisory_lock($1)`, [REFRESH_LOCK]);
      [{ id }] = await qr.query(`INSERT INTO stat_refresh (trigger, requested_by, status, source) VALUES ($1, $2, 'running', $3) RETURNING id::text`, [trigger, requestedBy, kind === 'national' ? 'national_teacher' : 'teacher']);
      const t0 = performance.now();
      // Large generated statements: JIT compilation would cost more than it saves (seconds per statement).
      await qr.query(`SET work_mem = '256MB'`);
      await qr.query(`SET jit = off`);
      await qr.query(`DROP TABLE IF EXISTS stat_fact_next, stat_cell_next`);
      // The fact table from one consistent snapshot; asOf is when that snapshot was taken.
      await qr.startTransaction('REPEATABLE READ');
      const [{ asOf }] = await qr.query(`SELECT clock_timestamp() AS "asOf"`);
      await qr.query(UNIT_MAP_SQL);
      await qr.query(`CREATE INDEX ON stat_unit_map (unit_id)`);
      await qr.query(`CREATE INDEX ON stat_unit_map (unit_code)`);
      await qr.query(`ANALYZE stat_unit_map`);
      await qr.query(kind === 'national' ? NATIONAL_FACT_SQL : PROVINCIAL_FACT_SQL);
      await qr.commitTransaction();
      for (const c of FACT_INDEX_COLUMNS) await qr.query(`CREATE INDEX stat_fact_next_${c}_idx ON stat_fact_next (${c})`);
      await qr.query(`ANALYZE stat_fact_next`);
      const factMs = Math.round(performance.now() - t0);
      const t1 = performance.now();
      await qr.query(`CREATE UNLOGGED TABLE stat_cell_next (LIKE stat_cell)`);
      const provinces: { p: string | null }[] = await qr.query(`SELECT DISTINCT province_code AS p FROM stat_fact_next WHERE active`);
      // One province at a time keeps every family's hash tables in memory (a single pass per family).
      for (const { p } of provinces) for (const family of cellFamilies()) await qr.query(cellInsertSql(family, p !== null), p !== null ? [p] : []);
      await qr.query(`CREATE INDEX stat_cell_next_key_idx ON stat_cell_next (dim1, dim2, province_code, city_code, county_code) INCLUDE (v1, v2, n)`);
      await qr.query(`VACUUM ANALYZE stat_cell_next`);
      const cellMs = Math.round(performance.now() - t1);
      const [{ factRows, highWater }] = await qr.query(`SELECT count(*)::int AS "factRows", max(updated_at) AS "highWater" FROM stat_fact_next`);
      const [{ cellRows }] = await qr.query(`SELECT count(*)::int AS "cellRows" FROM stat_cell_next`);
      // The swap: readers see either the old tables or the new ones.
      await qr.startTransaction();
      await qr.query(`SET LOCAL lock_timeout = '30s'`);
      await qr.query(`DROP TABLE stat_fact, stat_cell`);
      await qr.query(`ALTER TABLE stat_fact_next RENAME TO stat_fact`);
      await qr.query(`ALTER TABLE stat_cell_next RENAME TO stat_cell`);
      for (const c of FACT_INDEX_COLUMNS) await qr.query(`ALTER INDEX stat_fact_next_${c}_idx RENAME TO stat_fact_${c}_idx`);
      await qr.query(`ALTER INDEX stat_cell_next_key_idx RENAME TO stat_cell_key_idx`);
      await qr.query(
        `UPDATE stat_refresh SET status = 'ok', as_of = $2, finished_at = clock_timestamp(), duration_ms = $3, fact_ms = $4, cell_ms = $5, fact_rows = $6, cell_rows = $7, source_rows = $6, source_high_water = $8 WHERE id = $1`,
        [id, asOf, Math.round(performance.now() - t0), factMs, cellMs, factRows, cellRows, highWater],
      );
      await qr.commitTransaction();
      this.log.log({ msg: 'statistics refreshed', trigger, factRows, cellRows, factMs, cellMs });
      return (await qr.query(`SELECT ${REFRESH_COLS} FROM stat_refresh WHERE id = $1`, [id]))[0];
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      const message = e instanceof Error ? e.message : String(e);
      await qr.query(`DROP TABLE IF EXISTS stat_fact_next, stat_cell_next`).catch(() => undefined);
      if (id) await qr.query(`UPDATE stat_refresh SET status = 'failed', finished_at = clock_timestamp(), error = $2 WHERE id = $1`, [id, message.slice(0, 2000)]).catch(() => undefined);
      throw e;
    } finally {
      await qr.query(`RESET work_mem; RESET jit`).catch(() => undefined);
      await qr.query(`SELECT pg_advisory_unlock($1)`, [REFRESH_LOCK]).catch(() => undefined);
      await qr.release();
    }
  }

  /** True when the tables hold no refresh (a new node, or after a crash emptied the unlogged tables). */
  async isEmpty(): Promise<boolean> {
    const [{ refreshed }] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM stat_refresh WHERE status = 'ok') AS refreshed`);
    if (!refreshed) return true;
    const [{ cells }] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM stat_cell) AS cells`);
    const [{ source }] = await this.db.query(`SELECT EXISTS (SELECT 1 FROM teacher) OR EXISTS (SELECT 1 FROM national_teacher) AS source`);
    return !cells && source;
  }

  // ---- reads ----

  /** Counts from the precomputed cells. The caller guarantees the query qualifies (≤ 2 core dimensions, active people, county grain or above). */
  async fromCells(q: StatQuery): Promise<{ rows: StatRow[]; total: number }> {
    const stored = [...new Set([...q.by, ...q.filters.map((f) => f.dim)])].sort((a, b) => dimensionIndex(a) - dimensionIndex(b));
    const run = async (group: string[], withLevel: boolean): Promise<StatRow[]> => {
      const params: unknown[] = [stored[0] ?? '*', stored[1] ?? ''];
      const where = ['dim1 = $1', 'dim2 = $2'];
      const col = (dim: string) => (stored.indexOf(dim) === 0 ? 'v1' : 'v2');
      if (q.scope.kind === 'code') { params.push(q.scope.code); where.push(`${q.scope.column} = $${params.length}`); }
      for (const f of q.filters) { params.push(f.values); where.push(`${col(f.dim)} = ANY($${params.length}::text[])`); }
      const unit = withLevel && q.level ? LEVEL_COLUMN[q.level] : 'NULL::text';
      const cols = group.map(col);
      const rows: { unit: string | null; n: string; [k: string]: unknown }[] = await this.db.query(
        `SELECT ${unit} AS unit, ${cols.map((c, i) => `${c} AS d${i}`).concat('sum(n)::bigint AS n').join(', ')} FROM stat_cell WHERE ${where.join(' AND ')} GROUP BY ${[1, ...cols.map((_, i) => i + 2)].join(', ')}`,
        params,
      );
      return rows.map((r) => ({ unit: r.unit, values: group.map((_, i) => r[`d${i}`] as string | null), n: Number(r.n) }));
    };
    const rows = await run(q.by, true);
    // The people in scope who pass the filters: the cells of the filter dimensions alone.
    const totalStored = [...new Set(q.filters.map((f) => f.dim))].sort((a, b) => dimensionIndex(a) - dimensionIndex(b));
    const totalRows = await this.fromCellsTotal(q, totalStored);
    return { rows, total: totalRows };
  }

  private async fromCellsTotal(q: StatQuery, stored: string[]): Promise<number> {
    const params: unknown[] = [stored[0] ?? '*', stored[1] ?? ''];
    const where = ['dim1 = $1', 'dim2 = $2'];
    if (q.scope.kind === 'code') { params.push(q.scope.code); where.push(`${q.scope.column} = $${params.length}`); }
    for (const f of q.filters) { params.push(f.values); where.push(`${stored.indexOf(f.dim) === 0 ? 'v1' : 'v2'} = ANY($${params.length}::text[])`); }
    const [{ n }] = await this.db.query(`SELECT COALESCE(sum(n), 0)::bigint AS n FROM stat_cell WHERE ${where.join(' AND ')}`, params);
    return Number(n);
  }

  /** Counts straight from the fact table, restricted to the scope (any number of dimensions, school level, custom fields, inactive people). */
  async fromFacts(q: StatQuery): Promise<{ rows: StatRow[]; total: number }> {
    const build = (group: string[], withLevel: boolean) => {
      const params: unknown[] = [];
      const where: string[] = [];
      const joins: string[] = [];
      const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
      if (q.scope.kind === 'code') where.push(`f.${q.scope.column} = ${p(q.scope.code)}`);
      if (q.scope.kind === 'path') where.push(`f.unit_path LIKE ${p(q.scope.path + '%')}`);
      if (!q.includeInactive) where.push('f.active');
      const exprs = new Map<string, string>();
      for (const key of group) {
        const d = DIMENSION_BY_KEY.get(key);
        if (d?.multi) { joins.push(unnestSql(d, `u_${d.key}`)); exprs.set(key, `u_${d.key}.v`); }
        else exprs.set(key, d ? `f.${d.column}` : `(f.custom->>${p(key)})`);
      }
      for (const f of q.filters) {
        const d = DIMENSION_BY_KEY.get(f.dim);
        if (d?.multi && !exprs.has(f.dim)) where.push(`f.${d.column} && ${p(f.values)}::text[]`);
        else where.push(`${exprs.get(f.dim) ?? (d ? `f.${d.column}` : `(f.custom->>${p(f.dim)})`)} = ANY(${p(f.values)}::text[])`);
      }
      const unit = withLevel && q.level ? `f.${LEVEL_COLUMN[q.level]}` : 'NULL::text';
      const cols = group.map((k) => exprs.get(k)!);
      const sql = `SELECT ${unit} AS unit, ${cols.map((c, i) => `${c} AS d${i}`).concat('count(*)::bigint AS n').join(', ')}
                     FROM stat_fact f ${joins.join(' ')} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY ${[1, ...cols.map((_, i) => i + 2)].join(', ')}`;
      return { sql, params };
    };
    const main = build(q.by, true);
    const rows: { unit: string | null; n: string; [k: string]: unknown }[] = await this.db.query(main.sql, main.params);
    const tot = build([], false);
    const totalRows: { n: string }[] = await this.db.query(tot.sql, tot.params);
    return { rows: rows.map((r) => ({ unit: r.unit, values: q.by.map((_, i) => r[`d${i}`] as string | null), n: Number(r.n) })), total: totalRows.reduce((s, r) => s + Number(r.n), 0) };
  }

  /** Names of units by code (labels of the level column). */
  async unitNames(codes: string[]): Promise<Map<string, string>> {
    if (!codes.length) return new Map();
    const rows: { code: string; name: string }[] = await this.db.query(`SELECT code, name FROM org_unit WHERE code = ANY($1::text[])`, [codes]);
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  /** The province's current custom indicator definitions (provincial node). */
  async customFields(provinceCode: string): Promise<{ key: string; definition: Record<string, unknown> }[]> {
    return this.db.query(
      `SELECT key, definition FROM (SELECT DISTINCT ON (key) key, status, definition FROM custom_field WHERE province_code = $1 ORDER BY key, version DESC) c WHERE status = 'active'`,
      [provinceCode],
    );
  }
}

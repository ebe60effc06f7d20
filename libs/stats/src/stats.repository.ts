import { Injectable, Logger } from '@nestjs/common';
import { StringDecoder } from 'node:string_decoder';
import copyStreams from 'pg-copy-streams';
import { DataSource, type QueryRunner } from 'typeorm';
import type { UnitRow } from './engine.js';
import {
  COMPACT_SQL,
  deadSinceSql,
  FACT_INDEXES,
  fullBuildSql,
  incrementalInsertSql,
  loadSql,
  type FactSql,
} from './stats.sql.js';

/** Serialises refreshes across every node process on the database. */
const REFRESH_LOCK = 7246_0001;
/** A compaction follows an incremental refresh once dead rows pass this share of the live ones (and COMPACT_MIN_DEAD). */
const COMPACT_SHARE = 0.2;
const COMPACT_MIN_DEAD = 10_000;
/** Dirty-log rows taken by one refresh from which the log is vacuumed right away. */
const VACUUM_DIRTY_AFTER = 10_000;

export type RefreshTrigger = 'boot' | 'interval' | 'manual';
export type RefreshMode = 'full' | 'incremental' | 'compact';

export interface RefreshRow {
  id: string;
  trigger: RefreshTrigger;
  status: 'running' | 'ok' | 'failed';
  mode: RefreshMode | null;
  /** The refresh whose full rebuild or compaction laid out the fact table this one changed. */
  generation: string | null;
  startedAt: Date;
  asOf: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  factMs: number | null;
  /** Teachers whose fact row this refresh (re)computed. */
  changedRows: number | null;
  /** Live fact rows (teachers) after it. */
  factRows: number | null;
  /** Superseded rows still in the table (until the next compaction). */
  deadRows: number | null;
  source: string;
  sourceHighWater: Date | null;
  error: string | null;
}

const REFRESH_COLS = `id::text, trigger, status, mode, generation::text, started_at AS "startedAt", as_of AS "asOf", finished_at AS "finishedAt", duration_ms AS "durationMs", fact_ms AS "factMs",
  changed_rows::int AS "changedRows", fact_rows::int AS "factRows", dead_rows::int AS "deadRows", source, source_high_water AS "sourceHighWater", error`;

/** The latest successful refresh (ordered by the table's bigint id, not the text alias of the same name). */
const LATEST_OK_SQL = `SELECT ${REFRESH_COLS} FROM stat_refresh WHERE status = 'ok' AND generation IS NOT NULL ORDER BY stat_refresh.id DESC LIMIT 1`;

/** Where a node process receives the facts it reads (ADR 0008). */
export interface FactSink {
  /** First: the refresh read, whether it is a whole generation (`full`), the unit table when it changed, and the positions that died since. */
  begin(refresh: RefreshRow, full: boolean, units: UnitRow[] | null, unitStamp: string, dead: number[]): void;
  /** Then every fact row born since, as the fields of a `loadSql` line. */
  line(fields: string[]): void;
}

/** The fact table's maintenance (full rebuild, incremental refresh, compaction) and its reads into a node process. */
@Injectable()
export class StatsRepository {
  private readonly log = new Logger('StatsRefresh');

  constructor(private readonly db: DataSource) {}

  async lastRefresh(status?: 'ok'): Promise<RefreshRow | null> {
    const rows = await this.db.query(
      status ? LATEST_OK_SQL : `SELECT ${REFRESH_COLS} FROM stat_refresh ORDER BY stat_refresh.id DESC LIMIT 1`,
    );
    return rows[0] ?? null;
  }

  /**
   * Brings the fact table up to date: a full rebuild when there is no generation yet (or a crash emptied
   * the unlogged table, or `full` is asked for); otherwise only the teachers written since the last
   * refresh (`stat_dirty`), then a compaction when superseded rows have piled up. Concurrent refreshes
   * (any process on the database) wait for each other on an advisory lock.
   */
  async refresh(
    source: FactSql,
    trigger: RefreshTrigger,
    requestedBy: string | null,
    full = false,
  ): Promise<RefreshRow> {
    const qr = this.db.createQueryRunner();
    await qr.connect();
    try {
      await qr.query(`SELECT pg_advisory_lock($1)`, [REFRESH_LOCK]);
      // Large generated statements: JIT compilation would cost more than it saves.
      await qr.query(`SET work_mem = '256MB'; SET jit = off`);
      const last = (await qr.query(LATEST_OK_SQL))[0] as RefreshRow | undefined;
      const [{ facts }] = await qr.query(`SELECT EXISTS (SELECT 1 FROM stat_fact) AS facts`);
      // A backlog of more than half the teachers (a bulk load, a resync) is cheaper to rebuild than to apply row by row.
      const [{ backlog }] = await qr.query(
        `SELECT COALESCE(max(id) - min(id) + 1, 0)::bigint AS backlog FROM stat_dirty`,
      );
      const rebuild =
        full ||
        !last ||
        (!facts && (last.factRows ?? 0) > 0) ||
        Number(backlog) > Math.max(COMPACT_MIN_DEAD, (last.factRows ?? 0) / 2);
      const done = await this.step(qr, source, trigger, requestedBy, rebuild ? 'full' : 'incremental', last ?? null);
      if (
        done.mode === 'incremental' &&
        (done.deadRows ?? 0) >= COMPACT_MIN_DEAD &&
        (done.deadRows ?? 0) > COMPACT_SHARE * (done.factRows ?? 0)
      ) {
        return await this.step(qr, source, trigger, requestedBy, 'compact', done);
      }
      return done;
    } finally {
      await qr.query(`RESET work_mem; RESET jit`).catch(() => undefined);
      await qr.query(`SELECT pg_advisory_unlock($1)`, [REFRESH_LOCK]).catch(() => undefined);
      await qr.release();
    }
  }

  private async step(
    qr: QueryRunner,
    source: FactSql,
    trigger: RefreshTrigger,
    requestedBy: string | null,
    mode: RefreshMode,
    last: RefreshRow | null,
  ): Promise<RefreshRow> {
    const [{ id }] = await qr.query(
      `INSERT INTO stat_refresh (trigger, requested_by, status, mode, source) VALUES ($1, $2, 'running', $3, $4) RETURNING id::text`,
      [trigger, requestedBy, mode, source.table],
    );
    const t0 = performance.now();
    try {
      // One snapshot: the teachers read, and the dirty log taken, are the same state; asOf is when it was taken.
      await qr.startTransaction(mode === 'compact' ? 'READ COMMITTED' : 'REPEATABLE READ');
      // A refresh reads every teacher: the one kind of statement JIT compilation and parallel workers pay
      // for (both off on the pool).
      await qr.query(`SET LOCAL jit = on; SET LOCAL max_parallel_workers_per_gather = 2`);
      const [{ asOf }] = await qr.query(`SELECT clock_timestamp() AS "asOf"`);
      let factRows: number;
      let deadRows: number;
      let changed: number;
      if (mode === 'incremental') {
        await qr.query(
          `CREATE TEMP TABLE stat_changed ON COMMIT DROP AS WITH d AS (DELETE FROM stat_dirty RETURNING teacher_id) SELECT DISTINCT teacher_id FROM d`,
        );
        await qr.query(`ANALYZE stat_changed`);
        const killed =
          (
            await qr.query(
              `UPDATE stat_fact f SET died = $1 FROM stat_changed c WHERE f.teacher_id = c.teacher_id AND f.died IS NULL`,
              [id],
              true,
            )
          ).affected ?? 0;
        const inserted = (await qr.query(incrementalInsertSql(source.sql), [id], true)).affected ?? 0;
        changed = Number((await qr.query(`SELECT count(*)::int AS n FROM stat_changed`))[0].n);
        factRows = (last!.factRows ?? 0) - Number(killed) + Number(inserted);
        deadRows = (last!.deadRows ?? 0) + Number(killed);
      } else {
        if (mode === 'full') await qr.query(`DELETE FROM stat_dirty`);
        await qr.query(`DROP TABLE IF EXISTS stat_fact_next`);
        await qr.query(mode === 'full' ? fullBuildSql(source.sql) : COMPACT_SQL, [id]);
        for (const ix of FACT_INDEXES) await qr.query(ix.sql('stat_fact_next'));
        [{ n: factRows }] = await qr.query(`SELECT count(*)::int AS n FROM stat_fact_next`);
        changed = mode === 'full' ? factRows : 0;
        deadRows = 0;
        // The swap: a node process reading the facts holds them for a while; wait for it rather than fail the rebuild.
        await qr.query(`SET LOCAL lock_timeout = '10min'`);
        await qr.query(`DROP TABLE stat_fact`);
        await qr.query(`ALTER TABLE stat_fact_next RENAME TO stat_fact`);
        for (const ix of FACT_INDEXES)
          await qr.query(`ALTER INDEX stat_fact_next_${ix.name} RENAME TO stat_fact_${ix.name}`);
        await qr.query(`SELECT setval('stat_fact_pos', $1, false)`, [factRows]);
      }
      const factMs = Math.round(performance.now() - t0);
      // A compaction changes no figure: it keeps the asOf of the refresh it compacted.
      const keptAsOf = mode === 'compact' ? last!.asOf : asOf;
      await qr.query(
        `UPDATE stat_refresh SET status = 'ok', as_of = $2, finished_at = clock_timestamp(), duration_ms = $3, fact_ms = $4, changed_rows = $5, fact_rows = $6, dead_rows = $7, source_rows = $6,
                generation = $8, source_high_water = GREATEST((SELECT max(updated_at) FROM stat_fact WHERE born = $1), $9::timestamptz) WHERE id = $1`,
        [
          id,
          keptAsOf,
          Math.round(performance.now() - t0),
          factMs,
          changed,
          factRows,
          deadRows,
          mode === 'incremental' ? last!.generation : id,
          mode === 'incremental' ? last!.sourceHighWater : null,
        ],
      );
      await qr.commitTransaction();
      if (mode !== 'incremental') await qr.query(`ANALYZE stat_fact`);
      // A large batch taken from the dirty log leaves as many dead rows, which every later refresh would scan past.
      if (changed >= VACUUM_DIRTY_AFTER) await qr.query(`VACUUM stat_dirty`);
      this.log.log({ msg: 'statistics refreshed', trigger, mode, changed, factRows, deadRows, ms: factMs });
      return (await qr.query(`SELECT ${REFRESH_COLS} FROM stat_refresh WHERE id = $1`, [id]))[0];
    } catch (e) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      await qr.query(`DROP TABLE IF EXISTS stat_fact_next`).catch(() => undefined);
      const message = e instanceof Error ? e.message : String(e);
      await qr
        .query(`UPDATE stat_refresh SET status = 'failed', finished_at = clock_timestamp(), error = $2 WHERE id = $1`, [
          id,
          message.slice(0, 2000),
        ])
        .catch(() => undefined);
      throw e;
    }
  }

  /**
   * What a node process at refresh `after` (0: nothing loaded) of `generation` needs to reach the latest
   * refresh, read in one snapshot: everything when the generation changed, else the rows born and the
   * positions that died since; the unit table when it changed since `unitStamp`. False when nothing was ever refreshed.
   */
  async readFacts(
    after: { version: number; generation: string | null; unitStamp: string },
    sink: FactSink,
  ): Promise<boolean> {
    const qr = this.db.createQueryRunner();
    const client = await qr.connect();
    try {
      await qr.startTransaction('REPEATABLE READ');
      const refresh = (await qr.query(LATEST_OK_SQL))[0] as RefreshRow | undefined;
      if (!refresh) return false;
      const full = refresh.generation !== after.generation;
      const from = full ? 0 : after.version;
      const [{ stamp }] = await qr.query(
        `SELECT count(*) || '/' || COALESCE(max(updated_at)::text, '') AS stamp FROM org_unit`,
      );
      const units =
        full || stamp !== after.unitStamp
          ? await qr.query(
              `SELECT code, kind, path, name, school_type AS "schoolType", urban_rural AS "urbanRural", sponsor FROM org_unit`,
            )
          : null;
      const dead = full
        ? []
        : (await qr.query(deadSinceSql, [from, refresh.id])).map((r: { pos: string }) => Number(r.pos));
      sink.begin(refresh, full, units, stamp, dead);
      const stream = client.query(copyStreams.to(loadSql(from, Number(refresh.id))));
      const decoder = new StringDecoder('utf8');
      let rest = '';
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const text = rest + decoder.write(chunk);
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          sink.line(text.slice(start, nl).split('\t'));
          start = nl + 1;
        }
        rest = text.slice(start);
      }
      await qr.commitTransaction();
      return true;
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      await qr.release();
    }
  }

  /** Every province's custom indicator definitions as received, with the province's name (national node). */
  async nationalCustomFields(): Promise<
    { province: string; name: string | null; definitions: Record<string, Record<string, unknown>> }[]
  > {
    return this.db.query(
      `SELECT c.province_code AS province, u.name, c.definitions FROM national_custom_fields c LEFT JOIN org_unit u ON u.code = c.province_code || '0000' ORDER BY c.province_code`,
    );
  }

  /** The province's current custom indicator definitions (provincial node). */
  async customFields(provinceCode: string): Promise<{ key: string; definition: Record<string, unknown> }[]> {
    return this.db.query(
      `SELECT key, definition FROM (SELECT DISTINCT ON (key) key, status, definition FROM custom_field WHERE province_code = $1 ORDER BY key, version DESC) c WHERE status = 'active'`,
      [provinceCode],
    );
  }
}

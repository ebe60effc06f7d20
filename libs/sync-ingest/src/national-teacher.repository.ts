import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { SchoolFingerprint } from '@tmis/sync-transport';
import { recordFacets } from './record-facets.js';

/** A received record as `national_teacher` stores it. */
export interface NationalTeacherRow {
  teacher_id: string;
  province_code: string;
  unit_code: string;
  id_type: string;
  id_number: string;
  name: string;
  person_status: string;
  active: boolean;
  record: Record<string, unknown>;
  custom: Record<string, unknown>;
  catalogue_version: string;
  reported_version: number;
  last_sequence: number;
}

export interface NationalTeacherListItem {
  teacherId: string;
  province: string;
  unitCode: string;
  name: string;
  idNumber: string;
  personStatus: string;
  reportedVersion: number;
  custom: Record<string, unknown>;
  catalogueVersion: string;
}

export interface CrossProvinceDuplicate {
  idType: string;
  idNumber: string;
  provinces: string[];
  teacherIds: string[];
}

/** `national_teacher`: the provinces' reported records as received. The only writer of the table. */
@Injectable()
export class NationalTeacherRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /** The provinces where a person is active (reported, in post): a cross-province transfer is checked against them. */
  async activeProvinces(idType: string, idNumber: string): Promise<string[]> {
    const rows: { p: string }[] = await this.tx.query(
      `SELECT DISTINCT province_code AS p FROM national_teacher WHERE id_type = $1 AND id_number = $2 AND active AND NOT removed ORDER BY 1`,
      [idType, idNumber],
    );
    return rows.map((r) => r.p);
  }

  /**
   * Upserts the newest event per teacher (set-based). A row changes only for a newer sequence of the
   * same province (a teacher's records never change province here). Returns the ids applied. From
   * `STAGE_FROM` rows on (a resync's chunks) the rows are staged with COPY into a temporary table and
   * upserted from it (ADR 0022); fewer (the live path) travel as one JSON parameter.
   */
  async upsertMany(rows: NationalTeacherRow[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const staged = rows.length >= STAGE_FROM && (await this.stage(rows));
    // The staged rows carry their facet values: the facet insert trigger takes them from the staging
    // table instead of walking each record again (migration 1767905000000); their change-feed entries are
    // numbered when the transaction commits instead of passing through `change_pending` and the sequencer
    // (migration 1767970000000). Transaction-local, and switched off again right after this statement,
    // so that every other write takes the general path.
    if (staged) await this.tx.query(`SELECT set_config('tmis.facets_staged', 'on', true), tmis_change_direct_begin()`);
    const applied: { id: string }[] = await this.tx.query(
      `INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, custom,
              catalogue_version, reported_version, last_sequence)
       SELECT teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, custom, catalogue_version,
              reported_version, last_sequence
         FROM ${staged ? 'pg_temp.national_teacher_stage' : `jsonb_to_recordset($1::jsonb) AS x(${STAGE_COLUMNS})`}
       ON CONFLICT (teacher_id) DO UPDATE SET unit_code = EXCLUDED.unit_code, id_type = EXCLUDED.id_type, id_number = EXCLUDED.id_number,
         name = EXCLUDED.name, person_status = EXCLUDED.person_status, active = EXCLUDED.active, record = EXCLUDED.record, custom = EXCLUDED.custom,
         catalogue_version = EXCLUDED.catalogue_version, reported_version = EXCLUDED.reported_version, last_sequence = EXCLUDED.last_sequence,
         removed = false, updated_at = now()
       WHERE national_teacher.last_sequence < EXCLUDED.last_sequence AND national_teacher.province_code = EXCLUDED.province_code
       RETURNING teacher_id::text AS id`,
      staged ? [] : [JSON.stringify(rows)],
    );
    if (staged)
      await this.tx.query(
        `SELECT set_config('tmis.facets_staged', 'off', true), set_config('tmis.feed_direct', 'off', true)`,
      );
    return new Set(applied.map((r) => r.id));
  }

  /**
   * COPYs rows (one per teacher) into the session's temporary staging table, emptied at every commit
   * (`ON COMMIT DELETE ROWS`; a rolled-back savepoint takes its rows with it). False when the open
   * transaction has no connection of its own to COPY on (the caller then sends the rows as JSON).
   * No ANALYZE: the upsert reads the whole table once (a sequential scan, conflicts found through the
   * primary key), a plan that does not depend on statistics.
   */
  private async stage(rows: NationalTeacherRow[]): Promise<boolean> {
    const qr = this.tx.queryRunner;
    if (!qr || !qr.isTransactionActive) return false;
    const client = (await qr.connect()) as { query(s: unknown): NodeJS.WritableStream };
    const [{ missing }] = await this.tx.query(
      `SELECT to_regclass('pg_temp.national_teacher_stage') IS NULL AS missing`,
    );
    if (missing)
      await this.tx.query(
        `CREATE TEMP TABLE national_teacher_stage (${STAGE_COLUMNS}, facets text[]) ON COMMIT DELETE ROWS`,
      );
    // Rows of an earlier staging in this transaction would be upserted again (and their facets joined).
    else await this.tx.query(`DELETE FROM pg_temp.national_teacher_stage`);
    const lines = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      lines[i] = [
        r.teacher_id,
        r.province_code,
        r.unit_code,
        r.id_type,
        r.id_number,
        copyText(r.name),
        r.person_status,
        r.active ? 't' : 'f',
        copyText(JSON.stringify(r.record)),
        copyText(JSON.stringify(r.custom)),
        copyText(r.catalogue_version),
        String(r.reported_version),
        String(r.last_sequence),
        facetsText(recordFacets(r.record)),
      ].join('\t');
    }
    const stream = client.query(copyStreams.from(`COPY pg_temp.national_teacher_stage FROM STDIN`));
    await pipeline(Readable.from([lines.join('\n') + '\n']), stream);
    return true;
  }

  /** Marks a province's record removed (a newer sequence only); true when it changed. */
  async markRemoved(teacherId: string, province: string, sequence: number): Promise<boolean> {
    const res = await this.tx.query(
      `UPDATE national_teacher SET removed = true, active = false, last_sequence = $3, updated_at = now()
        WHERE teacher_id = $1 AND province_code = $2 AND last_sequence < $3 RETURNING teacher_id`,
      [teacherId, province, sequence],
    );
    return (Array.isArray(res[0]) ? res[0] : res).length > 0;
  }

  /** A province's schools merged into others: their records follow (as they did at the province). */
  async moveToUnits(province: string, moves: { from: string; to: string }[]): Promise<void> {
    if (!moves.length) return;
    await this.tx.query(
      `UPDATE national_teacher n SET unit_code = x.target, updated_at = now()
         FROM unnest($1::varchar[], $2::varchar[]) AS x(code, target) WHERE n.province_code = $3 AND n.unit_code = x.code`,
      [moves.map((m) => m.from), moves.map((m) => m.to), province],
    );
  }

  /** Up to 1,000 records of one province (or of all when `province` is null), by province, unit and id. */
  async list(province: string | null): Promise<NationalTeacherListItem[]> {
    return this.tx.query(
      `SELECT teacher_id AS "teacherId", province_code AS "province", unit_code AS "unitCode", name, id_number AS "idNumber",
              person_status AS "personStatus", reported_version AS "reportedVersion", custom, catalogue_version AS "catalogueVersion"
         FROM national_teacher WHERE ($1::text IS NULL OR province_code = $1)
        ORDER BY province_code, unit_code, teacher_id LIMIT 1000`,
      [province],
    );
  }

  /** Per school of one province: the count of records held and a hash over (id, reported version). */
  async schoolFingerprints(province: string): Promise<SchoolFingerprint[]> {
    return this.tx.query(
      `SELECT unit_code AS "unitCode", count(*)::int AS count,
              md5(string_agg(teacher_id::text || ':' || reported_version, ',' ORDER BY teacher_id)) AS hash
         FROM national_teacher WHERE province_code = $1 AND NOT removed GROUP BY unit_code ORDER BY unit_code`,
      [province],
    );
  }

  async schoolRecords(unitCode: string, province: string): Promise<{ teacherId: string; reportedVersion: number }[]> {
    return this.tx.query(
      `SELECT teacher_id AS "teacherId", reported_version AS "reportedVersion" FROM national_teacher
        WHERE unit_code = $1 AND province_code = $2 AND NOT removed ORDER BY teacher_id`,
      [unitCode, province],
    );
  }

  /**
   * The same ID number active in two or more provinces of the national population — a central
   * university's reported record counts as province `00` (issue 17) —; with `province`, those touching it,
   * listing only that province's record ids (the other provinces are named, their records are theirs).
   */
  async crossProvinceDuplicates(province: string | null): Promise<CrossProvinceDuplicate[]> {
    return this.tx.query(
      `WITH population AS (
         SELECT id_type, id_number, province_code, teacher_id FROM national_teacher WHERE active AND NOT removed
         UNION ALL
         SELECT id_type, id_number, '${CENTRAL_PROVINCE}', id FROM teacher WHERE active AND reported_version IS NOT NULL)
       SELECT id_type AS "idType", id_number AS "idNumber", array_agg(DISTINCT province_code) AS provinces,
              array_agg(teacher_id) FILTER (WHERE $1::text IS NULL OR province_code = $1::text) AS "teacherIds"
         FROM population GROUP BY id_type, id_number
       HAVING count(DISTINCT province_code) > 1 AND ($1::text IS NULL OR $1::text = ANY(array_agg(province_code))) ORDER BY 2 LIMIT 1000`,
      [province],
    );
  }
}

/** Rows from which `upsertMany` stages with COPY (a resync's chunks; the live path sends a few at a time). */
const STAGE_FROM = 64;

/** The staged row: `national_teacher`'s columns as the ingest writes them. */
const STAGE_COLUMNS = `teacher_id uuid, province_code varchar, unit_code varchar, id_type varchar, id_number varchar, name varchar,
  person_status varchar, active boolean, record jsonb, custom jsonb, catalogue_version varchar, reported_version integer, last_sequence bigint`;

const COPY_SPECIAL = /[\\\t\n\r]/;

/**
 * A record's facet values as a text[] in COPY's text format (`\\N`, PostgreSQL computes them, when
 * `recordFacets` is not sure of them): each element double-quoted, `"` and `\\` escaped for the array
 * literal, then the whole escaped for COPY.
 */
function facetsText(facets: string[] | null): string {
  if (facets === null) return '\\N';
  return copyText('{' + facets.map((f) => '"' + f.replace(/["\\]/g, (c) => '\\' + c) + '"').join(',') + '}');
}

/** A value in COPY's text format. */
function copyText(v: string): string {
  if (!COPY_SPECIAL.test(v)) return v;
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** How the duplicate check names the national node's own records (central universities). */
export const CENTRAL_PROVINCE = '00';

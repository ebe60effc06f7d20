import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { DataSource, type EntityManager } from 'typeorm';
import { returned, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import type { PersonAction, RowError, StagedRow, UnitInfo } from './assess.js';

export type JobState = 'queued' | 'validating' | 'validated' | 'committing' | 'committed' | 'failed' | 'interrupted';
export const RUNNING_STATES: JobState[] = ['queued', 'validating', 'committing'];

export interface JobActor {
  accountId: string;
  role: string;
  unitId: string;
  unitPath: string;
  unitLevel: number;
  /** The caller's unit code (a school administrator's rows default to it). */
  unitCode: string;
}

export interface JobCounts {
  rows?: number;
  persons?: number;
  created?: number;
  updated?: number;
  /** Of `updated`: people who had left and are registered in post again on their record. */
  reRegistered?: number;
  unchanged?: number;
  invalidPersons?: number;
  errors?: number;
}

export interface JobProgress {
  phase?: 'queued' | 'reading' | 'validating' | 'committing' | 'done';
  rowsRead?: number;
  personsValidated?: number;
  personsTotal?: number;
  committed?: number;
  /** Milliseconds per step of the commit (analyze, records, updates, history, reviewEvents, audit). */
  timingsMs?: Record<string, number>;
}

export interface BulkJobRow {
  id: string;
  kind: string;
  state: JobState;
  dryRun: boolean;
  mode: 'all-or-nothing' | 'valid-only';
  format: 'xlsx' | 'csv';
  fileName: string;
  fileSize: number;
  fileHash: string;
  filePath: string | null;
  layout: Record<string, unknown>;
  sourceJobId: string | null;
  createdBy: string;
  actor: JobActor;
  unitPath: string;
  counts: JobCounts;
  progress: JobProgress;
  errorsTruncated: boolean;
  message: string | null;
  messageZh: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
  /** What a dry run was validated against; its commit reuses the staged persons while this still holds. */
  validatedWith: ValidationStamp | null;
}

export interface ValidationStamp {
  catalogueVersion: string;
  /** sha256 of the custom field definitions in force. */
  customFields: string;
}

/** The job's own connection while it runs: it holds the job's advisory lock (whoever can take it knows the runner is gone). */
export interface JobSession {
  pid: number;
  release(): Promise<void>;
}

export interface JobErrorRow {
  id: string;
  sheet: string | null;
  row: number | null;
  column: string | null;
  field: string | null;
  value: string | null;
  code: string;
  message: string;
  messageZh: string;
}

const COLS = `id, kind, state, dry_run AS "dryRun", mode, format, file_name AS "fileName", file_size::float8 AS "fileSize", file_hash AS "fileHash", file_path AS "filePath",
  layout, source_job_id AS "sourceJobId", created_by AS "createdBy", actor, unit_path AS "unitPath", counts, progress, errors_truncated AS "errorsTruncated",
  message, message_zh AS "messageZh", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt",
  validated_with AS "validatedWith"`;

/**
 * Every query on bulk import's own tables: jobs, errors and the staging tables. The records, their
 * history, review events and audit rows are written by the repositories that own those tables
 * (TeacherRepository, ReviewRepository, AuditRepository), set-based from the staged persons.
 */
@Injectable()
export class BulkRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly dataSource: DataSource,
  ) {}

  /** The open transaction's manager, or the pool. */
  private get db(): EntityManager {
    return this.txHost.tx;
  }

  /** The pool, outside any open transaction: progress must be visible while a commit runs. */
  private get pool(): EntityManager {
    return this.dataSource.manager;
  }

  async insertJob(
    j: Pick<
      BulkJobRow,
      | 'id'
      | 'state'
      | 'dryRun'
      | 'mode'
      | 'format'
      | 'fileName'
      | 'fileSize'
      | 'fileHash'
      | 'filePath'
      | 'layout'
      | 'sourceJobId'
      | 'actor'
    >,
  ): Promise<BulkJobRow> {
    const [row] = await this.db.query(
      `INSERT INTO bulk_job (id, state, dry_run, mode, format, file_name, file_size, file_hash, file_path, layout, source_job_id, created_by, actor, unit_path, progress)
       VALUES ($14,$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,'{"phase":"queued"}') RETURNING ${COLS}`,
      [
        j.state,
        j.dryRun,
        j.mode,
        j.format,
        j.fileName,
        j.fileSize,
        j.fileHash,
        j.filePath,
        JSON.stringify(j.layout),
        j.sourceJobId,
        j.actor.accountId,
        JSON.stringify(j.actor),
        j.actor.unitPath,
        j.id,
      ],
    );
    return row;
  }

  async findJob(id: string): Promise<BulkJobRow | null> {
    const rows = await this.db.query(`SELECT ${COLS} FROM bulk_job WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async listJobs(pathPrefix: string, limit: number): Promise<BulkJobRow[]> {
    return this.db.query(`SELECT ${COLS} FROM bulk_job WHERE unit_path LIKE $1 ORDER BY created_at DESC, id LIMIT $2`, [
      pathPrefix + '%',
      limit,
    ]);
  }

  /** Moves a job on; `finished` stamps the end. Through the pool, so progress is visible while the job's own transaction runs. */
  async setJob(
    id: string,
    patch: {
      state?: JobState;
      counts?: JobCounts;
      progress?: JobProgress;
      message?: string | null;
      messageZh?: string | null;
      errorsTruncated?: boolean;
      started?: boolean;
      finished?: boolean;
      filePath?: null;
      validatedWith?: ValidationStamp;
    },
    opts: { inTransaction?: boolean } = {},
  ): Promise<void> {
    await (opts.inTransaction ? this.db : this.pool).query(
      `UPDATE bulk_job SET state = COALESCE($2, state), counts = COALESCE($3::jsonb, counts), progress = COALESCE($4::jsonb, progress),
         message = CASE WHEN $5::boolean THEN $6 ELSE message END, message_zh = CASE WHEN $5::boolean THEN $7 ELSE message_zh END,
         errors_truncated = COALESCE($8, errors_truncated), started_at = CASE WHEN $9::boolean THEN now() ELSE started_at END,
         finished_at = CASE WHEN $10::boolean THEN now() ELSE finished_at END, file_path = CASE WHEN $11::boolean THEN NULL ELSE file_path END, updated_at = now(),
         validated_with = COALESCE($12::jsonb, validated_with)
       WHERE id = $1`,
      [
        id,
        patch.state ?? null,
        patch.counts ? JSON.stringify(patch.counts) : null,
        patch.progress ? JSON.stringify(patch.progress) : null,
        'message' in patch,
        patch.message ?? null,
        patch.messageZh ?? null,
        patch.errorsTruncated ?? null,
        !!patch.started,
        !!patch.finished,
        patch.filePath === null,
        patch.validatedWith ? JSON.stringify(patch.validatedWith) : null,
      ],
    );
  }

  /** Marks a job interrupted if it is still in a running state (its runner is gone). */
  async markInterrupted(id: string, message: string, messageZh: string): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE bulk_job SET state = 'interrupted', message = $2, message_zh = $3, finished_at = now(), updated_at = now(),
              counts = counts || '{"created":0,"updated":0}'::jsonb
        WHERE id = $1 AND state IN ('queued','validating','committing') RETURNING id`,
      [id, message, messageZh],
    );
    return returned(res).length > 0;
  }

  async runningJobs(): Promise<{ id: string; state: JobState }[]> {
    return this.db.query(`SELECT id, state FROM bulk_job WHERE state IN ('queued','validating','committing')`);
  }

  /** Jobs whose uploaded file may be deleted: finished longer ago than `hours`. */
  async expiredFiles(hours: number): Promise<{ id: string; filePath: string }[]> {
    return this.db.query(
      `SELECT id, file_path AS "filePath" FROM bulk_job WHERE file_path IS NOT NULL AND state NOT IN ('queued','validating','committing') AND COALESCE(finished_at, created_at) < now() - make_interval(hours => $1)`,
      [hours],
    );
  }

  async insertErrors(jobId: string, errors: RowError[]): Promise<void> {
    if (!errors.length) return;
    await this.db.query(
      `INSERT INTO bulk_job_error (job_id, sheet, row_no, col, field, value, code, message_en, message_zh)
       SELECT $1, x.sheet, x."rowNo", x.col, x.field, x.value, x.code, x.en, x.zh
         FROM jsonb_to_recordset($2::jsonb) AS x(sheet text, "rowNo" int, col text, field text, value text, code text, en text, zh text)`,
      [jobId, JSON.stringify(errors)],
    );
  }

  async errors(jobId: string, afterId: string | null, limit: number): Promise<JobErrorRow[]> {
    return this.db.query(
      `SELECT id::text, sheet, row_no AS "row", col AS "column", field, value, code, message_en AS "message", message_zh AS "messageZh"
         FROM bulk_job_error e WHERE job_id = $1 AND e.id > $2::bigint ORDER BY e.id LIMIT $3`,
      [jobId, afterId ?? '0', limit],
    );
  }

  // ---- staging ----

  /** Rows read from the file, with COPY (text format) on a connection of the pool. */
  async stageRows(jobId: string, rows: StagedRow[]): Promise<void> {
    if (!rows.length) return;
    const text = rows
      .map((r) =>
        [jobId, String(r.seq), r.sheet, String(r.rowNo), r.subSet, r.idType, r.idNumber, JSON.stringify(r.data)]
          .map(copyText)
          .join('\t'),
      )
      .join('\n');
    const qr = this.dataSource.createQueryRunner();
    const client = (await qr.connect()) as { query(s: unknown): NodeJS.WritableStream };
    try {
      const stream = client.query(
        copyStreams.from(
          `COPY bulk_job_row (job_id, seq, sheet, row_no, sub_set, id_type, id_number, data) FROM STDIN`,
        ),
      );
      await pipeline(Readable.from([text + '\n']), stream);
    } finally {
      await qr.release();
    }
  }

  async countPersons(jobId: string): Promise<number> {
    const [r] = await this.db.query(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT id_type, id_number FROM bulk_job_row WHERE job_id = $1) p`,
      [jobId],
    );
    return r.n;
  }

  /** The next `limit` persons (by key) after `after`, with all their staged rows in file order. */
  async nextPersons(
    jobId: string,
    after: [string, string],
    limit: number,
  ): Promise<{ keys: [string, string][]; rows: StagedRow[] }> {
    const keys: { t: string; n: string }[] = await this.db.query(
      `SELECT id_type AS t, id_number AS n FROM bulk_job_row WHERE job_id = $1 AND (id_type, id_number) > ($2, $3) GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $4`,
      [jobId, after[0], after[1], limit],
    );
    if (!keys.length) return { keys: [], rows: [] };
    const last = keys[keys.length - 1];
    const rows: StagedRow[] = await this.db.query(
      `SELECT seq, sheet, row_no AS "rowNo", sub_set AS "subSet", id_type AS "idType", id_number AS "idNumber", data FROM bulk_job_row
        WHERE job_id = $1 AND (id_type, id_number) > ($2, $3) AND (id_type, id_number) <= ($4, $5) ORDER BY id_type, id_number, seq`,
      [jobId, after[0], after[1], last.t, last.n],
    );
    return { keys: keys.map((k) => [k.t, k.n]), rows };
  }

  async unitsByCode(codes: string[]): Promise<UnitInfo[]> {
    if (!codes.length) return [];
    return this.db.query(
      `SELECT u.id, u.code, u.path, u.kind, u.status, COALESCE(u.school_type, p.school_type) AS "schoolType"
         FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id WHERE u.code = ANY($1::text[])`,
      [codes],
    );
  }

  async stageActions(jobId: string, actions: (PersonAction & { idType: string; idNumber: string })[]): Promise<void> {
    if (!actions.length) return;
    await this.db.query(
      `INSERT INTO bulk_job_person (job_id, id_type, id_number, action, teacher_id, base_version, from_state, columns, record, custom, catalogue_version, changes)
       SELECT $1, x."idType", x."idNumber", x.kind, x."teacherId", x."baseVersion", x."fromState", x.columns, x.record, x.custom, x."catalogueVersion", x.changes
         FROM jsonb_to_recordset($2::jsonb) AS x("idType" text, "idNumber" text, kind text, "teacherId" uuid, "baseVersion" int, "fromState" text, columns jsonb, record jsonb, custom jsonb, "catalogueVersion" text, changes jsonb)`,
      [jobId, JSON.stringify(actions)],
    );
  }

  async clearRows(jobId: string): Promise<void> {
    await this.db.query(`DELETE FROM bulk_job_row WHERE job_id = $1`, [jobId]);
  }

  async clearStaging(jobId: string): Promise<void> {
    await this.db.query(`DELETE FROM bulk_job_row WHERE job_id = $1`, [jobId]);
    await this.db.query(`DELETE FROM bulk_job_person WHERE job_id = $1`, [jobId]);
  }

  /** Staged persons of a job (a dry run's, kept for its commit). */
  async stagedCount(jobId: string): Promise<number> {
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM bulk_job_person WHERE job_id = $1`, [jobId]);
    return n;
  }

  /** A dry run's kept errors, copied to the job that commits it (the error report stays with the commit). */
  async copyErrors(fromJobId: string, toJobId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO bulk_job_error (job_id, sheet, row_no, col, field, value, code, message_en, message_zh)
       SELECT $2, sheet, row_no, col, field, value, code, message_en, message_zh FROM bulk_job_error WHERE job_id = $1 ORDER BY id`,
      [fromJobId, toJobId],
    );
  }

  /**
   * Fresh statistics on the staging tables before the statements that read or join them: a freshly
   * filled, never analyzed staging table is planned as if it were empty (issue 21: a commit joined
   * 100,000 × 100,000 rows the slow way). Outside the commit's transaction (ANALYZE locks the table
   * against another ANALYZE until the transaction ends).
   */
  async analyzeStaging(table: 'rows' | 'persons'): Promise<void> {
    // The key columns only: sampling the jsonb bodies took seconds and no statement filters on them.
    await this.pool.query(
      table === 'rows'
        ? 'ANALYZE bulk_job_row (job_id, id_type, id_number, seq)'
        : 'ANALYZE bulk_job_person (job_id, id_type, id_number, action, teacher_id)',
    );
  }

  /** The backend running the current transaction (a stop cancels its statement). */
  async backendPid(): Promise<number> {
    const [{ pid }] = await this.db.query(`SELECT pg_backend_pid() AS pid`);
    return pid;
  }

  async cancelBackend(pid: number): Promise<void> {
    await this.pool.query(`SELECT pg_cancel_backend($1)`, [pid]);
  }

  /**
   * A session advisory lock per job on a connection of its own, held while the job runs, so whoever
   * can take it knows the job's runner is gone (a node stopped or crashed mid-job). Null when taken.
   */
  async lockJob(jobId: string): Promise<JobSession | null> {
    const qr = this.dataSource.createQueryRunner();
    await qr.connect();
    try {
      const [r] = await qr.query(`SELECT pg_try_advisory_lock(4242, hashtext($1)) AS ok, pg_backend_pid() AS pid`, [
        jobId,
      ]);
      if (r.ok !== true) {
        await qr.release();
        return null;
      }
      return {
        pid: r.pid,
        release: async () => {
          try {
            await qr.query(`SELECT pg_advisory_unlock(4242, hashtext($1))`, [jobId]);
          } finally {
            await qr.release();
          }
        },
      };
    } catch (e) {
      await qr.release().catch(() => undefined);
      throw e;
    }
  }
}

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
function copyText(v: string): string {
  return v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

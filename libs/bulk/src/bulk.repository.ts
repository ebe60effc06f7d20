import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { returned } from '@tmis/database';
import type { ExistingRecord, PersonAction, RowError, StagedRow, UnitInfo } from './assess.js';

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
  message, message_zh AS "messageZh", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", updated_at AS "updatedAt"`;

type Q = Pick<EntityManager, 'query'> | QueryRunner;

/** Every query of bulk import: jobs, errors, the staging tables and the set-based commit. */
@Injectable()
export class BulkRepository {
  constructor(readonly db: DataSource) {}

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
    },
    q: Q = this.db,
  ): Promise<void> {
    await q.query(
      `UPDATE bulk_job SET state = COALESCE($2, state), counts = COALESCE($3::jsonb, counts), progress = COALESCE($4::jsonb, progress),
         message = CASE WHEN $5::boolean THEN $6 ELSE message END, message_zh = CASE WHEN $5::boolean THEN $7 ELSE message_zh END,
         errors_truncated = COALESCE($8, errors_truncated), started_at = CASE WHEN $9::boolean THEN now() ELSE started_at END,
         finished_at = CASE WHEN $10::boolean THEN now() ELSE finished_at END, file_path = CASE WHEN $11::boolean THEN NULL ELSE file_path END, updated_at = now()
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

  async insertErrors(jobId: string, errors: RowError[], q: Q = this.db): Promise<void> {
    if (!errors.length) return;
    await q.query(
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

  async stageRows(jobId: string, rows: StagedRow[], q: Q): Promise<void> {
    if (!rows.length) return;
    await q.query(
      `INSERT INTO bulk_job_row (job_id, seq, sheet, row_no, sub_set, id_type, id_number, data)
       SELECT $1, x.seq, x.sheet, x."rowNo", x."subSet", x."idType", x."idNumber", x.data
         FROM jsonb_to_recordset($2::jsonb) AS x(seq int, sheet text, "rowNo" int, "subSet" text, "idType" text, "idNumber" text, data jsonb)`,
      [jobId, JSON.stringify(rows)],
    );
  }

  async countPersons(jobId: string, q: Q): Promise<number> {
    const [r] = await q.query(
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
    q: Q,
  ): Promise<{ keys: [string, string][]; rows: StagedRow[] }> {
    const keys: { t: string; n: string }[] = await q.query(
      `SELECT id_type AS t, id_number AS n FROM bulk_job_row WHERE job_id = $1 AND (id_type, id_number) > ($2, $3) GROUP BY 1, 2 ORDER BY 1, 2 LIMIT $4`,
      [jobId, after[0], after[1], limit],
    );
    if (!keys.length) return { keys: [], rows: [] };
    const last = keys[keys.length - 1];
    const rows: StagedRow[] = await q.query(
      `SELECT seq, sheet, row_no AS "rowNo", sub_set AS "subSet", id_type AS "idType", id_number AS "idNumber", data FROM bulk_job_row
        WHERE job_id = $1 AND (id_type, id_number) > ($2, $3) AND (id_type, id_number) <= ($4, $5) ORDER BY id_type, id_number, seq`,
      [jobId, after[0], after[1], last.t, last.n],
    );
    return { keys: keys.map((k) => [k.t, k.n]), rows };
  }

  async existing(keys: [string, string][], q: Q): Promise<(ExistingRecord & { idType: string; idNumber: string })[]> {
    if (!keys.length) return [];
    return q.query(
      `SELECT t.id, t.unit_id AS "unitId", t.unit_path AS "unitPath", t.school_type AS "schoolType", t.version, t.review_state AS "reviewState", t.record, t.id_type AS "idType", t.id_number AS "idNumber"
         FROM teacher t JOIN unnest($1::text[], $2::text[]) AS k(t, n) ON t.id_type = k.t AND t.id_number = k.n`,
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
  }

  async unitsByCode(codes: string[], q: Q): Promise<UnitInfo[]> {
    if (!codes.length) return [];
    return q.query(
      `SELECT u.id, u.code, u.path, u.kind, u.status, COALESCE(u.school_type, p.school_type) AS "schoolType"
         FROM org_unit u LEFT JOIN org_unit p ON p.id = u.parent_id WHERE u.code = ANY($1::text[])`,
      [codes],
    );
  }

  async stageActions(
    jobId: string,
    actions: (PersonAction & { idType: string; idNumber: string })[],
    q: Q,
  ): Promise<void> {
    if (!actions.length) return;
    await q.query(
      `INSERT INTO bulk_job_person (job_id, id_type, id_number, action, teacher_id, base_version, from_state, columns, record, custom, catalogue_version, changes)
       SELECT $1, x."idType", x."idNumber", x.kind, x."teacherId", x."baseVersion", x."fromState", x.columns, x.record, x.custom, x."catalogueVersion", x.changes
         FROM jsonb_to_recordset($2::jsonb) AS x("idType" text, "idNumber" text, kind text, "teacherId" uuid, "baseVersion" int, "fromState" text, columns jsonb, record jsonb, custom jsonb, "catalogueVersion" text, changes jsonb)`,
      [jobId, JSON.stringify(actions)],
    );
  }

  async clearRows(jobId: string, q: Q): Promise<void> {
    await q.query(`DELETE FROM bulk_job_row WHERE job_id = $1`, [jobId]);
  }

  async clearStaging(jobId: string, q: Q = this.db): Promise<void> {
    await q.query(`DELETE FROM bulk_job_row WHERE job_id = $1`, [jobId]);
    await q.query(`DELETE FROM bulk_job_person WHERE job_id = $1`, [jobId]);
  }

  // ---- the commit: set-based, inside the caller's transaction ----

  /** New records, in the review state `submitted`; returns how many. */
  async commitCreates(jobId: string, q: Q): Promise<number> {
    const rows = await q.query(
      `WITH ins AS (
         INSERT INTO teacher (unit_id, unit_path, id_type, id_number, name, sex, birth_date, person_status, status_since, active, school_type, staff_category,
                              on_establishment, highest_education, title, subjects, qualification_types, record, custom, catalogue_version, review_state)
         SELECT (c->>'unitId')::uuid, c->>'unitPath', c->>'idType', c->>'idNumber', c->>'name', c->>'sex', (c->>'birthDate')::date, c->>'personStatus', (c->>'statusSince')::date,
                (c->>'active')::boolean, c->>'schoolType', c->>'staffCategory', (c->>'onEstablishment')::boolean, c->>'highestEducation', c->>'title',
                ARRAY(SELECT jsonb_array_elements_text(c->'subjects')), ARRAY(SELECT jsonb_array_elements_text(c->'qualificationTypes')), p.record, p.custom, p.catalogue_version, 'submitted'
           FROM bulk_job_person p CROSS JOIN LATERAL (SELECT p.columns AS c) cc
          WHERE p.job_id = $1 AND p.action = 'create'
         RETURNING id, id_type, id_number)
       UPDATE bulk_job_person p SET teacher_id = ins.id FROM ins WHERE p.job_id = $1 AND p.id_type = ins.id_type AND p.id_number = ins.id_number RETURNING 1`,
      [jobId],
    );
    return returned(rows).length;
  }

  /** Updates of existing records at the version that was validated; returns how many matched. */
  async commitUpdates(jobId: string, q: Q): Promise<{ expected: number; updated: number }> {
    const [{ n }] = await q.query(
      `SELECT count(*)::int AS n FROM bulk_job_person WHERE job_id = $1 AND action = 'update'`,
      [jobId],
    );
    if (!n) return { expected: 0, updated: 0 };
    const res = await q.query(
      `UPDATE teacher t SET unit_id = (c->>'unitId')::uuid, unit_path = c->>'unitPath', id_type = c->>'idType', id_number = c->>'idNumber', name = c->>'name', sex = c->>'sex',
              birth_date = (c->>'birthDate')::date, person_status = c->>'personStatus', status_since = (c->>'statusSince')::date, active = (c->>'active')::boolean,
              school_type = c->>'schoolType', staff_category = c->>'staffCategory', on_establishment = (c->>'onEstablishment')::boolean, highest_education = c->>'highestEducation',
              title = c->>'title', subjects = ARRAY(SELECT jsonb_array_elements_text(c->'subjects')), qualification_types = ARRAY(SELECT jsonb_array_elements_text(c->'qualificationTypes')),
              record = p.record, custom = p.custom, catalogue_version = p.catalogue_version, version = t.version + 1, updated_at = now(), review_state = 'submitted'
         FROM bulk_job_person p CROSS JOIN LATERAL (SELECT p.columns AS c) cc
        WHERE p.job_id = $1 AND p.action = 'update' AND t.id = p.teacher_id AND t.version = p.base_version AND t.review_state IN ('draft','returned','submitted')
        RETURNING t.id`,
      [jobId],
    );
    return { expected: n, updated: returned(res).length };
  }

  /**
   * What the API writes with each change, set-based: a history row per record (`create` / `update`
   * with the leaf changes), a review event `submit` for records that were not submitted yet, and the
   * audit rows `teacher.create` / `teacher.update` and `review.submit` naming the job.
   */
  async commitTrail(
    jobId: string,
    actor: { accountId: string; role: string; unitId: string },
    ctx: { ip: string | null; correlationId: string | null },
    q: Q,
  ): Promise<void> {
    await q.query(
      `INSERT INTO teacher_change (teacher_id, actor_account_id, actor_role, action, changes)
       SELECT teacher_id, $2, $3, action, changes FROM bulk_job_person WHERE job_id = $1 ORDER BY id_type, id_number`,
      [jobId, actor.accountId, actor.role],
    );
    await q.query(
      `INSERT INTO review_event (teacher_id, actor_account_id, actor_role, action, from_state, to_state, record_version)
       SELECT p.teacher_id, $2, $3, 'submit', CASE WHEN p.action = 'create' THEN 'draft' ELSE p.from_state END, 'submitted', t.version
         FROM bulk_job_person p JOIN teacher t ON t.id = p.teacher_id
        WHERE p.job_id = $1 AND (p.action = 'create' OR p.from_state <> 'submitted') ORDER BY p.id_type, p.id_number`,
      [jobId, actor.accountId, actor.role],
    );
    await q.query(
      `INSERT INTO audit_log (actor_account_id, actor_unit_id, action, outcome, target_type, target_id, unit_path, ip, correlation_id, details)
       SELECT $2, $3, a.action, 'ok', 'teacher', p.teacher_id::text, (p.columns->>'unitPath'), $4, $5, jsonb_build_object('bulkJobId', $1::text) || a.details
         FROM bulk_job_person p
         CROSS JOIN LATERAL (VALUES ('teacher.' || p.action, CASE WHEN p.action = 'update' THEN jsonb_build_object('fields', jsonb_array_length(p.changes)) ELSE '{}'::jsonb END),
                                    ('review.submit', jsonb_build_object('from', CASE WHEN p.action = 'create' THEN 'draft' ELSE p.from_state END, 'to', 'submitted'))) AS a(action, details)
        WHERE p.job_id = $1::uuid AND (a.action <> 'review.submit' OR p.action = 'create' OR p.from_state <> 'submitted')`,
      [jobId, actor.accountId, actor.unitId, ctx.ip, ctx.correlationId],
    );
  }

  /**
   * A session advisory lock per job: the job's own connection holds it while the job runs, so whoever
   * can take it knows the job's runner is gone (a node stopped or crashed mid-job).
   */
  async tryLock(jobId: string, q: Q): Promise<boolean> {
    const [r] = await q.query(`SELECT pg_try_advisory_lock(4242, hashtext($1)) AS ok`, [jobId]);
    return r.ok === true;
  }

  async unlock(jobId: string, q: Q): Promise<void> {
    await q.query(`SELECT pg_advisory_unlock(4242, hashtext($1))`, [jobId]);
  }
}

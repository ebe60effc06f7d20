import { createHash } from 'node:crypto';
import { Injectable, Optional } from '@nestjs/common';
import { Role } from '@tmis/access';
import { AuditRepository } from '@tmis/audit';
import { CATALOGUE_VERSION, type CustomFieldDefinition } from '@tmis/core-indicators';
import { isUniqueViolation, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { ConfirmedTraining, CustomFieldsService, ReviewRepository, TeacherRepository } from '@tmis/teachers';
import type { RowError, UnitInfo } from './assess.js';
import { startAssessor } from './assessor.js';
import { BulkRepository, type BulkJobRow, type JobCounts, type ValidationStamp } from './bulk.repository.js';
import { readRowsInWorker } from './read-rows.js';
import type { SheetRef } from './file-check.js';

/** Errors kept per job (the counts go on); a file of garbage must not fill the database. */
export const MAX_ERRORS = 10_000;
const STAGE_BATCH = 1000;
const PERSON_BATCH = 1000;
const PROGRESS_EVERY = 5000;

export class JobInterrupted extends Error {}

export interface RunContext {
  signal: AbortSignal;
  /** The job's own session (it holds the job's lock). */
  sessionPid: number;
  /** The backend of the commit's transaction while it runs (a stop cancels its statement). */
  backendPid?: number;
  ip: string | null;
  correlationId: string | null;
}

/**
 * One import job from the uploaded file to its end state: read every data sheet as a stream into
 * the job's staging rows; validate person by person (the API's rules, plus scope, duplicates and
 * review locks) into staged persons; then, unless it is a dry run or all-or-nothing met an error,
 * write everything in ONE transaction — records, history, review events, audit, and the job's own
 * end state — so a stop at any point leaves either nothing or everything.
 *
 * A dry run keeps its staged persons. Its commit writes them without reading and validating the file
 * again when nothing they depend on moved: the same catalogue version and custom field definitions,
 * and every staged record still at the version (and review state) it was validated at, every new
 * person still without a record. Otherwise the commit validates the file again, as before.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly repo: BulkRepository,
    private readonly custom: CustomFieldsService,
    private readonly teachers: TeacherRepository,
    private readonly reviews: ReviewRepository,
    private readonly audit: AuditRepository,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    /** Sub-set 13's confirmed training: rows of an export that carry it are not typed data (assess.ts). */
    @Optional() private readonly training?: ConfirmedTraining,
  ) {}

  async run(job: BulkJobRow, ctx: RunContext): Promise<void> {
    const check = () => {
      if (ctx.signal.aborted) throw new JobInterrupted();
    };
    const customDefs = await this.custom.current();
    const stamp: ValidationStamp = {
      catalogueVersion: CATALOGUE_VERSION,
      customFields: createHash('sha256').update(JSON.stringify(customDefs)).digest('hex'),
    };
    if (!job.dryRun && job.sourceJobId) {
      const src = await this.repo.findJob(job.sourceJobId);
      if (src && (await this.stillValid(src, job, stamp))) {
        await this.repo.copyErrors(src.id, job.id);
        await this.repo.setJob(job.id, {
          state: 'validating',
          started: true,
          progress: { phase: 'validating', rowsRead: src.counts.rows, personsTotal: src.counts.persons },
        });
        const kept = src.errorsTruncated ? MAX_ERRORS : (src.counts.errors ?? 0);
        await this.decideAndCommit(job, ctx, { ...src.counts }, kept, src.counts.persons ?? 0, src.id);
        return;
      }
    }
    const letters = new Map<string, Map<string, string>>();
    const counts: JobCounts = {
      rows: 0,
      persons: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      invalidPersons: 0,
      errors: 0,
    };
    let kept = 0;
    const pendingErrors: RowError[] = [];
    const flushErrors = async () => {
      const room = Math.max(0, MAX_ERRORS - kept);
      const batch = pendingErrors.splice(0).slice(0, room);
      kept += batch.length;
      await this.repo.insertErrors(job.id, batch);
    };
    const addErrors = async (errs: RowError[]) => {
      counts.errors! += errs.length;
      pendingErrors.push(...errs);
      if (pendingErrors.length >= 500) await flushErrors();
    };

    // 1. Read (in a worker thread): every data row into the staging table, in batches.
    await this.repo.setJob(job.id, { state: 'validating', started: true, progress: { phase: 'reading', rowsRead: 0 } });
    let headerProblems = false;
    let reported = 0;
    const input = {
      format: job.format,
      filePath: job.filePath!,
      sheets: (job.layout.sheets ?? []) as SheetRef[],
      customDefs: customDefs as CustomFieldDefinition[],
    };
    for await (const b of readRowsInWorker(input, STAGE_BATCH)) {
      check();
      for (const [sheet, keys] of b.letters) letters.set(sheet, new Map(keys));
      headerProblems ||= b.headerProblems;
      counts.rows = b.rowsRead;
      counts.invalidPersons! += b.invalidPersons;
      if (b.errors.length) await addErrors(b.errors);
      await this.repo.stageRows(job.id, b.rows);
      if (b.rowsRead - reported >= PROGRESS_EVERY) {
        reported = b.rowsRead;
        await this.repo.setJob(job.id, { progress: { phase: 'reading', rowsRead: counts.rows } });
      }
    }
    check();
    if (headerProblems) {
      await flushErrors();
      await this.finish(
        job,
        'failed',
        counts,
        kept,
        "The sheets' header rows do not match the layout; nothing was written",
        '表头与模板不一致，未写入任何数据',
      );
      return;
    }

    // 2. Validate person by person (the staging rows analyzed first: the batches below read them by key).
    await this.repo.analyzeStaging('rows');
    const personsTotal = await this.repo.countPersons(job.id);
    counts.persons = personsTotal + 0;
    await this.repo.setJob(job.id, {
      progress: { phase: 'validating', rowsRead: counts.rows, personsValidated: 0, personsTotal },
    });
    const actor = job.actor;
    const writer = actor.role === Role.InfoAdmin ? (actor.unitLevel >= 5 ? 'school' : 'department') : null;
    if (!writer) throw new Error('only information administrators import');
    const units = new Map<string, UnitInfo | null>();
    let after: [string, string] = ['', ''];
    let validated = 0;
    /** The next batch's persons with what validating them needs from the database. */
    const fetchBatch = async () => {
      const { keys, rows } = await this.repo.nextPersons(job.id, after, PERSON_BATCH);
      if (!keys.length) return null;
      after = keys[keys.length - 1];
      const missing = [
        ...new Set(rows.map((r) => r.data.unitCode).filter((c): c is string => typeof c === 'string' && !units.has(c))),
      ];
      if (actor.unitLevel >= 5 && !units.has(actor.unitCode)) missing.push(actor.unitCode);
      for (const c of missing) units.set(c, null);
      for (const u of await this.repo.unitsByCode(missing)) units.set(u.code, u);
      const found = await this.teachers.findForImport(keys);
      // Only a batch with sub-set 13 rows needs the confirmed training its rows are checked against.
      const training =
        this.training && rows.some((r) => r.subSet === 'domesticTraining')
          ? await this.training.entriesForMany(found.map((t) => t.id))
          : new Map<string, Record<string, unknown>[]>();
      const existing = new Map(
        found.map((t) => [`${t.idType}\u0000${t.idNumber}`, { ...t, confirmed: training.get(t.id) }]),
      );
      return { persons: keys.length, rows, existing };
    };
    // The rules run in a worker thread (assess.worker.ts; a file of one batch: here), one batch at a
    // time, while this thread fetches the next batch and stages the previous one's outcome.
    const assessor = await startAssessor(
      {
        writer,
        scopePath: actor.unitPath,
        defaultUnitCode: actor.unitLevel >= 5 ? actor.unitCode : undefined,
        customDefs: customDefs as CustomFieldDefinition[],
        letters: [...letters].map(([sheet, keys]) => [sheet, [...keys]]),
      },
      personsTotal,
      PERSON_BATCH,
    );
    try {
      let batch = await fetchBatch();
      while (batch) {
        check();
        const assessing = assessor.assess(batch.rows, batch.existing, units);
        assessing.catch(() => undefined);
        const persons = batch.persons;
        batch = await fetchBatch();
        const out = await assessing;
        counts.invalidPersons! += out.invalidPersons;
        counts.unchanged! += out.unchanged;
        counts.created! += out.created;
        counts.updated! += out.updated;
        if (out.reRegistered) counts.reRegistered = (counts.reRegistered ?? 0) + out.reRegistered;
        await addErrors(out.errors);
        await this.repo.stageActions(job.id, out.staged);
        validated += persons;
        await this.repo.setJob(job.id, {
          progress: { phase: 'validating', rowsRead: counts.rows, personsValidated: validated, personsTotal },
        });
      }
    } finally {
      await assessor.close();
    }
    await flushErrors();
    await this.repo.clearRows(job.id);

    if (job.dryRun) {
      await this.repo.setJob(job.id, { validatedWith: stamp });
      await this.finish(
        job,
        'validated',
        counts,
        kept,
        counts.errors
          ? `Dry run: ${counts.errors} error(s) in ${counts.invalidPersons} person(s); nothing was written`
          : 'Dry run: the file is clean; nothing was written',
        counts.errors
          ? `试导入：${counts.invalidPersons}人共${counts.errors}处错误；未写入任何数据`
          : '试导入：文件无错误；未写入任何数据',
      );
      return;
    }
    await this.decideAndCommit(job, ctx, counts, kept, validated, job.id);
  }

  /** Whether a dry run's staged persons can be committed as they are (see the class comment). */
  private async stillValid(src: BulkJobRow, job: BulkJobRow, stamp: ValidationStamp): Promise<boolean> {
    if (!src.dryRun || src.state !== 'validated' || src.fileHash !== job.fileHash) return false;
    const v = src.validatedWith;
    if (!v || v.catalogueVersion !== stamp.catalogueVersion || v.customFields !== stamp.customFields) return false;
    const expected = (src.counts.created ?? 0) + (src.counts.updated ?? 0);
    if ((await this.repo.stagedCount(src.id)) !== expected) return false;
    return (await this.teachers.staleForImport(src.id)) === 0;
  }

  /** 3. Decide; commit the staged persons of `stagingId` (this job's, or the dry run's it commits) in one transaction. */
  private async decideAndCommit(
    job: BulkJobRow,
    ctx: RunContext,
    counts: JobCounts,
    kept: number,
    validated: number,
    stagingId: string,
  ): Promise<void> {
    try {
      await this.commitStaged(job, ctx, counts, kept, validated, stagingId);
    } finally {
      await this.repo.clearStaging(job.id).catch(() => undefined);
      // The dry run this job commits is consumed, whether its staged persons were used or validated again.
      if (job.sourceJobId) await this.repo.clearStaging(job.sourceJobId).catch(() => undefined);
    }
  }

  private async commitStaged(
    job: BulkJobRow,
    ctx: RunContext,
    counts: JobCounts,
    kept: number,
    validated: number,
    stagingId: string,
  ): Promise<void> {
    const check = () => {
      if (ctx.signal.aborted) throw new JobInterrupted();
    };
    const actor = job.actor;
    const personsTotal = counts.persons;
    const actions = (counts.created ?? 0) + (counts.updated ?? 0);
    if (counts.errors && job.mode === 'all-or-nothing') {
      await this.finish(
        job,
        'failed',
        counts,
        kept,
        `${counts.errors} error(s) in ${counts.invalidPersons} person(s): all-or-nothing, so nothing was written`,
        `${counts.invalidPersons}人共${counts.errors}处错误：按“全部或全不”模式，未写入任何数据`,
      );
      return;
    }
    check();
    await this.repo.setJob(job.id, {
      state: 'committing',
      progress: { phase: 'committing', rowsRead: counts.rows, personsValidated: validated, personsTotal, committed: 0 },
    });
    const done = { ...counts };
    // How long each set-based step took (ms), kept on the job for whoever tunes the node.
    const timings: Record<string, number> = {};
    let t = performance.now();
    const lap = (step: string) => {
      const now = performance.now();
      timings[step] = Math.round(now - t);
      t = now;
    };
    await this.repo.analyzeStaging('persons');
    lap('analyze');
    try {
      await this.txHost.withTransaction(async () => {
        ctx.backendPid = await this.repo.backendPid();
        check();
        const created = await this.teachers.insertFromImport(stagingId);
        lap('records');
        check();
        await this.repo.setJob(job.id, {
          progress: {
            phase: 'committing',
            rowsRead: counts.rows,
            personsValidated: validated,
            personsTotal,
            committed: created,
          },
        });
        const { expected, updated } = await this.teachers.updateFromImport(stagingId);
        lap('updates');
        if (updated !== expected) throw new StaleDuringImport(expected - updated);
        check();
        await this.teachers.addChangesFromImport(stagingId, actor);
        lap('history');
        await this.reviews.addSubmitEventsFromImport(stagingId, actor);
        lap('reviewEvents');
        await this.audit.writeFromImport(stagingId, actor, { ip: ctx.ip, correlationId: ctx.correlationId });
        lap('audit');
        check();
        // Consumed with the commit: a job seen as committed never leaves staged persons behind.
        await this.repo.clearStaging(stagingId);
        if (stagingId !== job.id) await this.repo.clearStaging(job.id);
        await this.repo.setJob(
          job.id,
          {
            state: 'committed',
            counts: done,
            finished: true,
            errorsTruncated: (counts.errors ?? 0) > kept,
            progress: {
              phase: 'done',
              rowsRead: counts.rows,
              personsValidated: validated,
              personsTotal,
              committed: actions,
              timingsMs: timings,
            },
            message: `Committed: ${created} created, ${updated} updated, ${counts.unchanged} unchanged${counts.errors ? `; ${counts.invalidPersons} person(s) with errors skipped` : ''}`,
            messageZh: `已提交：新增${created}人，修改${updated}人，无变化${counts.unchanged}人${counts.errors ? `；跳过有错误的${counts.invalidPersons}人` : ''}`,
          },
          { inTransaction: true },
        );
      });
    } catch (e) {
      ctx.backendPid = undefined;
      if (e instanceof StaleDuringImport) {
        await this.finish(
          job,
          'failed',
          counts,
          kept,
          `${e.count} record(s) changed while the file was validated: nothing was written; run the import again`,
          `校验期间有${e.count}份档案被修改：未写入任何数据，请重新导入`,
        );
        return;
      }
      if (isUniqueViolation(e)) {
        await this.finish(
          job,
          'failed',
          counts,
          kept,
          'A person of the file got a record while the file was validated: nothing was written; run the import again',
          '校验期间文件中有人员新建了档案：未写入任何数据，请重新导入',
        );
        return;
      }
      throw e;
    } finally {
      ctx.backendPid = undefined;
    }
  }

  private async finish(
    job: BulkJobRow,
    state: 'validated' | 'failed',
    counts: JobCounts,
    kept: number,
    message: string,
    messageZh: string,
  ): Promise<void> {
    const c = { ...counts };
    if (state === 'failed') {
      c.created = 0;
      c.updated = 0;
    }
    await this.repo.setJob(job.id, {
      state,
      counts: c,
      finished: true,
      errorsTruncated: (counts.errors ?? 0) > kept,
      progress: { phase: 'done', rowsRead: counts.rows, personsTotal: counts.persons },
      message,
      messageZh,
    });
  }
}

class StaleDuringImport extends Error {
  constructor(readonly count: number) {
    super('stale');
  }
}

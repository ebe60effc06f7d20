import { Injectable } from '@nestjs/common';
import { Role } from '@tmis/access';
import type { CustomFieldDefinition } from '@tmis/core-indicators';
import { CustomFieldsService } from '@tmis/teachers';
import type { QueryRunner } from 'typeorm';
import {
  assessPerson,
  IMPORT_PROBLEMS,
  rowError,
  type PersonAction,
  type RowError,
  type StagedRow,
  type UnitInfo,
} from './assess.js';
import { BulkRepository, type BulkJobRow, type JobCounts } from './bulk.repository.js';
import { cellToValue } from './cells.js';
import { ALL_SETS, columnLetter, sheetLayouts, type LayoutColumn } from './layout.js';
import { readCsv, readXlsx, type ReadEvent } from './readers.js';
import type { SheetRef } from './file-check.js';

/** Errors kept per job (the counts go on); a file of garbage must not fill the database. */
export const MAX_ERRORS = 10_000;
const STAGE_BATCH = 1000;
const PERSON_BATCH = 1000;
const PROGRESS_EVERY = 5000;

export class JobInterrupted extends Error {}

export interface RunContext {
  qr: QueryRunner;
  signal: AbortSignal;
  ip: string | null;
  correlationId: string | null;
}

/**
 * One import job from the uploaded file to its end state: read every data sheet as a stream into
 * the job's staging rows; validate person by person (the API's rules, plus scope, duplicates and
 * review locks); then, unless it is a dry run or all-or-nothing met an error, write everything in
 * ONE transaction — records, history, review events, audit, and the job's own end state — so a
 * stop at any point leaves either nothing or everything.
 */
@Injectable()
export class ImportRunner {
  constructor(
    private readonly repo: BulkRepository,
    private readonly custom: CustomFieldsService,
  ) {}

  async run(job: BulkJobRow, ctx: RunContext): Promise<void> {
    const { qr } = ctx;
    const check = () => {
      if (ctx.signal.aborted) throw new JobInterrupted();
    };
    const customDefs = await this.custom.current();
    const allowed = new Map(
      sheetLayouts(ALL_SETS, customDefs).map((l) => [l.subSet, new Map(l.columns.map((c) => [c.key, c]))]),
    );
    const headers = new Map<string, (LayoutColumn | null)[]>();
    const letters = new Map<string, Map<string, string>>();
    const colOf = (sheet: string, key: string) => letters.get(sheet)?.get(key) ?? null;
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
      await this.repo.insertErrors(job.id, batch, qr);
    };
    const addErrors = async (errs: RowError[]) => {
      counts.errors! += errs.length;
      pendingErrors.push(...errs);
      if (pendingErrors.length >= 500) await flushErrors();
    };

    // 1. Read: every data row into the staging table, in batches.
    await this.repo.setJob(job.id, { state: 'validating', started: true, progress: { phase: 'reading', rowsRead: 0 } });
    let headerProblems = false;
    let seq = 0;
    let batch: StagedRow[] = [];
    const events: AsyncGenerator<ReadEvent | { kind: 'meta'; meta: Record<string, string> }> =
      job.format === 'xlsx' ? readXlsx(job.filePath!, (job.layout.sheets ?? []) as SheetRef[]) : readCsv(job.filePath!);
    for await (const e of events) {
      if (e.kind === 'meta') continue;
      if (e.kind === 'header') {
        const cols = allowed.get(e.subSet)!;
        const mapped: (LayoutColumn | null)[] = [];
        const byKey = new Map<string, string>();
        const unknown: RowError[] = [];
        e.keys.forEach((k, i) => {
          if (!k) return;
          const c = cols.get(k);
          if (!c || byKey.has(k)) {
            unknown.push({
              sheet: e.sheet,
              rowNo: 3,
              col: columnLetter(i),
              field: k,
              value: k,
              code: 'unknownColumn',
              en: IMPORT_PROBLEMS.unknownColumn[0],
              zh: IMPORT_PROBLEMS.unknownColumn[1],
            });
            return;
          }
          mapped[i] = c;
          byKey.set(k, columnLetter(i));
        });
        if (unknown.length) {
          headerProblems = true;
          await addErrors(unknown);
        }
        for (const k of ['idType', 'idNumber'].filter((k) => !byKey.has(k))) {
          headerProblems = true;
          await addErrors([
            {
              sheet: e.sheet,
              rowNo: 3,
              col: null,
              field: k,
              value: null,
              code: 'missingColumn',
              en: `${IMPORT_PROBLEMS.missingColumn[0]}: ${k}`,
              zh: `${IMPORT_PROBLEMS.missingColumn[1]}：${k}`,
            },
          ]);
        }
        headers.set(e.sheet, mapped);
        letters.set(e.sheet, byKey);
        continue;
      }
      const cols = headers.get(e.sheet);
      if (!cols) continue;
      const data: Record<string, unknown> = {};
      let any = false;
      for (let i = 1; i < e.cells.length; i++) {
        const c = cols[i];
        if (!c) continue;
        const v = cellToValue(c, e.cells[i]);
        if (v !== undefined) {
          data[c.key] = v;
          any = true;
        }
      }
      if (!any) continue;
      counts.rows! += 1;
      const idType = typeof data.idType === 'string' ? data.idType : '';
      const idNumber = typeof data.idNumber === 'string' ? data.idNumber : '';
      if (!idType || !idNumber) {
        const [en, zh] = IMPORT_PROBLEMS.missingKey;
        await addErrors([
          rowError(
            { sheet: e.sheet, rowNo: e.rowNo, data },
            { colOf },
            !idType ? 'idType' : 'idNumber',
            'missingKey',
            en,
            zh,
          ),
        ]);
        counts.invalidPersons! += 1;
        continue;
      }
      batch.push({ seq: ++seq, sheet: e.sheet, rowNo: e.rowNo, subSet: e.subSet, idType, idNumber, data });
      if (batch.length >= STAGE_BATCH) {
        check();
        await this.repo.stageRows(job.id, batch, qr);
        batch = [];
      }
      if (counts.rows! % PROGRESS_EVERY === 0)
        await this.repo.setJob(job.id, { progress: { phase: 'reading', rowsRead: counts.rows } });
    }
    await this.repo.stageRows(job.id, batch, qr);
    batch = [];
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

    // 2. Validate person by person.
    const personsTotal = await this.repo.countPersons(job.id, qr);
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
    let actions = 0;
    for (;;) {
      check();
      const { keys, rows } = await this.repo.nextPersons(job.id, after, PERSON_BATCH, qr);
      if (!keys.length) break;
      after = keys[keys.length - 1];
      const missing = [
        ...new Set(rows.map((r) => r.data.unitCode).filter((c): c is string => typeof c === 'string' && !units.has(c))),
      ];
      if (actor.unitLevel >= 5 && !units.has(actor.unitCode)) missing.push(actor.unitCode);
      for (const c of missing) units.set(c, null);
      for (const u of await this.repo.unitsByCode(missing, qr)) units.set(u.code, u);
      const existing = new Map((await this.repo.existing(keys, qr)).map((t) => [`${t.idType}\u0000${t.idNumber}`, t]));
      const byPerson = new Map<string, StagedRow[]>();
      for (const r of rows) {
        const k = `${r.idType}\u0000${r.idNumber}`;
        (byPerson.get(k) ?? byPerson.set(k, []).get(k)!).push(r);
      }
      const staged: (PersonAction & { idType: string; idNumber: string })[] = [];
      const errs: RowError[] = [];
      for (const [k, personRows] of byPerson) {
        const out = assessPerson(personRows, existing.get(k), {
          writer,
          scopePath: actor.unitPath,
          defaultUnitCode: actor.unitLevel >= 5 ? actor.unitCode : undefined,
          units,
          customDefs: customDefs as CustomFieldDefinition[],
          colOf,
        });
        if (out.errors.length) {
          counts.invalidPersons! += 1;
          errs.push(...out.errors);
        } else if (out.unchanged) counts.unchanged! += 1;
        else if (out.action) {
          staged.push({ ...out.action, idType: personRows[0].idType, idNumber: personRows[0].idNumber });
          if (out.action.kind === 'create') counts.created! += 1;
          else counts.updated! += 1;
        }
      }
      await addErrors(errs);
      await this.repo.stageActions(job.id, staged, qr);
      actions += staged.length;
      validated += byPerson.size;
      await this.repo.setJob(job.id, {
        progress: { phase: 'validating', rowsRead: counts.rows, personsValidated: validated, personsTotal },
      });
    }
    await flushErrors();
    await this.repo.clearRows(job.id, qr);

    // 3. Decide; commit in one transaction.
    if (job.dryRun) {
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
    await qr.startTransaction('READ COMMITTED');
    try {
      check();
      const created = await this.repo.commitCreates(job.id, qr);
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
      const { expected, updated } = await this.repo.commitUpdates(job.id, qr);
      if (updated !== expected) throw new StaleDuringImport(expected - updated);
      check();
      await this.repo.commitTrail(
        job.id,
        { accountId: actor.accountId, role: actor.role, unitId: actor.unitId },
        { ip: ctx.ip, correlationId: ctx.correlationId },
        qr,
      );
      check();
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
          },
          message: `Committed: ${created} created, ${updated} updated, ${counts.unchanged} unchanged${counts.errors ? `; ${counts.invalidPersons} person(s) with errors skipped` : ''}`,
          messageZh: `已提交：新增${created}人，修改${updated}人，无变化${counts.unchanged}人${counts.errors ? `；跳过有错误的${counts.invalidPersons}人` : ''}`,
        },
        qr,
      );
      await qr.commitTransaction();
    } catch (e) {
      await qr.rollbackTransaction().catch(() => undefined);
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
      if ((e as { code?: string }).code === '23505') {
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
      await this.repo.clearStaging(job.id, qr).catch(() => undefined);
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

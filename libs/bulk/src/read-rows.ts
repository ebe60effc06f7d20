import type { CustomFieldDefinition } from '@tmis/core-indicators';
import { IMPORT_PROBLEMS, rowError, type RowError, type StagedRow } from './assess.js';
import { cellToValue } from './cells.js';
import type { SheetRef } from './file-check.js';
import { ALL_SETS, columnLetter, sheetLayouts, type LayoutColumn } from './layout.js';
import { readCsv, readXlsx, type ReadEvent } from './readers.js';

/** What is read from an uploaded file: its format, path and (xlsx) the data sheets the file check found. */
export interface ReadInput {
  format: 'xlsx' | 'csv';
  filePath: string;
  sheets: SheetRef[];
  customDefs: CustomFieldDefinition[];
}

/** One batch of what the file says: rows to stage, row problems, and the column letters of new headers. */
export interface ReadBatch {
  rows: StagedRow[];
  errors: RowError[];
  /** Header problems make the whole file fail. */
  headerProblems: boolean;
  /** Data rows read so far (rows with at least one value). */
  rowsRead: number;
  /** Rows without a person key (each counted as an invalid person). */
  invalidPersons: number;
  /** Column letters by key, per sheet, for sheets whose header was read in this batch. */
  letters: [string, [string, string][]][];
}

/**
 * Reads a file into staged rows: header rows mapped to the layout's columns (unknown or missing key
 * columns are header problems), cells converted to values, rows without a person key reported. Pure
 * apart from reading the file, so it runs in a worker thread (`read.worker.ts`).
 */
export async function* readRows(input: ReadInput, batchSize: number): AsyncGenerator<ReadBatch> {
  const allowed = new Map(
    sheetLayouts(ALL_SETS, input.customDefs).map((l) => [l.subSet, new Map(l.columns.map((c) => [c.key, c]))]),
  );
  const headers = new Map<string, (LayoutColumn | null)[]>();
  const letters = new Map<string, Map<string, string>>();
  const colOf = (sheet: string, key: string) => letters.get(sheet)?.get(key) ?? null;
  let rowsRead = 0;
  let seq = 0;
  let out: ReadBatch = { rows: [], errors: [], headerProblems: false, rowsRead: 0, invalidPersons: 0, letters: [] };
  const events: AsyncGenerator<ReadEvent | { kind: 'meta'; meta: Record<string, string> }> =
    input.format === 'xlsx' ? readXlsx(input.filePath, input.sheets) : readCsv(input.filePath);
  for await (const e of events) {
    if (e.kind === 'meta') continue;
    if (e.kind === 'header') {
      const cols = allowed.get(e.subSet)!;
      const mapped: (LayoutColumn | null)[] = [];
      const byKey = new Map<string, string>();
      e.keys.forEach((k, i) => {
        if (!k) return;
        const c = cols.get(k);
        if (!c || byKey.has(k)) {
          out.headerProblems = true;
          out.errors.push({
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
      for (const k of ['idType', 'idNumber'].filter((k) => !byKey.has(k))) {
        out.headerProblems = true;
        out.errors.push({
          sheet: e.sheet,
          rowNo: 3,
          col: null,
          field: k,
          value: null,
          code: 'missingColumn',
          en: `${IMPORT_PROBLEMS.missingColumn[0]}: ${k}`,
          zh: `${IMPORT_PROBLEMS.missingColumn[1]}：${k}`,
        });
      }
      headers.set(e.sheet, mapped);
      letters.set(e.sheet, byKey);
      out.letters.push([e.sheet, [...byKey]]);
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
    rowsRead += 1;
    const idType = typeof data.idType === 'string' ? data.idType : '';
    const idNumber = typeof data.idNumber === 'string' ? data.idNumber : '';
    if (!idType || !idNumber) {
      const [en, zh] = IMPORT_PROBLEMS.missingKey;
      out.errors.push(
        rowError(
          { sheet: e.sheet, rowNo: e.rowNo, data },
          { colOf },
          !idType ? 'idType' : 'idNumber',
          'missingKey',
          en,
          zh,
        ),
      );
      out.invalidPersons += 1;
      continue;
    }
    out.rows.push({ seq: ++seq, sheet: e.sheet, rowNo: e.rowNo, subSet: e.subSet, idType, idNumber, data });
    if (out.rows.length >= batchSize || out.errors.length >= batchSize) {
      out.rowsRead = rowsRead;
      yield out;
      out = { rows: [], errors: [], headerProblems: false, rowsRead, invalidPersons: 0, letters: [] };
    }
  }
  out.rowsRead = rowsRead;
  yield out;
}

/**
 * `readRows` in a worker thread: batches as they are read, the next one read while the caller stages
 * this one. Stops the worker when the caller stops early (an aborted job).
 */
export async function* readRowsInWorker(input: ReadInput, batchSize: number): AsyncGenerator<ReadBatch> {
  const { Worker } = await import('node:worker_threads');
  // A bounded heap: the reader streams, so a file's size does not grow it (a runaway fails the job, not the node).
  const worker = new Worker(new URL('./read.worker.js', import.meta.url), {
    workerData: { input, batchSize },
    resourceLimits: { maxOldGenerationSizeMb: 256 }, // a smaller young generation made reading 3× slower
  });
  const queue: ({ batch: ReadBatch } | { done: true } | { error: string })[] = [];
  let wake: (() => void) | null = null;
  const push = (m: (typeof queue)[number]) => {
    queue.push(m);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (e) => push({ error: e.message }));
  worker.on('exit', (code) => push(code === 0 ? { done: true } : { error: `the reader stopped (${code})` }));
  try {
    for (;;) {
      if (!queue.length) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if ('error' in m) throw new Error(m.error);
      if ('done' in m) return;
      worker.postMessage('next'); // the worker reads the next batch while this one is staged
      yield m.batch;
    }
  } finally {
    await worker.terminate();
  }
}

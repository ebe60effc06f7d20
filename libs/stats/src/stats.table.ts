import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { csvField } from '@tmis/common';
import type { Labelled } from './dimensions.js';

export interface Bilingual {
  zh: string;
  en: string;
}

export interface StatsTableRow {
  /** The unit of the row when broken down by level. */
  unit?: Labelled;
  /** One labelled code per dimension of `by`. */
  values: Record<string, Labelled>;
  /** People (or, in a breakdown by a multi-valued dimension, people per value); null when suppressed. */
  count: number | null;
  suppressed: boolean;
}

/** A statistics table as the API returns it (and exports it). */
export interface StatsTable {
  title: Bilingual;
  asOf: string;
  /** Always `facts`: the fact table as of `asOf`, held in memory by the node (ADR 0008). */
  source: 'facts';
  /** How this process counted: its pre-aggregated cubes, or a scan of every teacher's facts (ADR 0018). */
  answeredFrom?: 'cubes' | 'scan';
  scope: Labelled & { id: string; kind: string };
  level: string | null;
  by: ({ key: string } & Bilingual)[];
  filters: { dimension: { key: string } & Bilingual; values: Labelled[] }[];
  includeInactive: boolean;
  rows: StatsTableRow[];
  /** People in scope passing the filters (each person once). */
  total: number;
  counting: Bilingual;
  suppression: { applied: boolean; threshold: number; suppressedCells: number; rule: Bilingual };
  notes: Bilingual[];
}

/** Column keys and the cell values of each row, shared by CSV and xlsx. */
export function tabulate(t: StatsTable): { header: string[]; rows: (string | number | null)[][] } {
  const header = [
    ...(t.level ? ['unit_code', 'unit_zh', 'unit_en'] : []),
    ...t.by.flatMap((d) => [`${d.key}_code`, `${d.key}_zh`, `${d.key}_en`]),
    'count',
    'suppressed',
  ];
  const rows = t.rows.map((r) => [
    ...(t.level ? [r.unit?.code ?? null, r.unit?.zh ?? '', r.unit?.en ?? ''] : []),
    ...t.by.flatMap((d) => [r.values[d.key].code, r.values[d.key].zh, r.values[d.key].en]),
    r.count,
    r.suppressed ? 1 : 0,
  ]);
  return { header, rows };
}

/** Rows per chunk when a table is streamed as CSV. */
const CHUNK_ROWS = 500;
/** Bytes per chunk when a table is streamed as JSON. */
const JSON_CHUNK_BYTES = 1 << 17;

/**
 * The table as UTF-8 JSON, ~128 KiB at a time (a large table is never one string in memory). A large table
 * repeats a few label objects (a unit, a code) on many rows: each is encoded once and its bytes copied
 * into the chunk, with the row's count written as digits, instead of each row's JSON built as a string
 * and encoded again (~3× faster at 12,000 rows, and a few buffers of garbage instead of ~100,000 strings).
 */
export function* jsonChunks(t: StatsTable): Generator<Buffer> {
  const { rows, ...rest } = t;
  const encoded = new Map<unknown, Buffer>();
  const bytes = (v: Labelled | string): Buffer => {
    let b = encoded.get(v);
    if (b === undefined) encoded.set(v, (b = Buffer.from(JSON.stringify(v))));
    return b;
  };
  const UNIT = Buffer.from('{"unit":');
  const VALUES_AFTER_UNIT = Buffer.from(',"values":{');
  const VALUES = Buffer.from('{"values":{');
  const COUNT = Buffer.from('},"count":');
  const SHOWN = Buffer.from(',"suppressed":false}');
  const HIDDEN = Buffer.from(',"suppressed":true}');
  let buf = Buffer.allocUnsafe(JSON_CHUNK_BYTES);
  let pos = 0;
  const room = (n: number) => {
    if (pos + n <= buf.length) return;
    // A row longer than what is left of a chunk (long labels): the chunk grows.
    const grown = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
    buf.copy(grown, 0, 0, pos);
    buf = grown;
  };
  const put = (b: Buffer) => {
    room(b.length);
    buf.set(b, pos);
    pos += b.length;
  };
  const putByte = (c: number) => {
    room(1);
    buf[pos++] = c;
  };
  put(Buffer.from(JSON.stringify(rest).slice(0, -1) + ',"rows":['));
  for (let i = 0; i < rows.length; i++) {
    if (pos > JSON_CHUNK_BYTES - 1024) {
      yield buf.subarray(0, pos);
      buf = Buffer.allocUnsafe(JSON_CHUNK_BYTES);
      pos = 0;
    }
    const r = rows[i];
    if (i) putByte(COMMA);
    if (r.unit) {
      put(UNIT);
      put(bytes(r.unit));
      put(VALUES_AFTER_UNIT);
    } else put(VALUES);
    let first = true;
    for (const k in r.values) {
      if (!first) putByte(COMMA);
      first = false;
      put(bytes(k));
      putByte(COLON);
      put(bytes(r.values[k]));
    }
    put(COUNT);
    if (r.count === null) put(NULL);
    else {
      const digits = String(r.count);
      room(digits.length);
      pos += buf.write(digits, pos, 'latin1');
    }
    put(r.suppressed ? HIDDEN : SHOWN);
  }
  put(END);
  yield buf.subarray(0, pos);
}
const COMMA = 0x2c;
const COLON = 0x3a;
const NULL = Buffer.from('null');
const END = Buffer.from(']}');

/** The CSV of `toCsv`, a chunk of rows at a time. */
export function* csvChunks(t: StatsTable): Generator<string> {
  const { header, rows } = tabulate(t);
  yield '\ufeff' + header.map(csvField).join(',') + '\r\n';
  for (let i = 0; i < rows.length; i += CHUNK_ROWS)
    yield rows
      .slice(i, i + CHUNK_ROWS)
      .map((r) => r.map(csvField).join(',') + '\r\n')
      .join('');
}

/** RFC 4180 CSV with a UTF-8 byte-order mark (so that spreadsheet programs read the Chinese labels). */
export function toCsv(t: StatsTable): string {
  const { header, rows } = tabulate(t);
  return '\ufeff' + [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** An xlsx workbook: the table, and a sheet saying what it is (scope, filters, freshness, rules). */
export async function toXlsx(t: StatsTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'TMIS';
  wb.created = new Date(t.asOf);
  const data = wb.addWorksheet('data');
  const { header, rows } = tabulate(t);
  data.addRow(header);
  for (const r of rows) data.addRow(r);
  data.getRow(1).font = { bold: true };
  const about = wb.addWorksheet('about');
  for (const l of aboutLines(t)) about.addRow(l);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The same workbook written row by row to a stream (a large table: the rows are committed as they are
 * written, never one workbook in memory).
 */
export function xlsxStream(t: StatsTable): Readable {
  const out = new PassThrough();
  const write = async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    wb.creator = 'TMIS';
    wb.created = new Date(t.asOf);
    const data = wb.addWorksheet('data');
    const header = data.addRow(tabulate({ ...t, rows: [] }).header);
    header.font = { bold: true };
    header.commit();
    for (let i = 0; i < t.rows.length; i += CHUNK_ROWS) {
      for (const r of tabulate({ ...t, rows: t.rows.slice(i, i + CHUNK_ROWS) }).rows) data.addRow(r).commit();
      // The event loop free between chunks; the stream's reader sets the pace.
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    data.commit();
    const about = wb.addWorksheet('about');
    for (const l of aboutLines(t)) about.addRow(l).commit();
    about.commit();
    await wb.commit();
  };
  write().catch((e: unknown) => out.destroy(e as Error));
  return out;
}

function aboutLines(t: StatsTable): [string, string | number][] {
  return [
    ['title', `${t.title.zh} / ${t.title.en}`],
    ['asOf', t.asOf],
    ['source', t.source],
    ['scope', `${t.scope.code} ${t.scope.zh}`],
    ['level', t.level ?? ''],
    ['filters', t.filters.map((f) => `${f.dimension.key}: ${f.values.map((v) => v.code).join('|')}`).join('; ')],
    ['includeInactive', String(t.includeInactive)],
    ['total', t.total],
    ['counting', `${t.counting.zh} / ${t.counting.en}`],
    ['suppression', t.suppression.applied ? `${t.suppression.rule.zh} / ${t.suppression.rule.en}` : 'none'],
    ...t.notes.map((n): [string, string] => ['note', `${n.zh} / ${n.en}`]),
  ];
}

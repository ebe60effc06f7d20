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

/** Rows per chunk when a table is streamed. */
const CHUNK_ROWS = 500;

/** The table as JSON, a chunk of rows at a time (a large table is never one string in memory). */
export function* jsonChunks(t: StatsTable): Generator<string> {
  const { rows, ...rest } = t;
  // A large table repeats the same label objects (a unit, a code) on many rows: each is stringified once.
  const seen = new WeakMap<Labelled, string>();
  const label = (l: Labelled) => {
    let s = seen.get(l);
    if (s === undefined) seen.set(l, (s = JSON.stringify(l)));
    return s;
  };
  const row = (r: StatsTableRow) => {
    let values = '';
    for (const k in r.values) values += `${values ? ',' : ''}${JSON.stringify(k)}:${label(r.values[k])}`;
    return `{${r.unit ? `"unit":${label(r.unit)},` : ''}"values":{${values}},"count":${JSON.stringify(r.count)},"suppressed":${r.suppressed}}`;
  };
  yield JSON.stringify(rest).slice(0, -1) + ',"rows":[';
  for (let i = 0; i < rows.length; i += CHUNK_ROWS)
    yield (
      (i ? ',' : '') +
      rows
        .slice(i, i + CHUNK_ROWS)
        .map(row)
        .join(',')
    );
  yield ']}';
}

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

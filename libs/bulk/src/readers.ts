import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { TextDecoder } from 'node:util';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { bulkError, BulkErrorCode } from './bulk.errors.js';
import type { CellInput } from './cells.js';
import { checkMeta } from './file-check.js';
import { subSet as subSetDef } from '@tmis/core-indicators';
import { HEADER_ROWS, parseCsvMetaLine } from './layout.js';
import type { SheetRef } from './file-check.js';

/** One row of a data sheet: `cells[c]` is column c (1-based). */
export interface SheetRow {
  sheet: string;
  subSet: string;
  rowNo: number;
  cells: CellInput[];
}

export type ReadEvent =
  { kind: 'header'; sheet: string; subSet: string; keys: (string | null)[] } | ({ kind: 'row' } & SheetRow);

type ExcelValue = ExcelJS.CellValue;

/** A cell of the exceljs reader as plain input (rich text joined, hyperlinks as their text). */
export function excelCell(v: ExcelValue): CellInput {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) {
      const r = v.result;
      return r === undefined || (typeof r === 'object' && !(r instanceof Date)) ? null : r;
    }
    if ('error' in v) return String(v.error);
  }
  return String(v);
}

/**
 * The header and data rows of an xlsx's data sheets, as a stream (exceljs' streaming reader: one
 * row at a time; worksheets it meets before the shared strings go to temporary files, not memory).
 */
export async function* readXlsx(path: string, sheets: SheetRef[]): AsyncGenerator<ReadEvent> {
  const byFile = new Map(sheets.map((s) => [s.fileNo, s]));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  for await (const ws of reader) {
    const ref = byFile.get(String((ws as unknown as { id: string | number }).id));
    if (!ref?.subSet) {
      for await (const row of ws) void row;
      continue;
    }
    for await (const row of ws) {
      const values = row.values as ExcelValue[];
      const cells: CellInput[] = [];
      for (let c = 1; c < values.length; c++) cells[c] = excelCell(values[c]);
      if (row.number === HEADER_ROWS) {
        yield {
          kind: 'header',
          sheet: ref.name,
          subSet: ref.subSet,
          keys: cells.map((v) => (v === null || v === undefined ? null : String(v).trim() || null)),
        };
      } else if (row.number > HEADER_ROWS) {
        yield { kind: 'row', sheet: ref.name, subSet: ref.subSet, rowNo: row.number, cells };
      }
    }
  }
}

/** Decodes UTF-8 (with or without BOM) or, when the first 64 KiB are not UTF-8, GB18030. */
class DecodeTransform extends Transform {
  private decoder: TextDecoder | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor() {
    super({ readableObjectMode: false });
  }

  private choose(buf: Buffer): void {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf, { stream: true });
      this.decoder = new TextDecoder('utf-8');
    } catch {
      this.decoder = new TextDecoder('gb18030');
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.decoder) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < 64 * 1024) return cb();
      const all = Buffer.concat(this.pending);
      this.pending = [];
      this.choose(all);
      return cb(null, this.decoder!.decode(all, { stream: true }));
    }
    cb(null, this.decoder.decode(chunk, { stream: true }));
  }

  override _flush(cb: TransformCallback): void {
    let out = '';
    if (!this.decoder) {
      const all = Buffer.concat(this.pending);
      this.choose(all);
      out = this.decoder!.decode(all, { stream: true });
    }
    cb(null, out + this.decoder!.decode());
  }
}

/**
 * A CSV in the layout: line 1 `#tmis-bulk;…;subSet=…`, lines 2–4 the Chinese, English and key header
 * rows, then data. UTF-8 or GB18030; streamed through csv-parse. Row numbers are CSV record numbers.
 */
export async function* readCsv(
  path: string,
): AsyncGenerator<ReadEvent | { kind: 'meta'; meta: Record<string, string> }> {
  const parser = createReadStream(path)
    .pipe(new DecodeTransform())
    .pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }));
  let n = 0;
  let sheet = '';
  let subSet = '';
  for await (const rec of parser as AsyncIterable<string[]>) {
    n++;
    if (n === 1) {
      const meta = parseCsvMetaLine(rec.filter((c) => c !== '').join(','));
      if (!meta)
        throw bulkError(
          BulkErrorCode.NotATemplate,
          'The first line of a CSV must be the layout line (#tmis-bulk;…;subSet=…) of an export',
        );
      checkMeta({ format: meta.format, catalogueVersion: meta.catalogue ?? '', masked: meta.masked ?? 'false' });
      const ss = meta.subSet ? subSetDef(meta.subSet) : undefined;
      if (!ss) throw bulkError(BulkErrorCode.NotATemplate, `Unknown sub-set "${meta.subSet ?? ''}" in the layout line`);
      subSet = ss.key;
      sheet = ss.zh;
      yield { kind: 'meta', meta };
      continue;
    }
    const cells: CellInput[] = [];
    rec.forEach((v, i) => {
      cells[i + 1] = v;
    });
    if (n === HEADER_ROWS + 1)
      yield {
        kind: 'header',
        sheet,
        subSet,
        keys: cells.map((v) => (typeof v === 'string' && v.trim() ? v.trim() : null)),
      };
    else if (n > HEADER_ROWS + 1) yield { kind: 'row', sheet, subSet, rowNo: n, cells };
  }
  if (n === 0) throw bulkError(BulkErrorCode.NotATemplate, 'The CSV file is empty');
}

/** Reads a CSV's layout line only (the upload check): throws when it is not a current, unmasked layout. */
export async function inspectCsv(path: string): Promise<Record<string, string>> {
  for await (const e of readCsv(path)) if (e.kind === 'meta') return e.meta;
  throw bulkError(BulkErrorCode.NotATemplate, 'The CSV file is empty');
}

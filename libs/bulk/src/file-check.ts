import { open } from 'node:fs/promises';
import { TextDecoder } from 'node:util';
import { CATALOGUE_VERSION } from '@tmis/core-indicators';
import { bulkError, BulkErrorCode } from './bulk.errors.js';
import { CODES_SHEET, INSTRUCTIONS_SHEET, LAYOUT_FORMAT, META_SHEET, sheetBySubSetName } from './layout.js';
import { zipEntries, zipEntryStream, zipEntryText, ZipFormatError, type ZipEntry } from './zip.js';

export interface SheetRef {
  name: string;
  /** `xl/worksheets/sheetN.xml` */
  entry: string;
  /** N of `sheetN.xml` (what the exceljs stream reader calls the sheet id). */
  fileNo: string;
  subSet?: string;
}

export interface XlsxInspection {
  sheets: SheetRef[];
  meta: Record<string, string>;
}

/** Largest total of uncompressed worksheet XML accepted (a zip bomb guard). */
const MAX_XML_BYTES = 2 * 1024 ** 3;

/** `xlsx` (a zip), `csv` (text without control bytes, in UTF-8 or GB18030), or null. */
export async function sniffFormat(path: string): Promise<'xlsx' | 'csv' | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'xlsx';
    if (bytesRead === 0) return null;
    for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return null;
    if (decodes(head, 'utf-8') || decodes(head, 'gb18030')) return 'csv';
    return null;
  } finally {
    await fh.close();
  }
}

function decodes(buf: Buffer, encoding: string): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(buf, { stream: true });
    return true;
  } catch {
    return false;
  }
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const xmlDecode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');

/**
 * Checks an xlsx before anything is written: a real workbook, no macros, no formulas, no merged
 * cells, only the layout's sheets, and a `_meta` sheet of this catalogue version that is not a
 * masked export. Throws the matching problem+json error; reads the file as streams.
 */
export async function inspectXlsx(path: string): Promise<XlsxInspection> {
  let entries: ZipEntry[];
  try {
    entries = await zipEntries(path);
  } catch (e) {
    if (e instanceof ZipFormatError)
      throw bulkError(BulkErrorCode.NotASpreadsheet, `Not a readable zip archive: ${e.message}`);
    throw e;
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const contentTypes = byName.get('[Content_Types].xml');
  const workbook = byName.get('xl/workbook.xml');
  const rels = byName.get('xl/_rels/workbook.xml.rels');
  if (!contentTypes || !workbook || !rels)
    throw bulkError(BulkErrorCode.NotASpreadsheet, 'A zip archive, but not an xlsx workbook');
  if (entries.some((e) => /vbaProject\.bin$|\/macrosheets\/|\/activeX\/|\.bin$/i.test(e.name)))
    throw bulkError(BulkErrorCode.Macros, 'The workbook contains a macro (VBA) or binary part');
  const types = await zipEntryText(path, contentTypes);
  if (/macroEnabled|vbaProject/i.test(types)) throw bulkError(BulkErrorCode.Macros, 'The workbook is macro-enabled');

  const relTargets = new Map<string, string>();
  for (const m of (await zipEntryText(path, rels)).matchAll(/<Relationship\b[^>]*>/g)) {
    const id = attr(m[0], 'Id');
    const target = attr(m[0], 'Target');
    if (id && target) relTargets.set(id, target.replace(/^\/?(xl\/)?/, 'xl/'));
  }
  const sheets: SheetRef[] = [];
  for (const m of (await zipEntryText(path, workbook)).matchAll(/<sheet\b[^>]*>/g)) {
    const name = xmlDecode(attr(m[0], 'name') ?? '');
    const rid = attr(m[0], 'r:id') ?? attr(m[0], 'id');
    const entry = rid ? relTargets.get(rid) : undefined;
    const fileNo = entry ? /sheet(\d+)\.xml$/.exec(entry)?.[1] : undefined;
    if (!entry || !fileNo || !byName.has(entry))
      throw bulkError(
        BulkErrorCode.NotASpreadsheet,
        `Sheet "${name}" has no worksheet part (charts and dialog sheets are not accepted)`,
      );
    sheets.push({ name, entry, fileNo, subSet: sheetBySubSetName(name)?.key });
  }
  const unknown = sheets.filter((s) => !s.subSet && ![META_SHEET, CODES_SHEET, INSTRUCTIONS_SHEET].includes(s.name));
  if (unknown.length)
    throw bulkError(BulkErrorCode.UnknownSheet, `Unknown sheet(s): ${unknown.map((s) => s.name).join(', ')}`, {
      sheets: unknown.map((s) => s.name),
    });
  const metaRef = sheets.find((s) => s.name === META_SHEET);
  if (!metaRef) throw bulkError(BulkErrorCode.NotATemplate, 'The workbook has no _meta sheet');

  let xmlBytes = 0;
  for (const s of sheets) {
    const e = byName.get(s.entry)!;
    xmlBytes += e.size;
    if (xmlBytes > MAX_XML_BYTES)
      throw bulkError(BulkErrorCode.FileTooLarge, 'The workbook expands to more than 2 GiB of sheet data');
    const found = await scanSheet(path, e);
    if (found.formula)
      throw bulkError(BulkErrorCode.Formulas, `Sheet "${s.name}", cell ${found.formula}`, {
        sheet: s.name,
        cell: found.formula,
      });
    if (found.merged)
      throw bulkError(BulkErrorCode.MergedCells, `Sheet "${s.name}", cells ${found.merged}`, {
        sheet: s.name,
        cells: found.merged,
      });
  }
  const meta = await readMetaSheet(path, byName.get(metaRef.entry)!, byName.get('xl/sharedStrings.xml'));
  checkMeta(meta);
  return { sheets, meta };
}

/** Refuses layouts that are not ours, of another catalogue version, or masked. */
export function checkMeta(meta: Record<string, string>): void {
  if (meta.format !== LAYOUT_FORMAT)
    throw bulkError(BulkErrorCode.NotATemplate, 'The _meta sheet does not describe a TMIS import layout');
  if (meta.catalogueVersion !== CATALOGUE_VERSION) {
    throw bulkError(
      BulkErrorCode.WrongTemplateVersion,
      `Template of catalogue ${meta.catalogueVersion || '(none)'}; the current catalogue is ${CATALOGUE_VERSION}`,
      { templateVersion: meta.catalogueVersion ?? null, currentVersion: CATALOGUE_VERSION },
    );
  }
  if (meta.masked === 'true') throw bulkError(BulkErrorCode.MaskedExport);
}

/** The first formula cell and the first merged range of a worksheet, scanning its XML as a stream. */
async function scanSheet(path: string, e: ZipEntry): Promise<{ formula?: string; merged?: string }> {
  let carry = '';
  let total = 0;
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of await zipEntryStream(path, e)) {
    total += (chunk as Buffer).length;
    if (total > MAX_XML_BYTES) throw bulkError(BulkErrorCode.FileTooLarge, 'A worksheet expands to more than 2 GiB');
    const text = carry + decoder.decode(chunk as Buffer, { stream: true });
    const f = /<f[\s>/]/.exec(text);
    if (f) {
      const before = text.slice(0, f.index);
      const cell = [...before.matchAll(/<c\b[^>]*\br="([A-Z]+\d+)"/g)].pop()?.[1];
      return { formula: cell ?? '?' };
    }
    const m = /<mergeCell\b[^>]*\bref="([^"]+)"/.exec(text);
    if (m) return { merged: m[1] };
    carry = text.slice(-512);
  }
  return {};
}

async function readMetaSheet(
  path: string,
  sheet: ZipEntry,
  sharedStrings: ZipEntry | undefined,
): Promise<Record<string, string>> {
  const xml = await zipEntryText(path, sheet, 1024 * 1024).catch(() => {
    throw bulkError(BulkErrorCode.NotATemplate, 'The _meta sheet is too large');
  });
  const cells: { ref: string; t?: string; v?: string; is?: string }[] = [];
  for (const m of xml.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const ref = attr(m[1], 'r') ?? '';
    const inner = m[2] ?? '';
    cells.push({
      ref,
      t: attr(m[1], 't'),
      v: /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1],
      is: [...inner.matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((x) => x[1]).join(''),
    });
  }
  const needed = new Set(cells.filter((c) => c.t === 's' && c.v !== undefined).map((c) => Number(c.v)));
  const strings = new Map<number, string>();
  if (needed.size && sharedStrings) {
    // Stream the shared strings, keeping only those the meta sheet uses.
    let carry = '';
    let index = 0;
    const max = Math.max(...needed);
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of await zipEntryStream(path, sharedStrings)) {
      let text = carry + decoder.decode(chunk as Buffer, { stream: true });
      let m: RegExpExecArray | null;
      const re = /<si>([\s\S]*?)<\/si>/g;
      let consumed = 0;
      while ((m = re.exec(text))) {
        if (needed.has(index))
          strings.set(index, [...m[1].matchAll(/<t\b[^>]*>([\s\S]*?)<\/t>/g)].map((x) => x[1]).join(''));
        index++;
        consumed = re.lastIndex;
      }
      text = text.slice(consumed);
      carry = text;
      if (index > max) break;
    }
  }
  const value = (c: (typeof cells)[number]) =>
    xmlDecode(c.t === 's' ? (strings.get(Number(c.v)) ?? '') : c.t === 'inlineStr' ? (c.is ?? '') : (c.v ?? ''));
  const rows = new Map<string, { a?: string; b?: string }>();
  for (const c of cells) {
    const m = /^([A-Z]+)(\d+)$/.exec(c.ref);
    if (!m || (m[1] !== 'A' && m[1] !== 'B')) continue;
    const r = rows.get(m[2]) ?? {};
    if (m[1] === 'A') r.a = value(c);
    else r.b = value(c);
    rows.set(m[2], r);
  }
  const meta: Record<string, string> = {};
  for (const r of rows.values()) if (r.a) meta[r.a.trim()] = (r.b ?? '').trim();
  return meta;
}

import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, csvField, maskIdNumber } from '@tmis/common';
import { indicatorSet, indicatorSetForSchoolType } from '@tmis/core-indicators';
import { OrgService, UnitKind } from '@tmis/org';
import {
  ConfirmedTraining,
  CustomFieldsService,
  TeacherRepository,
  TeacherService,
  viewRecord,
  withConfirmedTraining,
  type ListTeachersQueryDto,
  type TeacherRow,
} from '@tmis/teachers';
import ExcelJS from 'exceljs';
import { BULK_OPTIONS, type BulkOptions } from './bulk.options.js';
import { BulkRepository } from './bulk.repository.js';
import { BulkService } from './bulk.service.js';
import { valueToCell } from './cells.js';
import {
  ALL_SETS,
  CODES_SHEET,
  csvMetaLine,
  INSTRUCTIONS_SHEET,
  layoutMeta,
  META_SHEET,
  sheetLayouts,
  type LayoutColumn,
  type LayoutMeta,
  type SheetLayout,
} from './layout.js';
import { addLayoutSheet, markBadCells, writeWorkbook } from './workbook.writer.js';
import { excelCell, readCsv } from './readers.js';
import { MAX_ERRORS } from './import.runner.js';
import type { SheetRef } from './file-check.js';

type Rec = Record<string, unknown>;
type CellOut = string | number | boolean | null;
const PAGE = 500;

/** The rows a record gives on a sheet: one for single sub-sets (basic, contacts), one per entry for lists. */
export function recordRows(
  layout: SheetLayout,
  t: Pick<TeacherRow, 'idType' | 'idNumber'>,
  record: Rec,
  unitCode: string,
  masked: boolean,
): CellOut[][] {
  const idNumber = masked ? maskIdNumber(t.idNumber) : t.idNumber;
  const cell = (c: LayoutColumn, source: Rec): CellOut => {
    if (c.role === 'unit') return unitCode;
    if (c.role === 'key') return c.key === 'idType' ? valueToCell(c, t.idType) : idNumber;
    if (layout.subSet === 'basic' && c.key === 'idNumber') return idNumber;
    return valueToCell(c, source[c.key]);
  };
  const v = record[layout.subSet];
  if (layout.cardinality === 'one')
    return v && typeof v === 'object' && !Array.isArray(v)
      ? [layout.columns.map((c) => cell(c, v as Rec))]
      : layout.subSet === 'basic'
        ? [layout.columns.map((c) => cell(c, {}))]
        : [];
  return Array.isArray(v) ? v.map((e) => layout.columns.map((c) => cell(c, e as Rec))) : [];
}

export interface HttpOut extends Writable {
  setHeader(name: string, value: string): void;
}

/** Templates, exports of filtered lists (same layout, so an export re-imports), and error reports. */
@Injectable()
export class BulkExportService {
  constructor(
    private readonly teachers: TeacherService,
    private readonly records: TeacherRepository,
    private readonly custom: CustomFieldsService,
    private readonly org: OrgService,
    private readonly repo: BulkRepository,
    private readonly jobs: BulkService,
    private readonly audit: AuditService,
    @Inject(BULK_OPTIONS) private readonly options: BulkOptions,
    /** Sub-set 13's confirmed training (libs/training): exported after the typed entries, as records show it. */
    @Optional() private readonly training?: ConfirmedTraining,
  ) {}

  /** A template: a school's indicator set (default for a school), one named set, or every set (default for a department). */
  async template(actor: Actor, setKey: string | undefined, out: HttpOut): Promise<void> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    let set = setKey;
    if (set && set !== ALL_SETS && !indicatorSet(set))
      throw commonError(CommonErrorCode.ValidationFailed, `Unknown indicator set "${set}"`, undefined, [
        {
          path: 'indicatorSet',
          code: 'isIn',
          message: 'unknown indicator set',
          messageZh: 'indicatorSet：指标集不存在',
        },
      ]);
    if (!set) {
      const unit = await this.org.findById(actor.unitId);
      const school =
        unit?.kind === UnitKind.Department && unit.parentId ? await this.org.findById(unit.parentId) : unit;
      set = school?.kind === UnitKind.School ? indicatorSetForSchoolType(school.schoolType).key : ALL_SETS;
    }
    const defs = await this.custom.current();
    const meta = layoutMeta(set === ALL_SETS ? 'department' : 'school', set, defs, this.provinceOf(actor), false);
    out.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    out.setHeader('content-disposition', `attachment; filename="tmis-template-${set}-${meta.catalogueVersion}.xlsx"`);
    await writeWorkbook(out, { layouts: sheetLayouts(set, defs), meta });
  }

  /**
   * GET /teachers/export: the list GET /teachers returns (same filters, same scope), every page of it
   * through keyset paging, in the import layout (every set's columns). Query users get the masked
   * view — then the file is marked masked and does not re-import. CSV carries one sub-set.
   */
  async exportTeachers(
    actor: Actor,
    q: ListTeachersQueryDto,
    format: 'xlsx' | 'csv',
    subSetKey: string,
    out: HttpOut,
  ): Promise<void> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    const view = this.teachers.view(actor);
    const masked = view === 'masked';
    const defs = await this.custom.current();
    const layouts = sheetLayouts(ALL_SETS, defs, { withoutPay: masked });
    const meta = layoutMeta('export', ALL_SETS, defs, this.provinceOf(actor), masked);
    const first = await this.teachers.list(actor, { ...q, limit: PAGE }); // a malformed cursor is refused, a valid one starts after it
    await this.audit.record(actor, {
      action: 'teachers.export',
      targetType: 'teacher-list',
      unitPath: actor.unitPath,
      details: { format, masked, filters: Object.keys(q).filter((k) => k !== 'cursor' && k !== 'limit') },
    });
    const stamp = new Date().toISOString().slice(0, 10);
    const codes = new Map<string, string>();
    const pages = async function* (
      this: BulkExportService,
    ): AsyncGenerator<{ t: TeacherRow; record: Rec; unitCode: string }> {
      let page = first;
      for (;;) {
        const missing = [...new Set(page.items.map((t) => t.unitId).filter((id) => !codes.has(id)))];
        for (const id of missing) codes.set(id, (await this.org.findById(id))?.code ?? '');
        const ids = page.items.map((i) => i.id);
        // The record as it reads (sub-set 13 with the confirmed training, under their entry ids: an import
        // of the file leaves those rows to the training module, assess.ts).
        const training = this.training ? await this.training.entriesForMany(ids) : new Map<string, Rec[]>();
        for (const t of await this.records.findManyById(ids))
          yield {
            t,
            record: viewRecord(withConfirmedTraining(t.record, training.get(t.id)), view),
            unitCode: codes.get(t.unitId) ?? '',
          };
        if (!page.nextCursor) return;
        page = await this.teachers.list(actor, { ...q, cursor: page.nextCursor, limit: PAGE });
      }
    }.bind(this);

    if (format === 'csv') {
      const layout = layouts.find((l) => l.subSet === subSetKey);
      if (!layout)
        throw commonError(CommonErrorCode.ValidationFailed, `No sheet "${subSetKey}" in this export`, undefined, [
          { path: 'subSet', code: 'isIn', message: 'unknown sub-set', messageZh: 'subSet：子集不存在' },
        ]);
      out.setHeader('content-type', 'text/csv; charset=utf-8');
      out.setHeader('content-disposition', `attachment; filename="tmis-export-${subSetKey}-${stamp}.csv"`);
      const lines = async function* () {
        yield '\uFEFF' + csvMetaLine(meta, subSetKey) + '\r\n';
        yield layout.columns.map((c) => csvField(c.zh)).join(',') + '\r\n';
        yield layout.columns.map((c) => csvField(c.en)).join(',') + '\r\n';
        yield layout.columns.map((c) => csvField(c.key)).join(',') + '\r\n';
        for await (const { t, record, unitCode } of pages())
          for (const r of recordRows(layout, t, record, unitCode, masked)) yield r.map(csvField).join(',') + '\r\n';
      };
      for await (const line of lines()) if (!out.write(line)) await once(out, 'drain');
      out.end();
      return;
    }

    // xlsx: the basic sheet streams straight into the workbook; the other sheets' rows wait in temporary files.
    out.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    out.setHeader('content-disposition', `attachment; filename="tmis-export-${stamp}.xlsx"`);
    const dir = await mkdtemp(join(this.options.dir || tmpdir(), 'export-'));
    const files = new Map<string, WriteStream>(
      layouts
        .filter((l) => l.subSet !== 'basic')
        .map((l) => [l.subSet, createWriteStream(join(dir, `${l.subSet}.jsonl`))]),
    );
    try {
      let filled = false;
      const fill = async function* (): AsyncGenerator<CellOut[]> {
        for await (const { t, record, unitCode } of pages()) {
          for (const l of layouts) {
            const rows = recordRows(l, t, record, unitCode, masked);
            if (l.subSet === 'basic') {
              for (const r of rows) yield r;
              continue;
            }
            const f = files.get(l.subSet)!;
            for (const r of rows) if (!f.write(JSON.stringify(r) + '\n')) await once(f, 'drain');
          }
        }
        for (const f of files.values()) {
          f.end();
          await once(f, 'close');
        }
        filled = true;
      };
      const fromFile = async function* (subSet: string): AsyncGenerator<CellOut[]> {
        if (!filled) return;
        for await (const line of createInterface({
          input: createReadStream(join(dir, `${subSet}.jsonl`)),
          crlfDelay: Infinity,
        }))
          if (line) yield JSON.parse(line) as CellOut[];
      };
      await writeWorkbook(out, { layouts, meta, rows: (l) => (l.subSet === 'basic' ? fill() : fromFile(l.subSet)) });
    } finally {
      for (const f of files.values()) f.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * The error report of a job as an xlsx: the uploaded sheets again, each bad cell filled red with the
   * messages as a note (a bad row without a column gets its first cell marked), plus an `_errors`
   * sheet listing every error. It keeps the layout and `_meta`, so it can be corrected and uploaded.
   */
  async errorReport(actor: Actor, id: string, out: HttpOut): Promise<void> {
    const job = await this.jobs.load(actor, id);
    const errors = await this.repo.errors(id, null, MAX_ERRORS);
    const byRow = new Map<string, typeof errors>();
    for (const e of errors) {
      const k = `${e.sheet}\u0000${e.row}`;
      (byRow.get(k) ?? byRow.set(k, []).get(k)!).push(e);
    }
    out.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    out.setHeader('content-disposition', `attachment; filename="tmis-import-errors-${id}.xlsx"`);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const mark = (row: ExcelJS.Row, rowErrors: typeof errors) => markBadCells(row, rowErrors);
    const fileThere = !!job.filePath && existsSync(job.filePath);
    const sheets = (job.layout.sheets ?? []) as SheetRef[];
    if (fileThere && job.format === 'xlsx') {
      const byFile = new Map(sheets.map((s) => [s.fileNo, s]));
      const reader = new ExcelJS.stream.xlsx.WorkbookReader(job.filePath!, {
        worksheets: 'emit',
        sharedStrings: 'cache',
        hyperlinks: 'ignore',
        styles: 'ignore',
        entries: 'ignore',
      });
      for await (const wsr of reader) {
        const ref = byFile.get(String((wsr as unknown as { id: string | number }).id));
        if (!ref || ref.name === INSTRUCTIONS_SHEET || ref.name === CODES_SHEET || ref.name === META_SHEET) {
          for await (const r of wsr) void r;
          continue;
        }
        const ws = wb.addWorksheet(ref.name, { views: [{ state: 'frozen', ySplit: 3 }] });
        let n = 0;
        for await (const r of wsr) {
          const values = (r.values as ExcelJS.CellValue[]).map((v) => {
            const c = excelCell(v);
            return c instanceof Date ? c.toISOString().slice(0, 10) : c;
          });
          while (n < r.number - 1) {
            ws.addRow([]).commit();
            n++;
          }
          const row = ws.addRow(values.slice(1));
          n++;
          if (r.number === 3) row.hidden = true;
          const e = byRow.get(`${ref.name}\u0000${r.number}`);
          if (e) mark(row, e);
          row.commit();
        }
        ws.commit();
      }
    } else if (fileThere && job.format === 'csv') {
      let ws: ExcelJS.Worksheet | null = null;
      let sheet = '';
      let n = 0;
      for await (const e of readCsv(job.filePath!)) {
        if (e.kind === 'meta') continue;
        if (e.kind === 'header') {
          sheet = e.sheet;
          ws = addLayoutSheet(wb, {
            subSet: e.subSet,
            name: e.sheet,
            en: '',
            cardinality: 'one',
            columns: e.keys
              .slice(1)
              .map((k) => ({ key: k ?? '', zh: k ?? '', en: k ?? '', role: 'field', type: 'string' })),
          });
          n = 3;
          continue;
        }
        while (n < e.rowNo - 2) {
          ws!.addRow([]).commit();
          n++;
        }
        const row = ws!.addRow(e.cells.slice(1));
        n++;
        const errs = byRow.get(`${sheet}\u0000${e.rowNo}`);
        if (errs) mark(row, errs);
        row.commit();
      }
      ws?.commit();
    }
    const list = wb.addWorksheet('_errors');
    list.columns = [
      { width: 18 },
      { width: 8 },
      { width: 8 },
      { width: 18 },
      { width: 24 },
      { width: 18 },
      { width: 50 },
      { width: 60 },
    ];
    list
      .addRow(['工作表 Sheet', '行 Row', '列 Column', '字段 Field', '值 Value', '代码 Code', '说明', 'Message'])
      .commit();
    for (const e of errors)
      list.addRow([e.sheet, e.row, e.column, e.field, e.value, e.code, e.messageZh, e.message]).commit();
    list.commit();
    const meta = wb.addWorksheet(META_SHEET, { state: 'hidden' });
    const m = (job.layout.meta ?? {}) as Partial<LayoutMeta> & Record<string, string>;
    for (const [k, v] of Object.entries({ ...m, catalogueVersion: m.catalogueVersion ?? m.catalogue ?? '' }))
      meta.addRow([k, v]).commit();
    meta.commit();
    await wb.commit();
  }

  private provinceOf(actor: Actor): string | undefined {
    return /^\/\d+\/(\d{2})/.exec(actor.unitPath)?.[1];
  }
}

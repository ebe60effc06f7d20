import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { Actor } from '@tmis/access';
import { cellToValue, excelCell, markBadCells, type CellInput } from '@tmis/bulk';
import { commonError, CommonErrorCode } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { ProjectService } from './project.service.js';
import { TrainingRepository, type ProjectRow } from './training.repository.js';

/** The results sheet: two header rows (zh, en), a hidden row of keys, then one trainee per row. */
const SHEET = '培训结果 Results';
const HEADER_ROWS = 3;
const COLUMNS = [
  { key: 'idNumber', zh: '身份证件号', en: 'ID number', letter: 'A' },
  { key: 'name', zh: '姓名', en: 'Name', letter: 'B' },
  { key: 'completedHours', zh: '完成学时', en: 'Completed hours', letter: 'C' },
  { key: 'passed', zh: '考核合格（是/否）', en: 'Passed (yes/no)', letter: 'D' },
  { key: 'certificateNo', zh: '证书编号', en: 'Certificate number', letter: 'E' },
] as const;
const LETTER = Object.fromEntries(COLUMNS.map((c) => [c.key, c.letter])) as Record<string, string>;
const MAX_ROWS = 20_000;

export interface CellError {
  row: number;
  column: string | null;
  field: string;
  value: string | null;
  code: string;
  message: string;
  messageZh: string;
}

export interface ImportOutcome {
  rows: number;
  written: number;
}

interface ParsedRow {
  rowNo: number;
  idNumber: string;
  raw: Record<string, CellInput>;
  completedHours: unknown;
  passed: unknown;
  certificateNo: string | null;
}

/**
 * Results per trainee as an xlsx (the running institution): a template listing the enrolled trainees,
 * and an all-or-nothing import that reports every bad cell (row, column, both messages) — as JSON, or as
 * the uploaded sheet with the bad cells marked, the bulk import's error-report style (libs/bulk).
 */
@Injectable()
export class ResultsImportService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly projects: ProjectService,
    private readonly repo: TrainingRepository,
  ) {}

  async template(actor: Actor, projectId: string): Promise<Buffer> {
    const p = await this.projects.projectForResults(actor, projectId);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(SHEET, { views: [{ state: 'frozen', ySplit: HEADER_ROWS }] });
    ws.addRow(COLUMNS.map((c) => c.zh)).font = { bold: true };
    ws.addRow(COLUMNS.map((c) => c.en)).font = { italic: true };
    ws.addRow(COLUMNS.map((c) => c.key)).hidden = true;
    for (const e of await this.repo.enrolments(p.id))
      ws.addRow([
        e.idNumber,
        e.teacherName,
        e.completedHours,
        e.passed === null ? null : e.passed ? '是' : '否',
        e.certificateNo,
      ]);
    ws.columns.forEach((c) => (c.width = 22));
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  /** Validates the whole file; writes every result only when no cell is bad. */
  import(actor: Actor, projectId: string, file: Buffer | undefined): Promise<ImportOutcome> {
    return this.txHost.withTransaction(async () => {
      const p = await this.projects.projectForResults(actor, projectId);
      const { rows, errors } = await this.check(p, await this.read(file));
      if (errors.length)
        throw commonError(
          CommonErrorCode.ValidationFailed,
          `${errors.length} bad cell(s): nothing was written; POST the same file to …/results/import/error-report for the marked sheet`,
          { rows: rows.length, cells: errors },
          errors.map((e) => ({
            path: `${e.column ?? 'A'}${e.row}`,
            code: e.code,
            message: `${e.field}: ${e.message}`,
            messageZh: `${e.field}：${e.messageZh}`,
          })),
        );
      const written = await this.projects.submitResults(
        actor,
        p.id,
        rows.map((r) => ({
          teacherId: r.teacherId!,
          completedHours: r.completedHours as number,
          passed: r.passed as boolean,
          certificateNo: r.certificateNo ?? undefined,
        })),
      );
      return { rows: rows.length, written: written.written };
    });
  }

  /** The uploaded sheet again with every bad cell marked and its messages as notes, plus an `_errors` sheet. */
  async errorReport(actor: Actor, projectId: string, file: Buffer | undefined): Promise<Buffer> {
    const p = await this.projects.projectForResults(actor, projectId);
    const ws = await this.read(file);
    const { errors } = await this.check(p, ws);
    const byRow = new Map<number, CellError[]>();
    for (const e of errors) (byRow.get(e.row) ?? byRow.set(e.row, []).get(e.row)!).push(e);
    const out = new ExcelJS.Workbook();
    const sheet = out.addWorksheet(SHEET, { views: [{ state: 'frozen', ySplit: HEADER_ROWS }] });
    ws.eachRow({ includeEmpty: true }, (r, n) => {
      const values = (r.values as ExcelJS.CellValue[]).slice(1).map((v) => {
        const c = excelCell(v);
        return c instanceof Date ? c.toISOString().slice(0, 10) : c;
      });
      const row = sheet.getRow(n);
      row.values = values;
      if (n === HEADER_ROWS) row.hidden = true;
      const bad = byRow.get(n);
      if (bad) markBadCells(row, bad);
    });
    const list = out.addWorksheet('_errors');
    list.addRow(['行 row', '列 column', '字段 field', '值 value', '代码 code', '说明', 'message']);
    for (const e of errors) list.addRow([e.row, e.column, e.field, e.value, e.code, e.messageZh, e.message]);
    return Buffer.from(await out.xlsx.writeBuffer());
  }

  private async read(file: Buffer | undefined): Promise<ExcelJS.Worksheet> {
    if (!file?.length) throw commonError(CommonErrorCode.ValidationFailed, 'Upload the results workbook as `file`');
    if (file.subarray(0, 2).toString('latin1') !== 'PK')
      throw commonError(CommonErrorCode.ValidationFailed, 'Not an xlsx workbook');
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(file as unknown as ArrayBuffer);
    } catch {
      throw commonError(CommonErrorCode.ValidationFailed, 'Not a readable xlsx workbook');
    }
    const ws = wb.getWorksheet(SHEET) ?? wb.worksheets[0];
    if (!ws) throw commonError(CommonErrorCode.ValidationFailed, 'The workbook has no results sheet');
    if (ws.rowCount > MAX_ROWS + HEADER_ROWS)
      throw commonError(CommonErrorCode.PayloadTooLarge, `At most ${MAX_ROWS} trainees per file`);
    return ws;
  }

  private async check(
    p: ProjectRow,
    ws: ExcelJS.Worksheet,
  ): Promise<{ rows: (ParsedRow & { teacherId?: string })[]; errors: CellError[] }> {
    const errors: CellError[] = [];
    const rows: (ParsedRow & { teacherId?: string })[] = [];
    const err = (row: number, field: string, value: CellInput, code: string, message: string, messageZh: string) =>
      errors.push({
        row,
        column: LETTER[field] ?? null,
        field,
        value: value == null ? null : String(value),
        code,
        message,
        messageZh,
      });
    ws.eachRow((r, n) => {
      if (n <= HEADER_ROWS) return;
      const raw: Record<string, CellInput> = {};
      let formula = false;
      for (const [i, c] of COLUMNS.entries()) {
        const v = r.getCell(i + 1).value;
        if (v && typeof v === 'object' && 'formula' in v) formula = true;
        raw[c.key] = excelCell(v);
      }
      if (COLUMNS.every((c) => raw[c.key] === null || raw[c.key] === undefined || String(raw[c.key]).trim() === ''))
        return;
      if (formula) err(n, 'idNumber', null, 'noFormula', 'formulas are not accepted', '不接受公式');
      const idNumber = String(cellToValue({ type: 'idNumber' }, raw.idNumber) ?? '');
      const completedHours = cellToValue({ type: 'decimal' }, raw.completedHours);
      const passed = cellToValue({ type: 'boolean' }, raw.passed);
      const cert = cellToValue({ type: 'string' }, raw.certificateNo);
      if (!idNumber) err(n, 'idNumber', raw.idNumber, 'isDefined', 'the ID number is required', '身份证件号必填');
      if (typeof completedHours !== 'number' || completedHours < 0)
        err(
          n,
          'completedHours',
          raw.completedHours,
          'isNumber',
          'completed hours must be a number ≥ 0',
          '完成学时须为不小于 0 的数字',
        );
      if (typeof passed !== 'boolean')
        err(n, 'passed', raw.passed, 'isBoolean', 'passed must be yes or no', '考核结果须为是或否');
      rows.push({
        rowNo: n,
        idNumber,
        raw,
        completedHours,
        passed,
        certificateNo: typeof cert === 'string' ? cert : null,
      });
    });
    const enrolled = await this.repo.enrolledByIdNumber(p.id, rows.map((r) => r.idNumber).filter(Boolean));
    for (const r of rows) {
      r.teacherId = enrolled.get(r.idNumber);
      if (r.idNumber && !r.teacherId)
        err(
          r.rowNo,
          'idNumber',
          r.raw.idNumber,
          'isEnrolled',
          'no trainee of this project has this ID number',
          '本项目无此证件号的学员',
        );
    }
    const checkable = rows.filter(
      (r) => r.teacherId && typeof r.completedHours === 'number' && typeof r.passed === 'boolean',
    );
    const problems = await this.projects.resultProblems(
      p,
      checkable.map((r) => ({
        teacherId: r.teacherId!,
        completedHours: r.completedHours as number,
        passed: r.passed as boolean,
        certificateNo: r.certificateNo,
      })),
      (i, field) => `${checkable[i].rowNo}|${field}`,
    );
    for (const e of problems) {
      const [row, field] = e.path.split('|');
      const src = checkable.find((r) => r.rowNo === Number(row))!;
      err(
        Number(row),
        field === 'teacherId' ? 'idNumber' : field,
        src.raw[field === 'teacherId' ? 'idNumber' : field],
        e.code,
        e.message,
        e.messageZh,
      );
    }
    errors.sort((a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''));
    return { rows, errors };
  }
}

import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { ACTIVE_PERSON_STATUSES, PERSON_STATUS } from '@tmis/core-indicators';
import type { Bilingual, StatsTable } from './stats.table.js';

/**
 * The teacher tables of the yearly education statistics (教育事业统计, Art. 8) as a ministry analyst files
 * them: full-time teachers (staff category 11, 专任教师) by highest education, title level, age band and sex
 * per school type, by urban/rural class per school type, full-time teachers who entered in the year (by
 * staff source) and who left in the year (by status), and everyone who left by their status — one sheet each, rows by school type with a total row, columns the dimension's codes with a total column.
 */
export interface ReportSheet {
  name: string;
  title: Bilingual;
  /** The column dimension (the rows are always the school type). */
  column: string;
  filter: string;
  includeInactive?: boolean;
  note?: Bilingual;
}

/** 专任教师: staff category 11. */
export const FULL_TIME = 'staffCategory:11';
const LEFT = PERSON_STATUS.entries.map((e) => e.code).filter((c) => !ACTIVE_PERSON_STATUSES.has(c));

export const REPORT_SHEETS: ReportSheet[] = [
  {
    name: '专任教师学历',
    title: { zh: '专任教师学历情况', en: 'Full-time teachers by highest education' },
    column: 'highestEducation',
    filter: FULL_TIME,
  },
  {
    name: '专任教师职称',
    title: { zh: '专任教师专业技术职务情况', en: 'Full-time teachers by title level' },
    column: 'titleLevel',
    filter: FULL_TIME,
  },
  {
    name: '专任教师年龄',
    title: { zh: '专任教师年龄情况', en: 'Full-time teachers by age band' },
    column: 'ageBand',
    filter: FULL_TIME,
  },
  {
    name: '专任教师性别',
    title: { zh: '专任教师性别情况', en: 'Full-time teachers by sex' },
    column: 'sex',
    filter: FULL_TIME,
  },
  {
    name: '专任教师城乡',
    title: { zh: '专任教师城乡分布', en: 'Full-time teachers by urban/rural class of the school' },
    column: 'urbanRural',
    filter: FULL_TIME,
  },
  {
    name: '专任教师增加',
    title: {
      zh: '本年新增专任教师（按教职工来源）',
      en: 'Full-time teachers who entered their school in the year, by staff source',
    },
    column: 'staffSource',
    filter: `${FULL_TIME},newEntrant:1`,
    includeInactive: true,
    note: {
      zh: '新增：进本校年月在统计时点（asOf）所在月及之前共十二个月内的专任教师，含其后已离开者；未填进本校年月者不计。',
      en: 'Entered: full-time teachers whose school entry month is one of the twelve months ending with the month of asOf, including those who have left since; records without a school entry month are not counted.',
    },
  },
  {
    name: '专任教师减少',
    title: { zh: '本年减少专任教师（按人员状态）', en: 'Full-time teachers who left in the year, by status' },
    column: 'personStatus',
    filter: `${FULL_TIME},personStatus:${LEFT.join('|')},leftThisYear:1`,
    includeInactive: true,
    note: {
      zh: '减少：当前人员状态为离开类状态、且人员状态生效日期在统计时点（asOf）前一年内（不含一年前当日）的专任教师；未填生效日期者见“减少教师”表。',
      en: 'Left: full-time teachers whose current status is a leaving status and whose status effective date is within the year up to asOf (after the same day a year before); those without the date are in the sheet 减少教师.',
    },
  },
  {
    name: '减少教师',
    title: { zh: '离开岗位的教职工（按人员状态）', en: 'Staff who left, by status' },
    column: 'personStatus',
    filter: `personStatus:${LEFT.join('|')}`,
    includeInactive: true,
    note: {
      zh: '按当前人员状态统计全部已离开人员（不分离开年份，含未填人员状态生效日期者）。',
      en: 'Everyone whose current status is a leaving status, whatever the year they left (including records without a status effective date).',
    },
  },
];

/** Writes the sheets (each from its statistics table) as one workbook, streamed. */
export async function writeReport(
  out: Writable,
  head: { title: Bilingual; scope: string; asOf: string },
  sheets: { sheet: ReportSheet; table: StatsTable }[],
): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'TMIS';
  for (const { sheet, table } of sheets) {
    const ws = wb.addWorksheet(sheet.name);
    ws.columns = [{ width: 22 }, { width: 12 }];
    const cols = new Map<string, { zh: string; en: string }>();
    const rowsByType = new Map<string, { label: { zh: string; en: string }; cells: Map<string, number | null> }>();
    for (const r of table.rows) {
      const type = r.values.schoolType;
      const col = r.values[sheet.column];
      const colKey = String(col.code);
      if (!cols.has(colKey)) cols.set(colKey, { zh: col.zh, en: col.en });
      const typeKey = String(type.code);
      const row = rowsByType.get(typeKey) ?? { label: { zh: type.zh, en: type.en }, cells: new Map() };
      row.cells.set(colKey, r.count);
      rowsByType.set(typeKey, row);
    }
    const colKeys = [...cols.keys()].sort((a, b) => (a === 'null' ? 1 : b === 'null' ? -1 : a.localeCompare(b)));
    const typeKeys = [...rowsByType.keys()].sort((a, b) => (a === 'null' ? 1 : b === 'null' ? -1 : a.localeCompare(b)));
    ws.addRow([`${sheet.title.zh} ${sheet.title.en}`]).commit();
    ws.addRow([`${head.title.zh} / ${head.title.en}`, head.scope, `asOf ${head.asOf}`]).commit();
    const header = ws.addRow([
      '学校类型',
      '合计',
      ...colKeys.map((k) => (k === 'null' ? '未填报' : `${cols.get(k)!.zh}`)),
    ]);
    header.font = { bold: true };
    header.commit();
    ws.addRow([
      'School type',
      'Total',
      ...colKeys.map((k) => (k === 'null' ? 'Not recorded' : cols.get(k)!.en)),
    ]).commit();
    ws.addRow(['code', 'total', ...colKeys]).commit();
    const colTotals = colKeys.map(() => 0);
    for (const t of typeKeys) {
      const row = rowsByType.get(t)!;
      const cells = colKeys.map((k) => row.cells.get(k) ?? 0);
      // A suppressed cell (null) leaves its row total blank: the cells cannot be added up.
      const total = cells.some((c) => c === null) ? null : cells.reduce((s: number, c) => s + (c ?? 0), 0);
      cells.forEach((c, i) => (colTotals[i] += c ?? 0));
      ws.addRow([`${t === 'null' ? '未填报' : row.label.zh} (${t})`, total, ...cells]).commit();
    }
    const total = ws.addRow(['总计 Total', table.total, ...colTotals]);
    total.font = { bold: true };
    total.commit();
    ws.addRow([]).commit();
    ws.addRow([`口径 Counting: ${table.counting.zh} / ${table.counting.en}`]).commit();
    if (table.suppression.applied)
      ws.addRow([`小单元格保护 Small cells: ${table.suppression.rule.zh} / ${table.suppression.rule.en}`]).commit();
    if (sheet.note) ws.addRow([`${sheet.note.zh} / ${sheet.note.en}`]).commit();
    ws.commit();
  }
  await wb.commit();
}

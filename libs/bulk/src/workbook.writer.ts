import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import {
  CODES_SHEET,
  columnLetter,
  HEADER_ROWS,
  INSTRUCTIONS_SHEET,
  META_SHEET,
  type LayoutColumn,
  type LayoutMeta,
  type SheetLayout,
} from './layout.js';

/** Rows the drop-down lists cover in a template (beyond, codes are typed; exceljs expands ranges cell by cell on load, so keep it modest). */
const TEMPLATE_ROWS = 5000;

/** How a bad cell looks in an error report: red fill, dark red text. */
const BAD_CELL: Partial<ExcelJS.Style> = {
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } },
  font: { color: { argb: 'FF9C0006' } },
};

/**
 * Marks a row's bad cells for an error report: each cell filled red with its messages (both languages)
 * as a note; an error without a column marks the row's first cell. Shared by the record import's report
 * and other imports (training results).
 */
export function markBadCells(
  row: ExcelJS.Row,
  errors: { column: string | null; code: string; message: string; messageZh: string }[],
): void {
  const byCol = new Map<string, string[]>();
  for (const e of errors) {
    const col = e.column ?? 'A';
    (byCol.get(col) ?? byCol.set(col, []).get(col)!).push(`[${e.code}] ${e.messageZh} / ${e.message}`);
  }
  for (const [col, notes] of byCol) {
    const c = row.getCell(col);
    c.style = { ...c.style, ...BAD_CELL };
    c.note = notes.join('\n');
  }
}

const INSTRUCTIONS: [string, string][] = [
  ['教师信息批量导入模板', 'TMIS bulk import template'],
  [
    '每个工作表对应一个信息子集；第1行为中文列名，第2行为英文列名，第3行（隐藏）为字段代码，请从第4行开始填写，不要修改前三行和工作表名称。',
    'One sheet per sub-set. Row 1: Chinese headers, row 2: English headers, row 3 (hidden): field keys. Fill in from row 4; do not change the first three rows or the sheet names.',
  ],
  [
    '“基本信息”表每人一行，填写单位代码（学校标识码或二级部门代码）；其他表用“身份证件类型”和“身份证件号”关联到人员，列表类子集每条记录一行。',
    'The basic sheet has one row per person with the unit code; the other sheets join rows to a person by ID document type and number; list sub-sets take one row per entry.',
  ],
  [
    '代码类字段可从下拉列表选择（“代码 名称”），也可只填代码。日期格式 YYYY-MM-DD，年月格式 YYYY-MM；是/否字段填“是”或“否”。',
    'Code fields: pick from the drop-down ("code label") or type the code. Dates YYYY-MM-DD, year-months YYYY-MM; yes/no fields take 是 / 否.',
  ],
  ['不接受公式、合并单元格和宏；请保存为 .xlsx。', 'Formulas, merged cells and macros are refused; save as .xlsx.'],
  [
    '导入默认为试导入（只校验不写入）；确认无误后提交。已有档案的人员按修改处理，空单元格不清除已有数据；同一文件重复导入不会产生任何变更。',
    'An import is a dry run by default (validate only); commit once it is clean. A person who already has a record is updated; empty cells never clear data; importing the same file again changes nothing.',
  ],
  [
    '条目标识列由导出文件填写，用于把行对应到已有条目；新增条目请留空。',
    'The entry id column is filled by exports to match rows to existing entries; leave it empty for new entries.',
  ],
];

export interface WorkbookSource {
  layouts: SheetLayout[];
  meta: LayoutMeta;
  /** Data rows of a sheet (values in column order), or nothing for a template. */
  rows?: (layout: SheetLayout) => AsyncIterable<(string | number | boolean | null)[]>;
}

function codeTables(layouts: SheetLayout[]): Map<string, { letter: string; codes: LayoutColumn['codes'] }> {
  const out = new Map<string, { letter: string; codes: LayoutColumn['codes'] }>();
  for (const l of layouts)
    for (const c of l.columns)
      if (c.type === 'code' && c.codes && c.codeTable && !out.has(c.codeTable))
        out.set(c.codeTable, { letter: columnLetter(out.size + 1), codes: c.codes });
  return out;
}

/** Writes the three header rows of a layout sheet (row 3 hidden) and freezes them. */
export function addLayoutSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, layout: SheetLayout): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(layout.name, {
    views: [{ state: 'frozen', xSplit: layout.subSet === 'basic' ? 3 : 2, ySplit: HEADER_ROWS }],
  });
  ws.columns = layout.columns.map((c) => ({
    key: c.key,
    width: Math.max(10, Math.min(30, c.zh.length * 2 + 2)),
    style: { numFmt: '@' },
  }));
  const zh = ws.addRow(layout.columns.map((c) => c.zh));
  zh.font = { bold: true };
  zh.commit();
  ws.addRow(layout.columns.map((c) => c.en)).commit();
  const keys = ws.addRow(layout.columns.map((c) => c.key));
  keys.hidden = true;
  keys.commit();
  return ws;
}

/**
 * A template or an export as an xlsx, streamed: instructions, one sheet per sub-set (header rows,
 * drop-downs on code columns, text format so that codes keep their leading zeros), the code lists
 * and the `_meta` sheet (hidden). Sheets are written one after the other, so memory holds one row.
 */
export async function writeWorkbook(out: Writable, src: WorkbookSource): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'TMIS';
  const info = wb.addWorksheet(INSTRUCTIONS_SHEET);
  info.columns = [{ width: 100 }];
  for (const [zh, en] of INSTRUCTIONS) {
    info.addRow([zh]).commit();
    info.addRow([en]).commit();
    info.addRow([]).commit();
  }
  info
    .addRow([
      `指标目录版本 Catalogue version: ${src.meta.catalogueVersion}; 指标集 Indicator set: ${src.meta.indicatorSet}`,
    ])
    .commit();
  info.commit();

  const tables = codeTables(src.layouts);
  for (const layout of src.layouts) {
    const ws = addLayoutSheet(wb, layout);
    const validations = (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } })
      .dataValidations;
    layout.columns.forEach((c, i) => {
      const t = c.type === 'code' && c.codeTable ? tables.get(c.codeTable) : undefined;
      const col = columnLetter(i + 1);
      const range = `${col}${HEADER_ROWS + 1}:${col}${HEADER_ROWS + TEMPLATE_ROWS}`;
      if (t)
        validations.add(range, {
          type: 'list',
          allowBlank: true,
          showErrorMessage: false,
          formulae: [`'${CODES_SHEET}'!$${t.letter}$2:$${t.letter}$${(t.codes?.length ?? 0) + 1}`],
        });
      else if (c.type === 'boolean')
        validations.add(range, { type: 'list', allowBlank: true, showErrorMessage: false, formulae: ['"是,否"'] });
    });
    if (src.rows) for await (const values of src.rows(layout)) ws.addRow(values).commit();
    ws.commit();
  }

  const codes = wb.addWorksheet(CODES_SHEET, { state: 'hidden' });
  const lists = [...tables.entries()];
  codes.addRow(lists.map(([key]) => key)).commit();
  const longest = Math.max(0, ...lists.map(([, t]) => t.codes?.length ?? 0));
  for (let r = 0; r < longest; r++)
    codes
      .addRow(
        lists.map(([, t]) => {
          const e = t.codes?.[r];
          return e ? `${e.code} ${e.zh}` : null;
        }),
      )
      .commit();
  codes.commit();

  const meta = wb.addWorksheet(META_SHEET, { state: 'hidden' });
  for (const [k, v] of Object.entries(src.meta)) meta.addRow([k, v]).commit();
  meta.commit();
  await wb.commit();
}

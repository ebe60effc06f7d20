import { randomUUID } from 'node:crypto';
import { subSet as subSetDef, type CustomFieldDefinition, type WriterKind } from '@tmis/core-indicators';
import { assessWrite, customValues, type TeacherChange, type TeacherColumns } from '@tmis/teachers';

type Rec = Record<string, unknown>;

/** A staged row: one sheet row of one person, its cells already read into values. */
export interface StagedRow {
  seq: number;
  sheet: string;
  rowNo: number;
  subSet: string;
  idType: string;
  idNumber: string;
  data: Rec;
}

export interface ExistingRecord {
  id: string;
  unitId: string;
  unitPath: string;
  schoolType: string | null;
  version: number;
  reviewState: string;
  record: Rec;
  /** In post (false: left, retired…: a basic row putting them back in post re-registers them on this record). */
  active: boolean;
  /** Sub-set 13's entries from confirmed training (not stored in the record; an export carries them). */
  confirmed?: Rec[];
}

export interface UnitInfo {
  id: string;
  code: string;
  path: string;
  kind: string;
  status: string;
  /** The school type of the unit, or of its school for a secondary department. */
  schoolType: string | null;
}

export interface RowError {
  sheet: string | null;
  rowNo: number | null;
  col: string | null;
  field: string | null;
  value: string | null;
  code: string;
  en: string;
  zh: string;
}

export interface PersonAction {
  /** `re-register`: a person who left comes back, on their record (its id and history kept). */
  kind: 'create' | 'update' | 're-register';
  teacherId: string | null;
  baseVersion: number | null;
  fromState: string;
  columns: TeacherColumns;
  record: Rec;
  custom: Rec;
  catalogueVersion: string;
  changes: TeacherChange[];
}

export interface PersonOutcome {
  errors: RowError[];
  action?: PersonAction;
  unchanged?: boolean;
}

export interface AssessContext {
  writer: WriterKind;
  /** The caller's unit subtree. */
  scopePath: string;
  /** Unit of rows that leave the unit code empty (a school administrator's own school). */
  defaultUnitCode?: string;
  units: ReadonlyMap<string, UnitInfo | null>;
  customDefs: CustomFieldDefinition[];
  /** Column letter of a key on a sheet. */
  colOf(sheet: string, key: string): string | null;
}

/** Import-specific row problems, in both languages. */
export const IMPORT_PROBLEMS = {
  missingKey: [
    'the person key (ID document type and number) is required on every row',
    '每行须填写身份证件类型和身份证件号',
  ],
  duplicateInFile: [
    'this person already has a row on this sheet earlier in the file',
    '该人员在本表中已有一行（文件内重复）',
  ],
  noBasicRow: [
    'no row for this person on the basic sheet, and no record on this node',
    '基本信息表中没有该人员，本节点也没有其档案',
  ],
  unitRequired: ['the unit code is required', '须填写单位代码'],
  unknownUnit: ['no unit has this code', '单位代码不存在'],
  notASchool: ['teacher records belong to a school or a secondary department', '教师档案须属于学校或其二级部门'],
  unitClosed: ['the unit is closed or merged', '该单位已撤销或已合并'],
  scope: ['the unit is outside your unit and the units below it', '该单位不在本单位及下级单位范围内'],
  duplicateOutOfScope: [
    'this person already has a record on this node, in a unit outside your scope: the receiving school applies for a transfer (POST /transfers, Art. 23)',
    '该人员在本节点已有档案，且不在您的管理范围内：请由调入学校申请调动（POST /transfers，第二十三条）',
  ],
  otherUnit: [
    "this person's record is in another unit of your scope: move it with a transfer (POST /transfers, Art. 23), not an import",
    '该人员档案在您管辖的其他单位，请通过调动办理（POST /transfers，第二十三条），不能通过导入修改',
  ],
  entryNotFound: ["no entry of this person's record has this entry id", '该人员档案中没有此条目标识'],
  confirmedTraining: [
    'this entry comes from confirmed training (the training module keeps it): an import cannot change it',
    '此条目来自已确认的培训结果（由培训模块维护），不能通过导入修改',
  ],
  inReview: ["the record is awaiting the department's review and is locked", '档案正在主管部门审核中，已锁定'],
  reported: [
    'the record is reported: changes go through a change request (Art. 19)',
    '档案已上报，修改须通过变更申请（第十九条）',
  ],
  owner: ['your role may not write this field (Art. 16)', '您的角色不能填写该字段（第十六条）'],
  unknownColumn: ["this column is not a field of the sheet's sub-set", '该列不是本子集的字段'],
  missingColumn: ['the sheet lacks a required key column', '工作表缺少必需的关联列'],
} as const;

export type ImportProblem = keyof typeof IMPORT_PROBLEMS;

const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const display = (v: unknown): string | null =>
  v === undefined || v === null ? null : typeof v === 'string' ? v.slice(0, 200) : JSON.stringify(v).slice(0, 200);

/** The values of a row that belong to the record (not the unit code, the person key on non-basic sheets, nor the entry id). */
function fieldValues(row: StagedRow): Rec {
  const out: Rec = {};
  for (const [k, v] of Object.entries(row.data)) {
    if (v === undefined || k === 'unitCode' || k === 'id') continue;
    if (row.subSet !== 'basic' && (k === 'idType' || k === 'idNumber')) continue;
    out[k] = v;
  }
  return out;
}

export function rowError(
  row: Pick<StagedRow, 'sheet' | 'rowNo' | 'data'> | null,
  ctx: Pick<AssessContext, 'colOf'>,
  field: string | null,
  code: string,
  en: string,
  zh: string,
): RowError {
  return {
    sheet: row?.sheet ?? null,
    rowNo: row?.rowNo ?? null,
    col: row && field ? ctx.colOf(row.sheet, field) : null,
    field,
    value: row && field ? display(row.data[field]) : null,
    code,
    en,
    zh,
  };
}

function importError(row: StagedRow | null, ctx: AssessContext, field: string | null, p: ImportProblem): RowError {
  const [en, zh] = IMPORT_PROBLEMS[p];
  return rowError(row, ctx, field, p, en, zh);
}

/**
 * Decides what one person's rows do: create a record, update theirs, nothing (the file says what the
 * record already says), or errors at sheet/row/column. A record is built the way the API would build
 * it and goes through the API's rules (`assessWrite`: catalogue validation, owner rules, derived
 * columns). Rows of a person who already has a record update it: non-empty cells overwrite, empty
 * cells keep what is there, list rows match entries by entry id, then by equal content, then by the
 * sub-set's unique key (one assessment per year), else they are added — an import never deletes.
 */
export function assessPerson(
  rows: StagedRow[],
  existing: ExistingRecord | undefined,
  ctx: AssessContext,
): PersonOutcome {
  if (existing && !existing.active && rows.some((r) => r.subSet === 'basic')) {
    const back = assessReturn(rows, existing, ctx);
    if (back) return back;
  }
  const errors: RowError[] = [];
  const first = rows[0];
  const singles = new Map<string, StagedRow>();
  for (const r of rows) {
    if (subSetDef(r.subSet)?.cardinality !== 'one') continue;
    if (singles.has(r.subSet)) errors.push(importError(r, ctx, 'idNumber', 'duplicateInFile'));
    else singles.set(r.subSet, r);
  }
  const basicRow = singles.get('basic');
  if (existing && !existing.unitPath.startsWith(ctx.scopePath))
    return { errors: [...errors, importError(basicRow ?? first, ctx, 'idNumber', 'duplicateOutOfScope')] };

  let unit: { id: string; path: string; schoolType: string | null } | null = existing
    ? { id: existing.unitId, path: existing.unitPath, schoolType: existing.schoolType }
    : null;
  if (basicRow) {
    const code =
      typeof basicRow.data.unitCode === 'string' && basicRow.data.unitCode
        ? basicRow.data.unitCode
        : ctx.defaultUnitCode;
    const u = code ? ctx.units.get(code) : undefined;
    const problem: ImportProblem | null = !code
      ? 'unitRequired'
      : !u
        ? 'unknownUnit'
        : u.kind !== 'school' && u.kind !== 'department'
          ? 'notASchool'
          : !u.path.startsWith(ctx.scopePath)
            ? 'scope'
            : u.status !== 'active'
              ? 'unitClosed'
              : null;
    if (problem) errors.push(importError(basicRow, ctx, 'unitCode', problem));
    else if (existing && u!.id !== existing.unitId) errors.push(importError(basicRow, ctx, 'unitCode', 'otherUnit'));
    else unit = { id: u!.id, path: u!.path, schoolType: u!.schoolType };
  } else if (!existing) {
    errors.push(importError(first, ctx, 'idNumber', 'noBasicRow'));
  }
  if (errors.length || !unit) return { errors };

  // Build the record as it will be after the import, remembering which row each part came from.
  const before = existing?.record ?? null;
  const next: Rec = before ? structuredClone(before) : {};
  const source = new Map<string, StagedRow>();
  for (const [ss, r] of singles) {
    next[ss] = { ...(isObj(next[ss]) ? (next[ss] as Rec) : {}), ...fieldValues(r) };
    source.set(ss, r);
  }
  const listRows = rows.filter((r) => subSetDef(r.subSet)?.cardinality === 'many');
  const used = new Set<string>();
  const originalIds = new Set<string>();
  for (const ss of new Set(listRows.map((r) => r.subSet)))
    for (const e of Array.isArray(before?.[ss]) ? (before![ss] as Rec[]) : [])
      originalIds.add(`${ss}\u0000${String(e.id)}`);
  const confirmed = new Map((existing?.confirmed ?? []).map((e) => [String(e.id), e]));
  for (const r of listRows) {
    const def = subSetDef(r.subSet)!;
    // A confirmed training entry, as an export writes it: not typed data — left as it is, unless changed.
    const fromTraining = r.subSet === 'domesticTraining' && typeof r.data.id === 'string' && confirmed.get(r.data.id);
    if (fromTraining) {
      if (!Object.entries(fieldValues(r)).every(([k, v]) => same(fromTraining[k], v)))
        errors.push(importError(r, ctx, 'id', 'confirmedTraining'));
      continue;
    }
    const list: Rec[] = Array.isArray(next[r.subSet]) ? (next[r.subSet] as Rec[]) : [];
    next[r.subSet] = list;
    const values = fieldValues(r);
    const original = (e: Rec) =>
      originalIds.has(`${r.subSet}\u0000${String(e.id)}`) && !used.has(`${r.subSet}\u0000${String(e.id)}`);
    let index = -1;
    if (typeof r.data.id === 'string' && r.data.id) {
      index = list.findIndex((e) => e.id === r.data.id);
      if (index < 0) {
        errors.push(importError(r, ctx, 'id', 'entryNotFound'));
        continue;
      }
    } else {
      index = list.findIndex((e) => original(e) && Object.entries(values).every(([k, v]) => same(e[k], v)));
      if (index < 0 && def.uniqueBy?.length && def.uniqueBy.every((k) => values[k] !== undefined))
        index = list.findIndex((e) => original(e) && def.uniqueBy!.every((k) => same(e[k], values[k])));
    }
    if (index >= 0) {
      used.add(`${r.subSet}\u0000${String(list[index].id)}`);
      list[index] = { ...list[index], ...values };
    } else {
      list.push({ ...values, id: randomUUID() });
      index = list.length - 1;
    }
    source.set(`${r.subSet}[${index}]`, r);
  }
  if (errors.length) return { errors };

  const a = assessWrite(ctx.writer, before, next, { schoolType: unit.schoolType }, unit, ctx.customDefs);
  if (existing && a.changes.length === 0) return { errors: [], unchanged: true };
  if (existing && a.changes.length && existing.reviewState === 'school_approved')
    return { errors: [importError(basicRow ?? first, ctx, null, 'inReview')] };
  if (existing && a.changes.length && existing.reviewState === 'reported')
    return { errors: [importError(basicRow ?? first, ctx, null, 'reported')] };

  const locate = (path: string): { row: StagedRow; field: string | null } => {
    const m = /^(?:record\.)?([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z0-9_]+))?/.exec(path);
    if (!m) return { row: first, field: null };
    const [, ss, index, field] = m;
    const row =
      (index !== undefined ? source.get(`${ss}[${index}]`) : source.get(ss)) ??
      rows.find((r) => r.subSet === ss) ??
      first;
    return { row, field: field ?? null };
  };
  for (const p of a.problems) {
    const { row, field } = locate(p.path);
    const shown = row.subSet === p.path.replace(/^record\./, '').split(/[.[]/)[0] ? field : null;
    errors.push(
      rowError(
        row,
        ctx,
        shown,
        p.code,
        shown ? p.message : `${p.path.replace(/^record\./, '')}: ${p.message}`,
        p.messageZh.replace(/^record\./, ''),
      ),
    );
  }
  for (const path of a.denied) {
    const { row, field } = locate(path);
    errors.push(rowError(row, ctx, field, 'owner', IMPORT_PROBLEMS.owner[0], `${path}：${IMPORT_PROBLEMS.owner[1]}`));
  }
  if (errors.length) return { errors };
  return {
    errors: [],
    action: {
      kind: existing ? 'update' : 'create',
      teacherId: existing?.id ?? null,
      baseVersion: existing?.version ?? null,
      fromState: existing?.reviewState ?? 'draft',
      columns: a.columns,
      record: next,
      custom: customValues(next),
      catalogueVersion: a.catalogueVersion,
      changes: a.changes,
    },
  };
}

/**
 * The re-registration rule of `POST /teachers`, in an import: a person whose record here is no longer
 * in post (left, retired…) and whom the file registers in post again — at any unit of the importer's
 * scope — is registered on that record (its id and history kept), from the file's rows as a new
 * registration would be, with a `re-register` history row saying from which unit. Null when the file
 * does not put them back in post (the rows then update the record as for anyone else).
 */
function assessReturn(rows: StagedRow[], existing: ExistingRecord, ctx: AssessContext): PersonOutcome | null {
  const fresh = assessPerson(rows, undefined, ctx);
  if (fresh.errors.length) return fresh;
  const action = fresh.action;
  if (!action || !action.columns.active) return null;
  const unit = { id: String(action.columns.unitId), path: String(action.columns.unitPath) };
  const a = assessWrite(
    ctx.writer,
    existing.record,
    action.record,
    { schoolType: action.columns.schoolType ?? null },
    unit,
    ctx.customDefs,
  );
  return {
    errors: [],
    action: {
      ...action,
      kind: 're-register',
      teacherId: existing.id,
      baseVersion: existing.version,
      fromState: existing.reviewState,
      changes: [{ path: 'unitId', before: existing.unitId, after: unit.id }, ...a.changes],
    },
  };
}

/** A staged person: the action to write, with its record id (a new record's is assigned here). */
export type StagedAction = PersonAction & { teacherId: string; idType: string; idNumber: string };

/** What a batch of persons comes to. */
export interface BatchOutcome {
  staged: StagedAction[];
  errors: RowError[];
  invalidPersons: number;
  unchanged: number;
  created: number;
  updated: number;
  /** Of `updated`: persons who came back and are registered again on their record. */
  reRegistered: number;
}

/**
 * Assesses a batch of persons (their rows, in file order, by `idType\0idNumber`) against their
 * existing records: pure, so it runs in the validation worker thread (assess.worker.ts).
 */
export function assessBatch(
  byPerson: Iterable<[string, StagedRow[]]>,
  existing: ReadonlyMap<string, ExistingRecord>,
  ctx: AssessContext,
): BatchOutcome {
  const out: BatchOutcome = {
    staged: [],
    errors: [],
    invalidPersons: 0,
    unchanged: 0,
    created: 0,
    updated: 0,
    reRegistered: 0,
  };
  for (const [k, personRows] of byPerson) {
    const o = assessPerson(personRows, existing.get(k), ctx);
    if (o.errors.length) {
      out.invalidPersons += 1;
      out.errors.push(...o.errors);
    } else if (o.unchanged) out.unchanged += 1;
    else if (o.action) {
      // A new record's id is assigned here, so the commit never has to join the inserted rows back.
      out.staged.push({
        ...o.action,
        teacherId: o.action.teacherId ?? randomUUID(),
        idType: personRows[0].idType,
        idNumber: personRows[0].idNumber,
      });
      if (o.action.kind === 'create') out.created += 1;
      else out.updated += 1;
      if (o.action.kind === 're-register') out.reRegistered += 1;
    }
  }
  return out;
}

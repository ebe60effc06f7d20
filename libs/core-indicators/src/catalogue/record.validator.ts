import { codeLabel, type CodeEntry } from '../code-tables/code-table.js';
import { CHINESE_NATIONALITIES } from '../code-tables/person.js';
import { idNumberProblemMessages, parseIdNumber } from '../validators/id-number.js';
import { CATALOGUE_VERSION, CODE_TABLES, fieldApplies, fieldRequired, indicatorSet, subSet } from './catalogue.js';
import type { CustomFieldDefinition } from './custom-fields.js';
import type { RecordProblem } from './problems.js';
import { MAX_LIST_ENTRIES, type FieldDef, type FieldType, type Owner } from './types.js';

export type TeacherRecordValue = Record<string, unknown>;

export interface RecordValidationContext {
  indicatorSet: string;
  customFields?: readonly CustomFieldDefinition[];
  today?: Date;
}

export interface RecordValidationResult {
  problems: RecordProblem[];
  catalogueVersion: string;
}

interface EffectiveField {
  key: string;
  type: FieldType;
  required: boolean;
  maxLength?: number;
  codes?: readonly CodeEntry[];
  codeTableKey?: string;
  owner: Owner;
}

const ZH: Record<string, string> = {
  required: '必填', type: '类型不正确', code: '不是代码表中的值', maxLength: '过长', unknown: '不是该指标集中的指标', list: '应为列表',
  object: '应为对象', maxEntries: `条目不能超过${MAX_LIST_ENTRIES}条`, dateOrder: '日期先后顺序不正确', idMismatch: '与身份证号码不一致',
  conditional: '按条件必填', notApplicable: '不适用', retired: '该自定义指标已停用', future: '不能晚于今天',
};

function problem(path: string, code: string, message: string, zhDetail?: string): RecordProblem {
  return { path, code, message, messageZh: `${path}：${zhDetail ?? ZH[code] ?? '无效'}` };
}

function effectiveFields(subSetKey: string, set: string, custom: readonly CustomFieldDefinition[]): Map<string, EffectiveField | 'retired'> {
  const out = new Map<string, EffectiveField | 'retired'>();
  for (const f of subSet(subSetKey)?.fields ?? []) {
    if (!fieldApplies(f, set)) continue;
    out.set(f.key, { key: f.key, type: f.type, required: fieldRequired(f, set), maxLength: f.maxLength, codeTableKey: f.codeTable, codes: f.codeTable ? CODE_TABLES.get(f.codeTable)?.entries : undefined, owner: f.owner });
  }
  for (const c of custom) {
    if (c.subSet !== subSetKey) continue;
    if (c.status === 'retired') { out.set(c.key, 'retired'); continue; }
    out.set(c.key, { key: c.key, type: c.type, required: c.requiredIn.includes(set), maxLength: c.maxLength ?? (c.type === 'text' ? 2000 : c.type === 'string' ? 100 : undefined), codeTableKey: c.codeTable, codes: c.codes ?? (c.codeTable ? CODE_TABLES.get(c.codeTable)?.entries : undefined), owner: c.owner });
  }
  return out;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function isRealDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

function checkValue(f: EffectiveField, v: unknown, path: string, today: string): RecordProblem | null {
  const typeErr = (what: string) => problem(path, 'type', `must be ${what}`, `应为${what}`);
  switch (f.type) {
    case 'string': case 'text': case 'idNumber':
      if (typeof v !== 'string' || v.trim() === '') return typeErr('a non-empty string');
      if (f.maxLength && v.length > f.maxLength) return problem(path, 'maxLength', `must be at most ${f.maxLength} characters`);
      return null;
    case 'date':
      if (typeof v !== 'string' || !isRealDate(v)) return typeErr('a date YYYY-MM-DD');
      if (v > today) return problem(path, 'future', 'must not be in the future');
      return null;
    case 'yearMonth':
      if (typeof v !== 'string' || !YEAR_MONTH.test(v)) return typeErr('a year-month YYYY-MM');
      if (v > today.slice(0, 7)) return problem(path, 'future', 'must not be in the future');
      return null;
    case 'code':
      if (typeof v !== 'string') return typeErr('a code (string)');
      if (!f.codes?.some((c) => c.code === v)) return problem(path, 'code', `"${v}" is not in code table ${f.codeTableKey ?? 'of the field'}`);
      return null;
    case 'boolean':
      return typeof v === 'boolean' ? null : typeErr('true or false');
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e9 ? null : typeErr('a whole number ≥ 0');
    case 'decimal':
      return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e12 ? null : typeErr('a number ≥ 0');
    case 'phone':
      return typeof v === 'string' && /^\+?[0-9][0-9 -]{4,19}$/.test(v) ? null : typeErr('a phone number');
    case 'email':
      return typeof v === 'string' && v.length <= (f.maxLength ?? 100) && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) ? null : typeErr('an email address');
  }
}

function validateObject(obj: unknown, path: string, fields: Map<string, EffectiveField | 'retired'>, today: string, out: RecordProblem[], allowId: boolean): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) { out.push(problem(path, 'object', 'must be an object')); return; }
  const o = obj as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (allowId && k === 'id') { if (typeof v !== 'string' || v.length > 64) out.push(problem(`${path}.id`, 'type', 'must be a string id')); continue; }
    const f = fields.get(k);
    if (f === 'retired') { if (v !== null && v !== undefined) out.push(problem(`${path}.${k}`, 'retired', 'this custom field is retired')); continue; }
    if (!f) { out.push(problem(`${path}.${k}`, 'unknown', `"${k}" is not a field of ${path.replace(/\[\d+\]$/, '')} in this indicator set`)); continue; }
    if (v === null || v === undefined) continue;
    const p = checkValue(f, v, `${path}.${k}`, today);
    if (p) out.push(p);
  }
  for (const f of fields.values()) {
    if (f !== 'retired' && f.required && (o[f.key] === null || o[f.key] === undefined)) out.push(problem(`${path}.${f.key}`, 'required', 'is required'));
  }
}

/**
 * Validates a whole record (`{ basic: {...}, education: [...], contacts: {...}, ... }`) against the
 * catalogue for one indicator set, with the province's custom fields, and the cross-field rules.
 */
export function validateRecord(record: unknown, ctx: RecordValidationContext): RecordValidationResult {
  const out: RecordProblem[] = [];
  const today = (ctx.today ?? new Date()).toISOString().slice(0, 10);
  const set = indicatorSet(ctx.indicatorSet);
  const custom = ctx.customFields ?? [];
  if (!set) return { problems: [problem('indicatorSet', 'unknown', `unknown indicator set ${ctx.indicatorSet}`)], catalogueVersion: CATALOGUE_VERSION };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return { problems: [problem('record', 'object', 'must be an object')], catalogueVersion: CATALOGUE_VERSION };
  const r = record as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!set.subSets.includes(key)) out.push(problem(key, 'unknown', `"${key}" is not a sub-set of indicator set ${set.key}`, `不是指标集${set.zh}的子集`));
  }
  for (const key of set.subSets) {
    const def = subSet(key)!;
    const fields = effectiveFields(key, set.key, custom);
    const value = r[key];
    if (def.cardinality === 'one') {
      if (value === undefined || value === null) { if (key === 'basic') out.push(problem(key, 'required', 'is required')); continue; }
      validateObject(value, key, fields, today, out, false);
    } else {
      if (value === undefined || value === null) continue;
      if (!Array.isArray(value)) { out.push(problem(key, 'list', 'must be a list')); continue; }
      if (value.length > MAX_LIST_ENTRIES) { out.push(problem(key, 'maxEntries', `must have at most ${MAX_LIST_ENTRIES} entries`)); continue; }
      value.forEach((entry, i) => {
        validateObject(entry, `${key}[${i}]`, fields, today, out, true);
        if (entry && typeof entry === 'object') checkPeriod(entry as Record<string, unknown>, `${key}[${i}]`, out);
      });
    }
  }
  if (r.basic && typeof r.basic === 'object' && !Array.isArray(r.basic)) checkBasic(r.basic as Record<string, unknown>, out, today);
  return { problems: out, catalogueVersion: CATALOGUE_VERSION };
}

function checkPeriod(e: Record<string, unknown>, path: string, out: RecordProblem[]): void {
  for (const [a, b] of [['startDate', 'endDate'], ['startMonth', 'endMonth']]) {
    if (typeof e[a] === 'string' && typeof e[b] === 'string' && (e[a] as string) > (e[b] as string)) {
      out.push(problem(`${path}.${b}`, 'dateOrder', `${b} must not be before ${a}`, `${b}不能早于${a}`));
    }
  }
}

function checkBasic(b: Record<string, unknown>, out: RecordProblem[], today: string): void {
  const has = (k: string) => b[k] !== undefined && b[k] !== null;
  if (b.idType === '1' && typeof b.idNumber === 'string') {
    const parsed = parseIdNumber(b.idNumber, new Date(today + 'T23:59:59Z'));
    if (!parsed.ok) {
      const m = idNumberProblemMessages[parsed.problem];
      out.push(problem('basic.idNumber', 'idNumber', `ID number ${m.en}`, m.zh));
    } else {
      if (typeof b.birthDate === 'string' && b.birthDate !== parsed.value.birthDate) out.push(problem('basic.birthDate', 'idMismatch', `must agree with the ID number (${parsed.value.birthDate})`));
      if (typeof b.sex === 'string' && b.sex !== parsed.value.sex) out.push(problem('basic.sex', 'idMismatch', 'must agree with the ID number (odd sequence = male)'));
    }
  }
  if (b.onEstablishment === false && !has('employmentForm')) out.push(problem('basic.employmentForm', 'conditional', 'is required for staff not on the establishment', '非在编人员必填用人形式'));
  if (typeof b.nationality === 'string') {
    const chinese = CHINESE_NATIONALITIES.has(b.nationality);
    if (!chinese && has('ethnicity')) out.push(problem('basic.ethnicity', 'notApplicable', 'is not recorded for foreign nationals', '外籍人员不填民族'));
    if (b.nationality === 'CHN' && !has('ethnicity')) out.push(problem('basic.ethnicity', 'conditional', 'is required for Chinese nationals', '中国国籍人员必填民族'));
  }
  const birth = typeof b.birthDate === 'string' ? b.birthDate.slice(0, 7) : undefined;
  const work = typeof b.workStartMonth === 'string' ? b.workStartMonth : undefined;
  const entry = typeof b.schoolEntryMonth === 'string' ? b.schoolEntryMonth : undefined;
  if (birth && work && !(birth < work)) out.push(problem('basic.workStartMonth', 'dateOrder', 'must be after the birth date', '参加工作年月须晚于出生日期'));
  if (work && entry && entry < work) out.push(problem('basic.schoolEntryMonth', 'dateOrder', 'must not be before the work start', '进本校年月不能早于参加工作年月'));
}

/** Labels a code value for display (core tables and a custom field's own codes). */
export function labelOf(codeTableKey: string, code: string): CodeEntry | undefined {
  const t = CODE_TABLES.get(codeTableKey);
  return t ? codeLabel(t, code) : undefined;
}

export type { FieldDef };

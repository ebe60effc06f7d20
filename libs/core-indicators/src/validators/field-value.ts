import type { CodeEntry } from '../code-tables/code-table.js';
import type { FieldType } from '../catalogue/types.js';
import { problem, type RecordProblem } from './problems.js';

/** What a value is checked against: a core field or an active custom field, resolved for one indicator set. */
export interface ValueRule {
  key: string;
  type: FieldType;
  required: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
  patternHint?: string;
  allowFuture?: boolean;
  codeTableKey?: string;
  /** The allowed codes (`code` fields); missing when the table is unknown, which refuses every value. */
  codes?: readonly CodeEntry[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const PHONE = /^\+?[0-9][0-9 -]{4,19}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOCUMENT_NUMBER = /^[0-9A-Za-z()-]+$/;
/** Earliest year a date in a record may have. */
export const EARLIEST_YEAR = 1900;

export function isRealDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

export function isYearMonth(v: string): boolean {
  return YEAR_MONTH.test(v);
}

const PATTERNS = new Map<string, RegExp>();
function compiled(source: string): RegExp {
  let re = PATTERNS.get(source);
  if (!re) PATTERNS.set(source, (re = new RegExp(source)));
  return re;
}

/**
 * Checks one present (non-null) value against its rule. `today` is `YYYY-MM-DD`.
 * Returns the first problem, or null.
 */
export function checkFieldValue(rule: ValueRule, v: unknown, path: string, today: string): RecordProblem | null {
  const wrong = (en: string, zh: string) => problem(path, 'type', `must be ${en}`, `应为${zh}`);
  switch (rule.type) {
    case 'string':
    case 'text':
    case 'idNumber': {
      if (typeof v !== 'string' || v.trim() === '') return wrong('a non-empty string', '非空文本');
      if (rule.maxLength !== undefined && v.length > rule.maxLength)
        return problem(
          path,
          'maxLength',
          `must be at most ${rule.maxLength} characters`,
          `不能超过${rule.maxLength}个字符`,
        );
      if (rule.type === 'idNumber' && !DOCUMENT_NUMBER.test(v))
        return problem(
          path,
          'pattern',
          'may hold only letters, digits, brackets and hyphens',
          '只能包含字母、数字、括号和连字符',
        );
      if (rule.pattern && !compiled(rule.pattern).test(v))
        return problem(
          path,
          'pattern',
          `must look like ${rule.patternHint ?? rule.pattern}`,
          `格式应如 ${rule.patternHint ?? rule.pattern}`,
        );
      return null;
    }
    case 'date':
      if (typeof v !== 'string' || !isRealDate(v)) return wrong('a real date YYYY-MM-DD', '有效日期（YYYY-MM-DD）');
      return checkWhen(rule, v, v.slice(0, 4), today, path);
    case 'yearMonth':
      if (typeof v !== 'string' || !isYearMonth(v)) return wrong('a year-month YYYY-MM', '年月（YYYY-MM）');
      return checkWhen(rule, v, v.slice(0, 4), today.slice(0, 7), path);
    case 'code':
      if (typeof v !== 'string') return wrong('a code (string)', '代码（文本）');
      if (!rule.codes?.some((c) => c.code === v))
        return problem(
          path,
          'code',
          `"${v}" is not a code of table ${rule.codeTableKey ?? rule.key}`,
          `“${v}”不是代码表${rule.codeTableKey ?? rule.key}中的代码`,
        );
      return null;
    case 'boolean':
      return typeof v === 'boolean' ? null : wrong('true or false', '是或否（布尔值）');
    case 'integer':
    case 'decimal': {
      const isInt = rule.type === 'integer';
      if (typeof v !== 'number' || !Number.isFinite(v) || (isInt && !Number.isInteger(v)))
        return isInt ? wrong('a whole number', '整数') : wrong('a number', '数值');
      const min = rule.min ?? 0;
      const max = rule.max ?? (isInt ? 1e9 : 1e12);
      if (v < min || v > max)
        return problem(path, 'range', `must be between ${min} and ${max}`, `应在${min}至${max}之间`);
      return null;
    }
    case 'phone':
      if (typeof v !== 'string' || !PHONE.test(v))
        return wrong('a phone number (digits, spaces, hyphens, optional +)', '电话号码');
      return rule.maxLength !== undefined && v.length > rule.maxLength
        ? problem(path, 'maxLength', `must be at most ${rule.maxLength} characters`, `不能超过${rule.maxLength}个字符`)
        : null;
    case 'email':
      if (typeof v !== 'string' || !EMAIL.test(v)) return wrong('an email address', '电子邮箱地址');
      return v.length > (rule.maxLength ?? 100)
        ? problem(
            path,
            'maxLength',
            `must be at most ${rule.maxLength ?? 100} characters`,
            `不能超过${rule.maxLength ?? 100}个字符`,
          )
        : null;
  }
}

function checkWhen(rule: ValueRule, v: string, year: string, limit: string, path: string): RecordProblem | null {
  if (Number(year) < EARLIEST_YEAR)
    return problem(path, 'range', `must not be before ${EARLIEST_YEAR}`, `不能早于${EARLIEST_YEAR}年`);
  if (!rule.allowFuture && v > limit) return problem(path, 'future', 'must not be in the future', '不能晚于今天');
  return null;
}

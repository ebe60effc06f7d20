import { hasCode } from '../code-tables/code-table.js';
import { SCHOOL_TYPES } from '../code-tables/school.js';

export type SchoolCodeProblem = 'format' | 'type' | 'province' | 'sequence';

/**
 * Validates a 10-digit school identification code: 2-digit school type + 2-digit province +
 * 6-digit sequence. `expectedProvince` (two digits) is the province the school is placed in.
 */
export function checkSchoolCode(code: string, expectedProvince?: string): SchoolCodeProblem | null {
  if (!/^[0-9]{10}$/.test(code)) return 'format';
  if (!hasCode(SCHOOL_TYPES, code.slice(0, 2))) return 'type';
  const province = code.slice(2, 4);
  if (expectedProvince !== undefined && province !== expectedProvince) return 'province';
  if (!PROVINCE_PREFIXES.has(province)) return 'province';
  if (code.slice(4) === '000000') return 'sequence';
  return null;
}

export const schoolCodeProblemMessages: Record<SchoolCodeProblem, { en: string; zh: string }> = {
  format: { en: 'must be exactly 10 digits', zh: '应为10位数字' },
  type: { en: 'first two digits are not a known school type', zh: '前两位不是有效的学校类型代码' },
  province: { en: 'digits 3-4 do not match the province the school belongs to', zh: '第3-4位与学校所属省份不一致' },
  sequence: { en: 'sequence part must not be 000000', zh: '顺序号不能为000000' },
};

/** The two-digit prefixes of the 31 provinces (GB/T 2260) and the XPCC (66). */
export const PROVINCE_PREFIXES: ReadonlySet<string> = new Set([
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
]);

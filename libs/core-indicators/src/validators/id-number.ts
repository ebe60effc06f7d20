const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** GB 11643 check character for the first 17 digits of a citizen ID number. */
export function gb11643CheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export type IdNumberProblem = 'format' | 'address' | 'birthDate' | 'checkChar';

export interface ParsedIdNumber {
  addressCode: string;
  birthDate: string; // YYYY-MM-DD
  /** GB/T 2261.1: '1' male, '2' female (odd sequence = male). */
  sex: '1' | '2';
}

/** Parses and validates an 18-character mainland citizen ID number (GB 11643-1999). */
export function parseIdNumber(
  value: string,
  today: Date = new Date(),
): { ok: true; value: ParsedIdNumber } | { ok: false; problem: IdNumberProblem } {
  if (!/^[0-9]{17}[0-9X]$/.test(value)) return { ok: false, problem: 'format' };
  const province = Number(value.slice(0, 2));
  if (province < 11 || province > 82) return { ok: false, problem: 'address' };
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (
    y < 1900 ||
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== m - 1 ||
    date.getUTCDate() !== d ||
    date.getTime() > today.getTime()
  ) {
    return { ok: false, problem: 'birthDate' };
  }
  if (gb11643CheckChar(value.slice(0, 17)) !== value[17]) return { ok: false, problem: 'checkChar' };
  const seq = Number(value.slice(14, 17));
  return {
    ok: true,
    value: {
      addressCode: value.slice(0, 6),
      birthDate: `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`,
      sex: seq % 2 === 1 ? '1' : '2',
    },
  };
}

export function isValidIdNumber(value: string): boolean {
  return parseIdNumber(value).ok;
}

export const idNumberProblemMessages: Record<IdNumberProblem, { en: string; zh: string }> = {
  format: { en: 'must be 17 digits followed by a digit or X', zh: '应为17位数字加1位数字或X' },
  address: { en: 'address code is not a valid province', zh: '地址码不是有效的省级代码' },
  birthDate: { en: 'birth date part is not a real past date', zh: '出生日期码不是有效日期' },
  checkChar: { en: 'check character does not match (GB 11643)', zh: '校验码不正确（GB 11643）' },
};

/** Builds a valid ID number from its parts (used by demo data, factories and benchmarks). */
export function makeIdNumber(addressCode: string, birth: string /* YYYYMMDD */, sequence: number): string {
  const first17 = addressCode + birth + String(sequence).padStart(3, '0');
  return first17 + gb11643CheckChar(first17);
}

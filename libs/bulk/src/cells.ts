import type { LayoutColumn } from './layout.js';

/** What a cell holds after reading: text, a number, a boolean, a date, or nothing. */
export type CellInput = string | number | boolean | Date | null | undefined;

const pad = (n: number | string, w = 2) => String(n).padStart(w, '0');
const TRUE = new Set(['true', 'yes', 'y', '1', '是', '√', 'T']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '×', 'F']);

/** Excel serial day → date (1900 system, with Excel's phantom 29 Feb 1900 accounted for). */
function serialToDate(serial: number): Date {
  return new Date(Date.UTC(1899, 11, 30) + Math.round(serial) * 86400000);
}

function isoDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `2020/9/1`, `2020.09.01`, `2020年9月1日`, `20200901` → `2020-09-01`; anything else unchanged. */
export function normaliseDate(s: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  return m ? `${m[1]}-${pad(m[2])}-${pad(m[3])}` : s;
}

/** `2020/9`, `2020.09`, `2020年9月`, `202009` → `2020-09`; anything else unchanged. */
export function normaliseYearMonth(s: string): string {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$/.exec(s) ?? /^(\d{4})(\d{2})$/.exec(s);
  return m ? `${m[1]}-${pad(m[2])}` : s;
}

function text(v: Exclude<CellInput, null | undefined>): string {
  if (v instanceof Date) return isoDate(v);
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  return String(v).trim();
}

/**
 * Turns a cell into the value the record validator sees, forgivingly: codes as `code` or `code label`
 * (or a number Excel stripped of its leading zero), dates as real dates or common spellings, yes/no
 * in Chinese or English, numbers typed as text. What cannot be read is passed on as text, so the
 * validator — the same one the API uses — reports it. Empty cells are `undefined`.
 */
export function cellToValue(col: Pick<LayoutColumn, 'type' | 'codes'>, raw: CellInput): unknown {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'string' && raw.trim() === '') return undefined;
  switch (col.type) {
    case 'code': {
      const s = text(raw);
      const codes = col.codes ?? [];
      if (codes.some((c) => c.code === s)) return s;
      const head = s.split(/[\s\u3000]+/)[0];
      if (head !== s && codes.some((c) => c.code === head)) return head;
      const byLabel = codes.find((c) => c.zh === s || c.en.toLowerCase() === s.toLowerCase());
      if (byLabel) return byLabel.code;
      if (/^\d+$/.test(s)) {
        const same = codes.filter((c) => /^\d+$/.test(c.code) && Number(c.code) === Number(s));
        if (same.length === 1) return same[0].code;
      }
      return s;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = text(raw);
      if (TRUE.has(s) || TRUE.has(s.toLowerCase())) return true;
      if (FALSE.has(s) || FALSE.has(s.toLowerCase())) return false;
      return s;
    }
    case 'date':
      if (raw instanceof Date) return isoDate(raw);
      if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0 && raw < 2958466)
        return isoDate(serialToDate(raw));
      return normaliseDate(text(raw));
    case 'yearMonth':
      if (raw instanceof Date) return isoDate(raw).slice(0, 7);
      return normaliseYearMonth(text(raw));
    case 'integer':
    case 'decimal': {
      if (typeof raw === 'number') return raw;
      const s = text(raw).replace(/,/g, '');
      return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
    }
    case 'idNumber':
      return text(raw).toUpperCase();
    default:
      return text(raw);
  }
}

/** The text a value shows in an export (and in an error report). */
export function valueToCell(col: Pick<LayoutColumn, 'type' | 'codes'>, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (col.type === 'code' && typeof v === 'string') {
    const label = col.codes?.find((c) => c.code === v);
    return label ? `${v} ${label.zh}` : v;
  }
  if (col.type === 'boolean' && typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

import { maskIdNumber, maskPhone } from '@tmis/common';
import { SUB_SETS } from '@tmis/core-indicators';

export type RecordView = 'full' | 'masked' | 'teacher';
type Rec = Record<string, unknown>;

function maskValue(key: string, v: unknown): unknown {
  if (typeof v !== 'string') return v == null ? v : '***';
  if (key === 'idNumber') return maskIdNumber(v);
  if (key === 'mobile' || key === 'officePhone') return maskPhone(v);
  if (key === 'email') return v.replace(/^(.).*(@.*)$/, '$1***$2');
  return v.length <= 2 ? '**' : `${v.slice(0, 2)}***`;
}

/**
 * What a reader sees of a record: information administrators everything; query users with personal
 * data (ID numbers, contacts) masked and no pay; a teacher their own record without the sub-sets
 * the school or department keeps (pay, assessment, ethics).
 */
export function viewRecord(record: Rec, view: RecordView): Rec {
  if (view === 'full') return record;
  const out: Rec = {};
  for (const ss of SUB_SETS) {
    if (!(ss.key in record)) continue;
    if (view === 'teacher' && !ss.teacherVisible) continue;
    if (view === 'masked' && ss.fields.every((f) => f.sensitivity === 'pay')) continue;
    const personal = new Set(ss.fields.filter((f) => f.sensitivity === 'personal').map((f) => f.key));
    const mask = (o: Rec) =>
      Object.fromEntries(
        Object.entries(o).map(([k, v]) => [k, view === 'masked' && personal.has(k) ? maskValue(k, v) : v]),
      );
    const v = record[ss.key];
    out[ss.key] = Array.isArray(v) ? v.map((e) => mask(e as Rec)) : v && typeof v === 'object' ? mask(v as Rec) : v;
  }
  return out;
}

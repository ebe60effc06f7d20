import { SUB_SETS, subSet } from '@tmis/core-indicators';
import type { TeacherChange } from './teacher.repository.js';

type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Leaf-level differences between two records: `basic.name`, `education[1].degree`, … (list entries matched by id). */
export function diffRecords(before: Rec | null, after: Rec): TeacherChange[] {
  const out: TeacherChange[] = [];
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  for (const ss of SUB_SETS.map((s) => s.key).filter((k) => keys.has(k))) {
    const def = subSet(ss)!;
    const b = before?.[ss];
    const a = after[ss];
    if (def.cardinality === 'one') {
      const bo = isObj(b) ? b : {};
      const ao = isObj(a) ? a : {};
      for (const k of new Set([...Object.keys(bo), ...Object.keys(ao)]))
        if (!same(bo[k], ao[k])) out.push({ path: `${ss}.${k}`, before: bo[k] ?? null, after: ao[k] ?? null });
      continue;
    }
    const bl = Array.isArray(b) ? (b as Rec[]) : [];
    const al = Array.isArray(a) ? (a as Rec[]) : [];
    al.forEach((entry, i) => {
      const prev = bl.find((x) => x.id === entry.id);
      for (const k of new Set([...Object.keys(prev ?? {}), ...Object.keys(entry)])) {
        if (k === 'id') continue;
        if (!same(prev?.[k], entry[k]))
          out.push({ path: `${ss}[${i}].${k}`, before: prev?.[k] ?? null, after: entry[k] ?? null });
      }
    });
    bl.forEach((entry, i) => {
      if (al.some((x) => x.id === entry.id)) return;
      for (const [k, v] of Object.entries(entry))
        if (k !== 'id' && v !== null && v !== undefined) out.push({ path: `${ss}[${i}].${k}`, before: v, after: null });
    });
  }
  return out;
}

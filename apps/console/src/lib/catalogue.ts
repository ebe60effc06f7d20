import { useEffect, useState } from 'react';
import { api, unwrap } from './api';

export interface FieldDef {
  key: string;
  zh: string;
  en: string;
  type: string;
  codeTable?: string;
  maxLength?: number;
  owner: 'teacher' | 'school' | 'department';
  sensitivity: 'normal' | 'personal' | 'pay';
  required?: unknown;
}
export interface SubSetDef {
  key: string;
  order: number;
  zh: string;
  en: string;
  cardinality: 'one' | 'many';
  teacherVisible: boolean;
  fields: FieldDef[];
}
export interface CodeTable {
  key: string;
  entries: { code: string; zh: string; en: string }[];
}
export interface Catalogue {
  version: string;
  subSets: SubSetDef[];
  codeTables: CodeTable[];
  indicatorSets: { key: string; zh: string; en: string; subSets: string[] }[];
}
interface CustomField extends FieldDef {
  subSet: string;
  status: string;
}

let cached: Promise<Catalogue> | null = null;

/** Forgets the catalogue read (after the province's custom indicators changed). */
export function forgetCatalogue(): void {
  cached = null;
}

/** The catalogue with the province's active custom indicators merged into their sub-sets (read once). */
export function loadCatalogue(): Promise<Catalogue> {
  cached ??= Promise.all([
    unwrap<Catalogue>(api.GET('/catalogue')),
    // The national node has no custom indicators of its own (the route is a province's: 404 there).
    unwrap<CustomField[]>(api.GET('/custom-fields', { params: { query: {} } })).catch(() => [] as CustomField[]),
  ]).then(([cat, custom]) => ({
    ...cat,
    subSets: cat.subSets.map((s) => ({
      ...s,
      fields: [...s.fields, ...custom.filter((c) => c.subSet === s.key && c.status === 'active')],
    })),
  }));
  cached.catch(() => {
    cached = null;
  });
  return cached;
}

export function useCatalogue(): Catalogue | null {
  const [c, setC] = useState<Catalogue | null>(null);
  useEffect(() => {
    void loadCatalogue().then(setC, () => undefined);
  }, []);
  return c;
}

export function codeLabel(cat: Catalogue | null, table: string, code: unknown, lang: 'zh' | 'en'): string {
  if (code === null || code === undefined || code === '') return '';
  const e = cat?.codeTables.find((t) => t.key === table)?.entries.find((x) => x.code === code);
  return e ? (lang === 'zh' ? e.zh : e.en) : String(code);
}

/** Who writes, as the owner rules see the caller (Art. 16). */
export type WriterKind = 'teacher' | 'school' | 'department' | null;
export const mayWrite = (w: WriterKind, owner: FieldDef['owner']) =>
  w === 'department' ? true : w === 'school' ? owner !== 'department' : w === 'teacher' ? owner === 'teacher' : false;

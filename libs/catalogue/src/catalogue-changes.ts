import { CATALOGUE, catalogueIndex, type CatalogueDefinition, type CodeEntry } from '@tmis/core-indicators';

/**
 * A catalogue version as the national node publishes it (issue 17, ADR 0018): what changes against the
 * version before it. New codes in national code tables, codes retired (refused on new writes), and new
 * optional fields in a sub-set. Nothing is removed or made required: a record valid under the previous
 * version stays valid, so the national node accepts records of the current and the previous version.
 */
export interface CatalogueChanges {
  addCodes?: Record<string, CodeEntry[]>;
  retireCodes?: Record<string, string[]>;
  addFields?: {
    subSet: string;
    key: string;
    zh: string;
    en: string;
    type: 'string' | 'text' | 'date' | 'yearMonth' | 'code' | 'boolean' | 'integer';
    codeTable?: string;
    maxLength?: number;
  }[];
}

export interface PublishedVersion {
  version: string;
  base: string;
  changes: CatalogueChanges;
}

/** What is wrong with `changes` against `cat` (empty: fine). */
export function checkChanges(cat: CatalogueDefinition, changes: CatalogueChanges): string[] {
  const idx = catalogueIndex(cat);
  const out: string[] = [];
  for (const [table, codes] of Object.entries(changes.addCodes ?? {})) {
    const t = idx.tables.get(table);
    if (!t) out.push(`addCodes.${table}: no such national code table`);
    else
      for (const c of codes)
        if (t.entries.some((e) => e.code === c.code)) out.push(`addCodes.${table}: code ${c.code} exists`);
        else if (!/^[A-Za-z0-9]{1,8}$/.test(c.code) || !c.zh || !c.en)
          out.push(`addCodes.${table}: code ${c.code} needs a code of 1-8 letters/digits and zh/en labels`);
  }
  for (const [table, codes] of Object.entries(changes.retireCodes ?? {})) {
    const t = idx.tables.get(table);
    if (!t) out.push(`retireCodes.${table}: no such national code table`);
    else
      for (const c of codes) if (!t.entries.some((e) => e.code === c)) out.push(`retireCodes.${table}: no code ${c}`);
  }
  for (const f of changes.addFields ?? []) {
    const ss = idx.subSets.get(f.subSet);
    if (!ss) out.push(`addFields.${f.key}: no sub-set ${f.subSet}`);
    else if (ss.fields.some((x) => x.key === f.key)) out.push(`addFields.${f.key}: the sub-set has the field`);
    if (!/^[a-z][a-zA-Z0-9]{1,40}$/.test(f.key)) out.push(`addFields.${f.key}: key must be camelCase`);
    if (f.type === 'code' && (!f.codeTable || !idx.tables.has(f.codeTable)))
      out.push(`addFields.${f.key}: a code field names a national code table`);
  }
  return out;
}

/** The catalogue `cat` with `changes` applied, as version `version`. */
export function applyChanges(
  cat: CatalogueDefinition,
  version: string,
  changes: CatalogueChanges,
): CatalogueDefinition {
  const retire = changes.retireCodes ?? {};
  const add = changes.addCodes ?? {};
  return {
    ...cat,
    version,
    codeTables: cat.codeTables.map((t) =>
      add[t.key] || retire[t.key]
        ? {
            ...t,
            entries: [...t.entries.filter((e) => !(retire[t.key] ?? []).includes(e.code)), ...(add[t.key] ?? [])],
          }
        : t,
    ),
    subSets: cat.subSets.map((ss) => {
      const fields = (changes.addFields ?? []).filter((f) => f.subSet === ss.key);
      if (!fields.length) return ss;
      return {
        ...ss,
        fields: [
          ...ss.fields,
          ...fields.map((f) => ({
            key: f.key,
            zh: f.zh,
            en: f.en,
            type: f.type,
            ...(f.codeTable ? { codeTable: f.codeTable } : {}),
            ...(f.maxLength ? { maxLength: f.maxLength } : {}),
            owner: 'school' as const,
            sensitivity: 'normal' as const,
          })),
        ],
      };
    }),
  };
}

/** The catalogue after every published version, in order (the compiled-in catalogue first). */
export function effectiveCatalogue(versions: PublishedVersion[]): CatalogueDefinition {
  return versions.reduce((cat, v) => applyChanges(cat, v.version, v.changes), CATALOGUE);
}

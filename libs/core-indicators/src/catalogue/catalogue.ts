import type { CodeEntry, CodeTable } from '../code-tables/code-table.js';
import { CORE_CODE_TABLES } from '../code-tables/registry.js';
import { INDICATOR_SET_BY_SCHOOL_TYPE } from '../code-tables/school.js';
import { INDICATOR_SETS } from './indicator-sets.js';
import { SUB_SETS } from './sub-sets.js';
import {
  MAX_LIST_ENTRIES,
  type CatalogueDefinition,
  type FieldDef,
  type IndicatorSetDef,
  type Requirement,
  type SubSetDef,
} from './types.js';

/** Version of the national catalogue; every record says which version it was validated against. */
export const CATALOGUE_VERSION = '2026.1';

/** The national core-indicator catalogue. */
export const CATALOGUE: CatalogueDefinition = {
  version: CATALOGUE_VERSION,
  subSets: SUB_SETS,
  indicatorSets: INDICATOR_SETS,
  codeTables: CORE_CODE_TABLES,
  setBySchoolType: INDICATOR_SET_BY_SCHOOL_TYPE,
  fallbackSet: 'other',
  maxListEntries: MAX_LIST_ENTRIES,
};

/** Look-up maps of one catalogue, built once per catalogue object. */
export interface CatalogueIndex {
  subSets: ReadonlyMap<string, SubSetDef>;
  sets: ReadonlyMap<string, IndicatorSetDef>;
  tables: ReadonlyMap<string, CodeTable>;
  /** `basic.name`, `education.degree`, … */
  fieldPaths: ReadonlySet<string>;
  /** Every field key of any sub-set. */
  fieldKeys: ReadonlySet<string>;
}

const INDEXES = new WeakMap<CatalogueDefinition, CatalogueIndex>();

export function catalogueIndex(cat: CatalogueDefinition = CATALOGUE): CatalogueIndex {
  let idx = INDEXES.get(cat);
  if (!idx) {
    idx = {
      subSets: new Map(cat.subSets.map((s) => [s.key, s])),
      sets: new Map(cat.indicatorSets.map((s) => [s.key, s])),
      tables: new Map(cat.codeTables.map((t) => [t.key, t])),
      fieldPaths: new Set(cat.subSets.flatMap((s) => s.fields.map((f) => `${s.key}.${f.key}`))),
      fieldKeys: new Set(cat.subSets.flatMap((s) => s.fields.map((f) => f.key))),
    };
    INDEXES.set(cat, idx);
  }
  return idx;
}

export function subSet(key: string, cat: CatalogueDefinition = CATALOGUE): SubSetDef | undefined {
  return catalogueIndex(cat).subSets.get(key);
}

export function indicatorSet(key: string, cat: CatalogueDefinition = CATALOGUE): IndicatorSetDef | undefined {
  return catalogueIndex(cat).sets.get(key);
}

/** The indicator set a school type picks (SPEC §2); the catalogue's fallback (`other`) for a type without one. */
export function indicatorSetForSchoolType(
  schoolType: string | null | undefined,
  cat: CatalogueDefinition = CATALOGUE,
): IndicatorSetDef {
  const key =
    (schoolType && Object.hasOwn(cat.setBySchoolType, schoolType) ? cat.setBySchoolType[schoolType] : undefined) ??
    cat.fallbackSet;
  const set = indicatorSet(key, cat) ?? indicatorSet(cat.fallbackSet, cat);
  if (!set) throw new Error(`catalogue ${cat.version} has no indicator set ${key} nor its fallback ${cat.fallbackSet}`);
  return set;
}

/** The sub-sets of an indicator set, in record order. */
export function subSetsOf(setKey: string, cat: CatalogueDefinition = CATALOGUE): SubSetDef[] {
  const set = indicatorSet(setKey, cat);
  return set ? cat.subSets.filter((s) => set.subSets.includes(s.key)).sort((a, b) => a.order - b.order) : [];
}

/** The indicator sets that include a sub-set. */
export function indicatorSetsWithSubSet(subSetKey: string, cat: CatalogueDefinition = CATALOGUE): string[] {
  return cat.indicatorSets.filter((s) => s.subSets.includes(subSetKey)).map((s) => s.key);
}

export function findCodeTable(key: string, cat: CatalogueDefinition = CATALOGUE): CodeTable | undefined {
  return catalogueIndex(cat).tables.get(key);
}

/** The entries of a catalogue code table. */
export function codesOf(key: string, cat: CatalogueDefinition = CATALOGUE): readonly CodeEntry[] | undefined {
  return findCodeTable(key, cat)?.entries;
}

/** Every core field path of the national catalogue (`basic.name`, `education.degree`, …). */
export const CORE_FIELD_PATHS: ReadonlySet<string> = catalogueIndex(CATALOGUE).fieldPaths;

/** Every core field key of the national catalogue (custom keys may never be one of them). */
export const CORE_FIELD_KEYS: ReadonlySet<string> = catalogueIndex(CATALOGUE).fieldKeys;

export function coreField(
  subSetKey: string,
  fieldKey: string,
  cat: CatalogueDefinition = CATALOGUE,
): FieldDef | undefined {
  return subSet(subSetKey, cat)?.fields.find((f) => f.key === fieldKey);
}

/** Whether an indicator set has the field (fields limited with `onlyIn`). */
export function fieldApplies(field: FieldDef, set: string): boolean {
  return !field.onlyIn || field.onlyIn.includes(set);
}

/** Whether the field is required in an indicator set (see `Requirement`). */
export function fieldRequired(field: Pick<FieldDef, 'required'>, set: string): boolean {
  const r = field.required;
  if (r === undefined || typeof r === 'boolean') return r === true;
  if (isSetList(r)) return r.includes(set);
  return Object.hasOwn(r.overrides, set) ? r.overrides[set] === true : r.default;
}

/** The indicator sets a requirement names (listed or overridden). */
export function requirementSets(r: Requirement | undefined): readonly string[] {
  if (r === undefined || typeof r === 'boolean') return [];
  return isSetList(r) ? r : Object.keys(r.overrides);
}

function isSetList(r: readonly string[] | object): r is readonly string[] {
  return Array.isArray(r);
}

import type { CodeTable } from '../code-tables/code-table.js';

export type FieldType =
  | 'string'
  | 'text'
  | 'date'
  | 'yearMonth'
  | 'code'
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'idNumber'
  | 'phone'
  | 'email';
export const FIELD_TYPES: readonly FieldType[] = [
  'string',
  'text',
  'date',
  'yearMonth',
  'code',
  'boolean',
  'integer',
  'decimal',
  'idNumber',
  'phone',
  'email',
];

/** Who may write a field (Art. 16): the teacher (and above); the school (and above); only a department. */
export type Owner = 'teacher' | 'school' | 'department';
export const OWNERS: readonly Owner[] = ['teacher', 'school', 'department'];

/** `personal`: masked for query users (ID number, contacts); `pay`: hidden from them; `normal`: the rest. */
export type Sensitivity = 'normal' | 'personal' | 'pay';
export const SENSITIVITIES: readonly Sensitivity[] = ['normal', 'personal', 'pay'];

export type Cardinality = 'one' | 'many';

/**
 * Whether a field is required, per indicator set: `true`/`false` everywhere; a list of set keys (only
 * in those); or a default with per-set overrides (so a new set gets the default without a release).
 */
export type Requirement =
  boolean | readonly string[] | { readonly default: boolean; readonly overrides: Readonly<Record<string, boolean>> };

export interface FieldDef {
  /** camelCase; unique within its sub-set, so `subSet.key` is unique across the catalogue. */
  key: string;
  zh: string;
  en: string;
  type: FieldType;
  /** Code table key, for `code` fields. */
  codeTable?: string;
  /** Longest value, in characters (text-like types). */
  maxLength?: number;
  /** Smallest and largest value (integer and decimal; default 0 … 1e9). */
  min?: number;
  max?: number;
  /** Regular expression (source) a text value must match, with an example shown in messages. */
  pattern?: string;
  patternHint?: string;
  required?: Requirement;
  /** Only these indicator sets have the field (e.g. dual-qualified for vocational). */
  onlyIn?: readonly string[];
  /** Dates and year-months are not in the future unless this is set (an appointment's planned end). */
  allowFuture?: boolean;
  owner: Owner;
  sensitivity: Sensitivity;
}

export interface SubSetDef {
  key: string;
  /** Position in the record (SPEC Appendix A: 1 … 17). */
  order: number;
  zh: string;
  en: string;
  cardinality: Cardinality;
  /** Whether a teacher reads this sub-set of their own record (pay, assessment and ethics: no). */
  teacherVisible: boolean;
  /** List sub-sets: entries must differ in these fields (one assessment per year). */
  uniqueBy?: readonly string[];
  fields: readonly FieldDef[];
}

export interface IndicatorSetDef {
  key: string;
  zh: string;
  en: string;
  /** The sub-sets a record of this set has (keys, in any order; records follow the catalogue order). */
  subSets: readonly string[];
  /** A short note, e.g. why the set exists. */
  note?: string;
}

/** The whole catalogue as data: a new version, set or table is a new value, not new code. */
export interface CatalogueDefinition {
  version: string;
  subSets: readonly SubSetDef[];
  indicatorSets: readonly IndicatorSetDef[];
  codeTables: readonly CodeTable[];
  /** School type code (first two digits of the school code) → indicator set key. */
  setBySchoolType: Readonly<Record<string, string>>;
  /** The set of a school type without one of its own. */
  fallbackSet: string;
  /** Largest number of entries a list sub-set may hold. */
  maxListEntries: number;
}

/** Largest number of entries a list sub-set may hold in the national catalogue. */
export const MAX_LIST_ENTRIES = 100;

/** Sub-sets only a school or department writes, never the teacher (Art. 16). */
export const SCHOOL_ONLY_SUB_SETS: readonly string[] = [
  'payBenefits',
  'annualAssessment',
  'ethics',
  'professionalTitle',
];

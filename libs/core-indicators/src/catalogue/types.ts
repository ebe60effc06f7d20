export type FieldType = 'string' | 'text' | 'date' | 'yearMonth' | 'code' | 'boolean' | 'integer' | 'decimal' | 'idNumber' | 'phone' | 'email';
/** Who may write a field (Art. 16): the teacher; the school; only a department (county and above). */
export type Owner = 'teacher' | 'school' | 'department';
export type Sensitivity = 'normal' | 'personal' | 'pay';

export interface FieldDef {
  key: string;
  zh: string;
  en: string;
  type: FieldType;
  /** Code table key, for `code` fields. */
  codeTable?: string;
  maxLength?: number;
  /** `true`: required in every indicator set that has the sub-set; a list: only in those sets. */
  required?: true | readonly string[];
  /** Only these indicator sets have the field (e.g. dual-qualified for vocational). */
  onlyIn?: readonly string[];
  owner: Owner;
  sensitivity: Sensitivity;
}

export interface SubSetDef {
  key: string;
  order: number;
  zh: string;
  en: string;
  cardinality: 'one' | 'many';
  /** Whether a teacher reads this sub-set of their own record (pay, assessment and ethics: no). */
  teacherVisible: boolean;
  fields: readonly FieldDef[];
}

export interface IndicatorSetDef {
  key: string;
  zh: string;
  en: string;
  subSets: readonly string[];
}

export interface CatalogueDefinition {
  version: string;
  subSets: readonly SubSetDef[];
  indicatorSets: readonly IndicatorSetDef[];
}

/** Largest number of entries a list sub-set may hold. */
export const MAX_LIST_ENTRIES = 100;

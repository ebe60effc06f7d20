import type { CodeTable } from '../code-tables/code-table.js';
import { ETHNICITY, DEGREE, EDUCATION_LEVEL, HEALTH, MARITAL_STATUS, NATIONALITY, POLITICAL_STATUS, SEX, STUDY_MODE } from '../code-tables/person.js';
import { ID_DOCUMENT_TYPES, SCHOOL_TYPES, SPONSOR, URBAN_RURAL, INDICATOR_SET_BY_SCHOOL_TYPE } from '../code-tables/school.js';
import {
  ASSESSMENT_RESULT, CONTRACT_STATUS, EMPLOYMENT_FORM, ETHICS_KIND, IT_ABILITY, LEVEL, PERSON_STATUS, POST_TYPE, PROFESSIONAL_TITLE,
  QUALIFICATION_TYPE, ROTATION_KIND, SEMESTER, STAFF_CATEGORY, STAFF_SOURCE, SUBJECT, TITLE_LEVEL, TRAINING_MODE,
} from '../code-tables/staff.js';
import { INDICATOR_SETS } from './indicator-sets.js';
import { SUB_SETS } from './sub-sets.js';
import type { CatalogueDefinition, FieldDef, IndicatorSetDef, SubSetDef } from './types.js';

/** Version of the national catalogue; every record says which version it was validated against. */
export const CATALOGUE_VERSION = '2026.1';

export const CATALOGUE: CatalogueDefinition = { version: CATALOGUE_VERSION, subSets: SUB_SETS, indicatorSets: INDICATOR_SETS };

export const CODE_TABLES: ReadonlyMap<string, CodeTable> = new Map(
  [SEX, ETHNICITY, NATIONALITY, POLITICAL_STATUS, MARITAL_STATUS, HEALTH, EDUCATION_LEVEL, DEGREE, STUDY_MODE, ID_DOCUMENT_TYPES, SCHOOL_TYPES,
    SPONSOR, URBAN_RURAL, STAFF_CATEGORY, EMPLOYMENT_FORM, CONTRACT_STATUS, STAFF_SOURCE, PERSON_STATUS, IT_ABILITY, POST_TYPE, PROFESSIONAL_TITLE,
    TITLE_LEVEL, QUALIFICATION_TYPE, ASSESSMENT_RESULT, ETHICS_KIND, LEVEL, SUBJECT, SEMESTER, ROTATION_KIND, TRAINING_MODE].map((t) => [t.key, t]),
);

const SUB_SET_BY_KEY = new Map(SUB_SETS.map((s) => [s.key, s]));

export function subSet(key: string): SubSetDef | undefined {
  return SUB_SET_BY_KEY.get(key);
}

export function indicatorSet(key: string): IndicatorSetDef | undefined {
  return INDICATOR_SETS.find((s) => s.key === key);
}

/** The indicator set a school type picks; `other` for a type without a named set. */
export function indicatorSetForSchoolType(schoolType: string | null | undefined): IndicatorSetDef {
  return indicatorSet(INDICATOR_SET_BY_SCHOOL_TYPE[schoolType ?? ''] ?? 'other')!;
}

/** Every core field key (`basic.name`, `education.degree`, …). */
export const CORE_FIELD_PATHS: ReadonlySet<string> = new Set(SUB_SETS.flatMap((s) => s.fields.map((f) => `${s.key}.${f.key}`)));

export function coreField(subSetKey: string, fieldKey: string): FieldDef | undefined {
  return SUB_SET_BY_KEY.get(subSetKey)?.fields.find((f) => f.key === fieldKey);
}

export function fieldApplies(field: FieldDef, set: string): boolean {
  return !field.onlyIn || field.onlyIn.includes(set);
}

export function fieldRequired(field: FieldDef, set: string): boolean {
  return field.required === true || (Array.isArray(field.required) && field.required.includes(set));
}

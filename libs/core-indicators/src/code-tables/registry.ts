import type { CodeEntry, CodeTable } from './code-table.js';
import { codeLabel } from './code-table.js';
import { LEVEL, ROTATION_KIND, SEMESTER, SUBJECT, TRAINING_MODE } from './activity.js';
import {
  ASSESSMENT_RESULT,
  REGISTRATION_RESULT,
  ETHICS_KIND,
  POST_TYPE,
  PROFESSIONAL_TITLE,
  QUALIFICATION_TYPE,
  TITLE_LEVEL,
} from './career.js';
import { DEGREE, EDUCATION_LEVEL, STUDY_MODE } from './education.js';
import { ETHNICITY, HEALTH, MARITAL_STATUS, NATIONALITY, POLITICAL_STATUS, SEX } from './person.js';
import { ID_DOCUMENT_TYPES, SCHOOL_TYPES, SPONSOR, URBAN_RURAL } from './school.js';
import {
  CONTRACT_STATUS,
  EMPLOYMENT_FORM,
  IT_ABILITY,
  PERSON_STATUS,
  STAFF_CATEGORY,
  STAFF_SOURCE,
  YES_NO,
} from './staff.js';

/** Every national code table, in a stable order (the catalogue's `codeTables`). */
export const CORE_CODE_TABLES: readonly CodeTable[] = [
  SEX,
  ETHNICITY,
  NATIONALITY,
  POLITICAL_STATUS,
  MARITAL_STATUS,
  HEALTH,
  EDUCATION_LEVEL,
  DEGREE,
  STUDY_MODE,
  ID_DOCUMENT_TYPES,
  SCHOOL_TYPES,
  SPONSOR,
  URBAN_RURAL,
  STAFF_CATEGORY,
  YES_NO,
  EMPLOYMENT_FORM,
  CONTRACT_STATUS,
  STAFF_SOURCE,
  PERSON_STATUS,
  IT_ABILITY,
  POST_TYPE,
  PROFESSIONAL_TITLE,
  TITLE_LEVEL,
  QUALIFICATION_TYPE,
  ASSESSMENT_RESULT,
  REGISTRATION_RESULT,
  ETHICS_KIND,
  LEVEL,
  SUBJECT,
  SEMESTER,
  ROTATION_KIND,
  TRAINING_MODE,
];

/** The national code tables by key. */
export const CODE_TABLES: ReadonlyMap<string, CodeTable> = new Map(CORE_CODE_TABLES.map((t) => [t.key, t]));

/** Labels a code of a national table for display. */
export function labelOf(codeTableKey: string, code: string): CodeEntry | undefined {
  const t = CODE_TABLES.get(codeTableKey);
  return t ? codeLabel(t, code) : undefined;
}

// The public surface of libs/core-indicators: only what other libs, apps, tests, bench and tools import.
// The catalogue and its indicator sets.
export {
  CATALOGUE,
  CATALOGUE_VERSION,
  catalogueIndex,
  fieldApplies,
  indicatorSet,
  indicatorSetForSchoolType,
  subSet,
} from './catalogue/catalogue.js';
export type { CatalogueDefinition, FieldType, IndicatorSetDef, SubSetDef } from './catalogue/types.js';
export { SUB_SETS } from './catalogue/sub-sets.js';
export { INDICATOR_SETS } from './catalogue/indicator-sets.js';
export type { CustomFieldDefinition } from './catalogue/custom-fields.js';
// Code tables.
export { type CodeEntry, codeLabel, type CodeTable, hasCode } from './code-tables/code-table.js';
export { CODE_TABLES, labelOf } from './code-tables/registry.js';
export {
  ID_DOCUMENT_TYPES,
  INDICATOR_SET_BY_SCHOOL_TYPE,
  SCHOOL_TYPES,
  SPONSOR,
  URBAN_RURAL,
} from './code-tables/school.js';
export { ACTIVE_PERSON_STATUSES, PERSON_STATUS } from './code-tables/staff.js';
export { TITLE_LEVEL_OF_TITLE } from './code-tables/career.js';
// Validators.
export { idNumberProblemMessages, isValidIdNumber, makeIdNumber, parseIdNumber } from './validators/id-number.js';
export { checkSchoolCode, PROVINCE_PREFIXES, schoolCodeProblemMessages } from './validators/school-code.js';
export { validateRecord } from './validators/record.validator.js';
export { ownerViolations, type WriterKind } from './validators/ownership.js';
export { validateCustomFieldDefinition } from './validators/custom-field.validator.js';

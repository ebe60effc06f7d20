import type { CustomFieldDefinition } from '../catalogue/custom-fields.js';
import { makeIdNumber } from '../validators/id-number.js';
import {
  validateRecord,
  type RecordValidationContext,
  type RecordValidationResult,
} from '../validators/record.validator.js';

/** Shared data of the unit specs (not part of the public API). */
export const ID = makeIdNumber('110101', '19880615', 123); // odd sequence → male
export const TODAY = new Date('2026-11-28T00:00:00Z');

export function validBasic(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '李明',
    sex: '1',
    nationality: 'CHN',
    ethnicity: '01',
    idType: '1',
    idNumber: ID,
    birthDate: '1988-06-15',
    politicalStatus: '13',
    workStartMonth: '2010-09',
    schoolEntryMonth: '2015-09',
    staffCategory: '11',
    onEstablishment: true,
    personStatus: '01',
    ...over,
  };
}

export const paths = (r: RecordValidationResult): string[] => r.problems.map((p) => p.path).sort();
export const codes = (r: RecordValidationResult): string[] => r.problems.map((p) => p.code).sort();

export function check(
  record: unknown,
  set = 'primary-secondary',
  customFields: CustomFieldDefinition[] = [],
  extra: Partial<RecordValidationContext> = {},
): RecordValidationResult {
  return validateRecord(record, { indicatorSet: set, customFields, today: TODAY, ...extra });
}

export const RURAL_YEARS: CustomFieldDefinition = {
  key: 'x_ruralYears',
  zh: '乡村任教年限',
  en: 'Years teaching in rural schools',
  type: 'integer',
  subSet: 'basic',
  requiredIn: ['primary-secondary'],
  owner: 'school',
  sensitivity: 'normal',
  version: 1,
  status: 'active',
};

export const HOUSING: CustomFieldDefinition = {
  key: 'x_housing',
  zh: '住房类型',
  en: 'Housing',
  type: 'code',
  codes: [
    { code: 'A', zh: '周转房', en: 'Rotation housing' },
    { code: 'B', zh: '自有', en: 'Own' },
  ],
  subSet: 'basic',
  requiredIn: [],
  owner: 'teacher',
  sensitivity: 'normal',
  version: 1,
  status: 'active',
};

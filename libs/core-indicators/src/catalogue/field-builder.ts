import type { FieldDef, FieldType, Owner, Sensitivity } from './types.js';

/** `[key, zh, en, type, extra]`: one field of a sub-set, the owner and sensitivity coming from the group. */
export type FieldSpec = [
  key: string,
  zh: string,
  en: string,
  type: FieldType,
  extra?: Partial<Omit<FieldDef, 'key' | 'zh' | 'en' | 'type'>>,
];

const DEFAULT_MAX_LENGTH: Partial<Record<FieldType, number>> = {
  string: 100,
  text: 2000,
  idNumber: 32,
  phone: 20,
  email: 100,
};

/** Builds a group of fields sharing an owner and a sensitivity (each may override both). */
export function fields(owner: Owner, sensitivity: Sensitivity, specs: FieldSpec[]): FieldDef[] {
  return specs.map(([key, zh, en, type, extra]) => {
    const maxLength = DEFAULT_MAX_LENGTH[type];
    return { key, zh, en, type, owner, sensitivity, ...(maxLength === undefined ? {} : { maxLength }), ...extra };
  });
}

/** Start and end date of a list entry (the end may be left open). */
export function period(endAllowsFuture = false): FieldSpec[] {
  return [
    ['startDate', '开始日期', 'Start date', 'date', { required: true }],
    ['endDate', '结束日期', 'End date', 'date', endAllowsFuture ? { allowFuture: true } : {}],
  ];
}

/** Start and end year-month of a list entry. */
export function monthPeriod(zhStart: string, zhEnd: string, endAllowsFuture = false): FieldSpec[] {
  return [
    ['startMonth', zhStart, 'Start (year-month)', 'yearMonth', { required: true }],
    ['endMonth', zhEnd, 'End (year-month)', 'yearMonth', endAllowsFuture ? { allowFuture: true } : {}],
  ];
}

/** A calendar year. */
export const YEAR = { min: 1949, max: 2100 } as const;

import type { CodeEntry } from '../code-tables/code-table.js';
import type { FieldType, Owner, Sensitivity } from './types.js';

/**
 * A province-defined custom indicator (Art. 11). Its key lives in the province's own `x_` namespace, so
 * it never collides with a core key. Values are validated exactly like core fields.
 */
export interface CustomFieldDefinition {
  key: string;
  zh: string;
  en: string;
  type: FieldType;
  /** A national code table key … */
  codeTable?: string;
  /** … or the province's own codes, inline (exactly one of the two, for `code` fields). */
  codes?: CodeEntry[];
  /** The sub-set the field belongs to (`basic`, `domesticTraining`, …). */
  subSet: string;
  /** Indicator sets in which the field is required (empty = optional everywhere). */
  requiredIn: string[];
  owner: Owner;
  sensitivity: Sensitivity;
  maxLength?: number;
  /** 1, 2, …: every change of a definition is a new version. */
  version: number;
  /** A retired field keeps its history but is refused on write. */
  status: 'active' | 'retired';
}

/** The province namespace of custom keys. */
export const CUSTOM_KEY = /^x_[a-z][a-zA-Z0-9]{1,40}$/;

/** Codes of a province's own code table. */
export const CUSTOM_CODE = /^[A-Za-z0-9]{1,8}$/;

import {
  ACTIVE_PERSON_STATUSES,
  hasCode,
  indicatorSetForSchoolType,
  isValidIdNumber,
  PERSON_STATUS,
  validateRecord,
  type CatalogueDefinition,
  type CustomFieldDefinition,
} from '@tmis/core-indicators';
import type { TeacherUpsertedPayload } from '@tmis/contracts';

/** The highest sequence number taken at all (bigint-safe and exact in a JS number). */
export const MAX_SEQUENCE = 2 ** 40;
/** How far beyond a province's head a sequence may jump (a resync of the largest province fits many times). */
export const SEQUENCE_WINDOW = 10_000_000;
/** PostgreSQL `integer`. */
export const MAX_INT4 = 2_147_483_647;
/** ES2024's `String.prototype.isWellFormed` (Node 20+; native, no regular expression per string). */
const wellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
const badString = (s: string) => s.includes('\u0000') || !wellFormed(s);

/** Nesting deeper than any catalogue record (record → sub-set list → entry → value). */
export const MAX_DEPTH = 12;

/**
 * Why a JSON value cannot be stored as is: nested deeper than `maxDepth`, or a string PostgreSQL
 * refuses (a NUL character, a lone UTF-16 surrogate). The walk stops at `maxDepth`: a 100,000-level
 * value costs no more stack than a 12-level one. Recursive, without a tuple per value (a resync
 * checks millions of ~2 kB records).
 */
export function unstorable(value: unknown, maxDepth = MAX_DEPTH): string | null {
  return walk(value, 0, maxDepth);
}

function walk(v: unknown, depth: number, maxDepth: number): string | null {
  if (typeof v === 'string')
    return badString(v) ? 'a string contains a NUL character or a lone UTF-16 surrogate' : null;
  if (typeof v !== 'object' || v === null) return null;
  if (depth >= maxDepth) return `nested deeper than ${maxDepth} levels`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = walk(v[i], depth + 1, maxDepth);
      if (bad) return bad;
    }
    return null;
  }
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    if (badString(k)) return 'a key contains a NUL character or a lone surrogate';
    const bad = walk((v as Record<string, unknown>)[k], depth + 1, maxDepth);
    if (bad) return bad;
  }
  return null;
}

/** Whether a received person status counts as active (the catalogue's list). */
export function isActiveStatus(personStatus: string): boolean {
  return ACTIVE_PERSON_STATUSES.has(personStatus);
}

/**
 * A received record checked as the province checked it when it was written: the catalogue's
 * validators for the school's indicator set with the province's custom fields (as received), the
 * person-status code table, the GB 11643 check character, and the columns agreeing with the record.
 * A custom field the national node has not received yet (its definitions travel on another
 * partition) is not held against the record. Returns the reason to refuse, or null.
 */
export function recordProblem(
  p: TeacherUpsertedPayload,
  customFields: CustomFieldDefinition[],
  catalogue?: CatalogueDefinition,
): string | null {
  const bad = unstorable(p);
  if (bad) return `record: ${bad}`;
  if (p.name.length > 100) return 'name: longer than 100 characters';
  if (p.reportedVersion > MAX_INT4) return `reportedVersion: beyond ${MAX_INT4}`;
  if ((p.catalogueVersion ?? '').length > 32) return 'catalogueVersion: longer than 32 characters';
  if (!hasCode(PERSON_STATUS, p.personStatus))
    return `personStatus: ${p.personStatus} is not in the person-status code table`;
  if (p.idType === '1' && !isValidIdNumber(p.idNumber)) return 'idNumber: not a valid GB 11643 ID number';
  const basic = (p.record as { basic?: Record<string, unknown> }).basic;
  if (basic && typeof basic === 'object') {
    for (const [field, value] of [
      ['idNumber', p.idNumber],
      ['idType', p.idType],
      ['personStatus', p.personStatus],
    ] as const)
      if (basic[field] !== undefined && basic[field] !== value) return `${field}: differs from record.basic.${field}`;
  }
  const known = new Set(customFields.map((d) => d.key));
  const { problems } = validateRecord(p.record, {
    indicatorSet: indicatorSetForSchoolType(p.unitCode.slice(0, 2)).key,
    customFields,
    catalogue,
  });
  const held = problems.filter((x) => {
    const last = x.path.split('.').pop() ?? '';
    return !(x.code === 'unknown' && /^x_/.test(last) && !known.has(last.replace(/\[\d+\]$/, '')));
  });
  if (!held.length) return null;
  return `record: ${held
    .slice(0, 5)
    .map((x) => `${x.path}: ${x.message}`)
    .join('; ')}${held.length > 5 ? ` (and ${held.length - 5} more)` : ''}`;
}

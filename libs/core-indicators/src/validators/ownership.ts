import { CATALOGUE, subSet } from '../catalogue/catalogue.js';
import type { CustomFieldDefinition } from '../catalogue/custom-fields.js';
import type { CatalogueDefinition, Owner } from '../catalogue/types.js';

/** Who writes: a teacher on their own record, a school (or its secondary department), or an education department. */
export type WriterKind = 'teacher' | 'school' | 'department';
/** Same as `WriterKind`. */
export type RoleKind = WriterKind;

/** Art. 16: a teacher writes teacher-owned fields; a school also school-owned ones; a department everything. */
export function mayWrite(writer: WriterKind, owner: Owner): boolean {
  if (writer === 'department') return true;
  if (writer === 'school') return owner !== 'department';
  return owner === 'teacher';
}

const PATH = /^([A-Za-z][A-Za-z0-9]*)(?:\[(\d+)\])?(?:\.([A-Za-z][A-Za-z0-9_]*))?$/;

/** Owners of every field of a sub-set (core and the province's custom fields). */
function ownersOf(
  subSetKey: string,
  custom: readonly CustomFieldDefinition[],
  cat: CatalogueDefinition,
): Owner[] | undefined {
  const ss = subSet(subSetKey, cat);
  if (!ss) return undefined;
  return [
    ...ss.fields.map((f) => f.owner),
    ...custom.filter((c) => c.subSet === subSetKey && c.status === 'active').map((c) => c.owner),
  ];
}

/**
 * The owner of a field addressed by a record path (`basic.name`, `annualAssessment[0].result`, custom
 * `basic.x_ruralYears`); undefined for unknown or malformed paths.
 */
export function ownerOfPath(
  path: string,
  custom: readonly CustomFieldDefinition[] = [],
  cat: CatalogueDefinition = CATALOGUE,
): Owner | undefined {
  const m = PATH.exec(path);
  if (!m || !m[3] || m[3] === 'id') return undefined;
  const [, ss, , key] = m;
  const core = subSet(ss, cat)?.fields.find((f) => f.key === key);
  if (core) return core.owner;
  return custom.find((c) => c.key === key && c.subSet === ss)?.owner;
}

/** Whether `writer` may write a path. A whole sub-set or entry (`education[2]`, `education[2].id`) needs every field of it. */
export function mayWritePath(
  writer: WriterKind,
  path: string,
  custom: readonly CustomFieldDefinition[] = [],
  cat: CatalogueDefinition = CATALOGUE,
): boolean {
  const m = PATH.exec(path);
  if (!m) return false;
  const [, ss, index, key] = m;
  if (key === undefined || key === 'id') {
    if (key === 'id' && index === undefined) return false;
    const owners = ownersOf(ss, custom, cat);
    return owners !== undefined && owners.every((o) => mayWrite(writer, o));
  }
  const owner = ownerOfPath(path, custom, cat);
  return owner !== undefined && mayWrite(writer, owner);
}

/** The changed paths `writer` may not write (unknown and malformed paths are refused too). */
export function ownerViolations(
  writer: WriterKind,
  changedPaths: Iterable<string>,
  custom: readonly CustomFieldDefinition[] = [],
  cat: CatalogueDefinition = CATALOGUE,
): string[] {
  return [...changedPaths].filter((p) => !mayWritePath(writer, p, custom, cat));
}

/** The field keys of a sub-set `writer` may write (for forms). */
export function writableFields(
  writer: WriterKind,
  subSetKey: string,
  custom: readonly CustomFieldDefinition[] = [],
  cat: CatalogueDefinition = CATALOGUE,
): string[] {
  const ss = subSet(subSetKey, cat);
  if (!ss) return [];
  return [...ss.fields, ...custom.filter((c) => c.subSet === subSetKey && c.status === 'active')]
    .filter((f) => mayWrite(writer, f.owner))
    .map((f) => f.key);
}

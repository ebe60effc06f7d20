import { subSet } from './catalogue.js';
import type { CustomFieldDefinition } from './custom-fields.js';
import type { Owner } from './types.js';

/** Who writes: a teacher on their own record, a school (or its department), or an education department. */
export type WriterKind = 'teacher' | 'school' | 'department';

/** Art. 16: the teacher writes teacher-owned fields; a school also school-owned; a department everything. */
export function mayWrite(writer: WriterKind, owner: Owner): boolean {
  if (writer === 'department') return true;
  if (writer === 'school') return owner !== 'department';
  return owner === 'teacher';
}

/** The owner of a field addressed by a record path (`basic.name`, `annualAssessment[0].result`). */
export function ownerOfPath(path: string, custom: readonly CustomFieldDefinition[] = []): Owner | undefined {
  const m = /^([A-Za-z]+)(?:\[\d+\])?\.([A-Za-z0-9_]+)$/.exec(path);
  if (!m) return undefined;
  const [, ss, key] = m;
  if (key === 'id') return 'teacher';
  const core = subSet(ss)?.fields.find((f) => f.key === key);
  if (core) return core.owner;
  return custom.find((c) => c.key === key && c.subSet === ss)?.owner;
}

/** The changed paths `writer` may not write (unknown paths are refused too). */
export function ownerViolations(writer: WriterKind, changedPaths: readonly string[], custom: readonly CustomFieldDefinition[] = []): string[] {
  return changedPaths.filter((p) => {
    const owner = ownerOfPath(p, custom);
    return owner === undefined || !mayWrite(writer, owner);
  });
}

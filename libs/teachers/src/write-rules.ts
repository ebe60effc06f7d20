import {
  indicatorSetForSchoolType,
  ownerViolations,
  validateRecord,
  type CustomFieldDefinition,
  type WriterKind,
} from '@tmis/core-indicators';
import type { FieldError } from '@tmis/common';
import { deriveColumns } from './derive.js';
import { diffRecords } from './record-diff.js';
import type { TeacherChange, TeacherColumns } from './teacher.repository.js';

type Rec = Record<string, unknown>;

/** Catalogue problems as field errors, their paths (and Chinese messages) prefixed, e.g. `record.`. */
export function toFieldErrors(
  problems: { path: string; code: string; message: string; messageZh: string }[],
  prefix: string,
): FieldError[] {
  return problems.map((p) => ({ ...p, path: `${prefix}${p.path}`, messageZh: `${prefix}${p.messageZh}` }));
}

export interface WriteAssessment {
  /** Catalogue problems of the whole record (paths prefixed `record.`). */
  problems: FieldError[];
  /** Changed paths the writer may not write (Art. 16), without prefix (`basic.x_field`). */
  denied: string[];
  /** Leaf changes against `before`. */
  changes: TeacherChange[];
  /** The derived searchable columns (meaningful only without problems). */
  columns: TeacherColumns;
  catalogueVersion: string;
  indicatorSet: string;
}

/**
 * The rules every write of a record goes through — the API (`TeacherService`) and bulk import alike:
 * the whole record against the catalogue and the province's custom fields for the school's indicator
 * set, then the owner rules on the changed paths, then the derived columns.
 */
export function assessWrite(
  writer: WriterKind,
  before: Rec | null,
  after: Rec,
  school: { schoolType: string | null },
  unit: { id: string; path: string },
  customDefs: CustomFieldDefinition[],
): WriteAssessment {
  const indicatorSet = indicatorSetForSchoolType(school.schoolType).key;
  const v = validateRecord(after, { indicatorSet, customFields: customDefs, before: before ?? undefined });
  const problems = toFieldErrors(v.problems, 'record.');
  const changes = diffRecords(before, after);
  const denied = ownerViolations(
    writer,
    changes.map((c) => c.path),
    customDefs,
  );
  return {
    problems,
    denied,
    changes,
    columns: deriveColumns(after, unit, school.schoolType),
    catalogueVersion: v.catalogueVersion,
    indicatorSet,
  };
}

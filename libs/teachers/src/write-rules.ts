import {
  indicatorSetForSchoolType,
  ownerViolations,
  validateRecord,
  type CatalogueDefinition,
  type CustomFieldDefinition,
  type WriterKind,
} from '@tmis/core-indicators';
import type { FieldError } from '@tmis/common';
import { deriveColumns } from './derive.js';
import { diffRecords } from './record-diff.js';
import { teacherError, TeacherErrorCode } from './teacher.errors.js';
import type { ReviewState, TeacherChange, TeacherColumns } from './teacher.repository.js';

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
  catalogue?: CatalogueDefinition,
): WriteAssessment {
  const indicatorSet = indicatorSetForSchoolType(school.schoolType, catalogue).key;
  const v = validateRecord(after, { indicatorSet, customFields: customDefs, before: before ?? undefined, catalogue });
  const problems = toFieldErrors(v.problems, 'record.');
  const changes = diffRecords(before, after);
  const denied = ownerViolations(
    writer,
    changes.map((c) => c.path),
    customDefs,
    catalogue,
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

/** `assessWrite`, refusing a record with catalogue problems or changes the writer may not make (Art. 16). */
export function requireAcceptable(
  writer: WriterKind,
  before: Rec | null,
  after: Rec,
  school: { schoolType: string | null },
  unit: { id: string; path: string },
  customDefs: CustomFieldDefinition[],
  catalogue?: CatalogueDefinition,
): WriteAssessment {
  const a = assessWrite(writer, before, after, school, unit, customDefs, catalogue);
  if (a.problems.length)
    throw teacherError(TeacherErrorCode.InvalidRecord, `${a.problems.length} problem(s)`, undefined, a.problems);
  if (a.denied.length) {
    throw teacherError(
      TeacherErrorCode.NotOwner,
      `Not writable by a ${writer}: ${a.denied.join(', ')}`,
      undefined,
      a.denied.map((p) => ({
        path: `record.${p}`,
        code: 'owner',
        message: `${p} is entered by the school or department`,
        messageZh: `record.${p}：该字段由学校或主管部门填报`,
      })),
    );
  }
  return a;
}

/**
 * The named commands that change an existing record:
 * - `edit`: a writer's own change (update, list entries); reported fields change only through a change
 *   request, and new information on a reported record sends it back to draft;
 * - `change-request`: the department applies an approved change request (Art. 19); the record stays reported;
 * - `status-change`: the school records a status change (Art. 22), allowed during review; a reported record
 *   stays reported.
 */
export type RecordCommand = 'edit' | 'change-request' | 'status-change';

export interface RecordWritePlan {
  assessment: WriteAssessment;
  /** The review state the write moves the record to (undefined: unchanged). */
  reviewState?: 'draft';
  /** The record stays reported and must be re-reported at its new version. */
  report: boolean;
}

/**
 * Pure: what `command` by `writer` may do to record `current` (→ `next`): review locks, catalogue and
 * owner rules, the reported-data rule, and where the review state goes. Throws the refusal; returns
 * null when nothing changes. Shared by the write itself and the change-request assessment.
 */
export function planRecordWrite(
  command: RecordCommand,
  writer: WriterKind,
  current: { reviewState: ReviewState; record: Rec },
  next: Rec,
  school: { schoolType: string | null },
  unit: { id: string; path: string },
  customDefs: CustomFieldDefinition[],
  catalogue?: CatalogueDefinition,
): RecordWritePlan | null {
  const state = current.reviewState;
  // Review locks (Art. 17): awaiting the department nobody edits; once submitted the teacher does not.
  if (command !== 'status-change' && (state === 'school_approved' || (state === 'submitted' && writer === 'teacher')))
    throw teacherError(TeacherErrorCode.InReview, `The record is ${state.replace('_', ' ')}`);
  const assessment = requireAcceptable(writer, current.record, next, school, unit, customDefs, catalogue);
  const { changes } = assessment;
  if (!changes.length) return null;
  const reported = state === 'reported';
  // Art. 19: reported information is changed through a change request; new information may be added.
  if (reported && command === 'edit' && changes.some((c) => c.before !== null)) {
    throw teacherError(
      TeacherErrorCode.ChangeRequestRequired,
      `Reported fields change through a change request: ${changes
        .filter((c) => c.before !== null)
        .map((c) => c.path)
        .join(', ')}`,
    );
  }
  return {
    assessment,
    // New information on reported data goes back through review; an approved change request stays reported.
    reviewState: reported && command === 'edit' ? 'draft' : undefined,
    report: command === 'change-request' || (command === 'status-change' && reported),
  };
}

import { teacherError, TeacherErrorCode } from '../teacher.errors.js';

type Rec = Record<string, unknown>;

export interface ChangeSet {
  basic?: Rec;
  contacts?: Rec;
  /** Changes to existing list entries: `entry` null removes it. */
  entries?: { subSet: string; entryId: string; entry: Rec | null }[];
}

export interface ChangeRequestRow {
  id: string;
  teacherId: string;
  unitPath: string;
  baseVersion: number;
  changes: ChangeSet;
  reason: string;
  state: 'pending' | 'approved' | 'rejected' | 'stale';
  requestedBy: string;
  requestedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
}

/** Applies a change set to a record (pure). */
export function applyChangeSet(record: Rec, cs: ChangeSet): Rec {
  const next: Rec = { ...record };
  for (const ss of ['basic', 'contacts'] as const) {
    if (!cs[ss]) continue;
    const merged: Rec = { ...((record[ss] as Rec | undefined) ?? {}) };
    for (const [k, v] of Object.entries(cs[ss]!)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    next[ss] = merged;
  }
  for (const e of cs.entries ?? []) {
    const list = (next[e.subSet] as Rec[] | undefined) ?? [];
    if (!list.some((x) => x.id === e.entryId))
      throw teacherError(TeacherErrorCode.EntryNotFound, `${e.subSet}/${e.entryId}`);
    next[e.subSet] =
      e.entry === null
        ? list.filter((x) => x.id !== e.entryId)
        : list.map((x) =>
            x.id === e.entryId
              ? Object.fromEntries(Object.entries({ ...x, ...e.entry, id: e.entryId }).filter(([, v]) => v !== null))
              : x,
          );
  }
  return next;
}

import { maskIdNumber } from '@tmis/common';
import { viewRecord } from '@tmis/teachers';
import { changeFeedError, ChangeFeedErrorCode } from './change-feed.errors.js';

/** What a reader may see of a change's entity: everything, or personal data masked (and no pay). */
export type ChangeView = 'full' | 'masked';

/** Every event type the feed carries (training results add theirs with their trigger and view). */
export const CHANGE_TYPES = [
  'teacher.created',
  'teacher.updated',
  'teacher.status-changed',
  'teacher.moved',
  'teacher.deleted',
  'unit.created',
  'unit.updated',
  'unit.moved',
  'unit.closed',
  'unit.merged',
  'unit.deleted',
  // At the national node: the provinces' reported records (`national_teacher`).
  'reported-teacher.created',
  'reported-teacher.updated',
  'reported-teacher.status-changed',
  'reported-teacher.moved',
  'reported-teacher.removed',
  'reported-teacher.deleted',
] as const;

/** One `change_log` row as the repository reads it. */
export interface ChangeRow {
  seq: string;
  type: string;
  entityType: string;
  entityId: string;
  unitPath: string;
  oldUnitPath: string | null;
  changedAt: Date;
  committedAt: Date;
  data: Record<string, unknown>;
}

export interface ChangeEntry {
  /** Resume after this entry by passing it as `cursor`. */
  cursor: string;
  sequence: number;
  type: string;
  entityType: string;
  entityId: string;
  /** The path of the entity's unit after the change (a unit's own path). */
  unitPath: string;
  /** The path before the change when it moved (in or out of your subtree), else null. */
  previousUnitPath: string | null;
  /** When the writing transaction ran. */
  changedAt: Date;
  /** When the sequencer saw it committed (at most one sequencer interval after the commit). */
  committedAt: Date;
  /** The entity as it was after the change (masked for readers without the right to personal data). */
  entity: Record<string, unknown>;
}

type EntityView = (data: Record<string, unknown>, view: ChangeView) => Record<string, unknown>;

/**
 * How each entity type's data is shown per view: the extension point for new entity types (training
 * results register theirs here with their trigger). An entity type without a view shows only its id.
 */
const ENTITY_VIEWS: Record<string, EntityView> = {
  teacher: (d, view) =>
    view === 'full'
      ? d
      : {
          ...d,
          idNumber: maskIdNumber(d.idNumber as string | null),
          ...(d.record ? { record: viewRecord(d.record as Record<string, unknown>, 'masked') } : {}),
        },
  unit: (d) => d,
  // A province's reported record at the national node: masked like a record; the province's custom
  // indicators only in the full view (their sensitivity is the province's definition, not known here).
  'reported-teacher': (d, view) => {
    if (view === 'full') return d;
    const rest = { ...d };
    delete rest.custom;
    return {
      ...rest,
      ...('idNumber' in d ? { idNumber: maskIdNumber(d.idNumber as string | null) } : {}),
      ...(d.record ? { record: viewRecord(d.record as Record<string, unknown>, 'masked') } : {}),
    };
  },
};

const CURSOR_PREFIX = 'c1.';

/** The opaque cursor of a sequence number. */
export function encodeChangeCursor(seq: number | string): string {
  return Buffer.from(CURSOR_PREFIX + String(seq), 'utf8').toString('base64url');
}

/** The sequence number behind a cursor; 0 for none. Anything else is a 400. */
export function decodeChangeCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^c1\.(\d{1,15})$/.exec(text);
  if (!m || encodeChangeCursor(m[1]) !== cursor) throw changeFeedError(ChangeFeedErrorCode.InvalidCursor);
  return Number(m[1]);
}

export function toChangeEntry(row: ChangeRow, view: ChangeView): ChangeEntry {
  const show = ENTITY_VIEWS[row.entityType];
  return {
    cursor: encodeChangeCursor(row.seq),
    sequence: Number(row.seq),
    type: row.type,
    entityType: row.entityType,
    entityId: row.entityId,
    unitPath: row.unitPath,
    previousUnitPath: row.oldUnitPath,
    changedAt: row.changedAt,
    committedAt: row.committedAt,
    entity: show ? show(row.data, view) : { id: row.entityId },
  };
}

/**
 * An entry's JSON text for a reader, from the full-view text PostgreSQL built: passed through when
 * the reader sees the entity whole (every entity with a view, in the full view; units always),
 * otherwise decoded, shown per the view, and encoded again.
 */
export function entryTextFor(entityType: string, fullText: string, view: ChangeView): string {
  if (entityType === 'unit' || (view === 'full' && ENTITY_VIEWS[entityType])) return fullText;
  const e = JSON.parse(fullText) as ChangeEntry;
  const show = ENTITY_VIEWS[entityType];
  e.entity = show ? show(e.entity, view) : { id: e.entityId };
  return JSON.stringify(e);
}

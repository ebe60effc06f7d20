import { validateSync, type ValidationError } from 'class-validator';
import { toInstance } from './instance.js';
import type {
  CustomFieldsChangedPayload,
  OrgUnitsChangedPayload,
  TeacherCreditsPayload,
  TeacherUpsertedPayload,
} from './sync-messages.js';

/** A payload the sending side built but that its own contract refuses: a bug, never a user error. */
export class InvalidSyncPayloadError extends Error {
  constructor(
    readonly payloadType: string,
    readonly problems: string[],
  ) {
    super(`${payloadType} does not match its contract: ${problems.join('; ')}`);
  }
}

function problems(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const p = parent ? `${parent}.${e.property}` : e.property;
    return [...Object.keys(e.constraints ?? {}).map((c) => `${p}: ${c}`), ...problems(e.children ?? [], p)];
  });
}

/**
 * Builds a sync payload on the sending side and validates it against the same class the receiving
 * side validates with, so a message that would be dead-lettered at national is never queued.
 */
export function buildPayload<T extends object>(cls: new () => T, plain: T): T {
  const instance = toInstance(cls, plain);
  const errors = validateSync(instance, { forbidUnknownValues: false });
  if (errors.length) throw new InvalidSyncPayloadError(cls.name, problems(errors));
  return instance;
}

/**
 * The port through which the record modules (shared by both nodes) announce what the federation must
 * learn. A provincial node composes the sync-publish module, whose implementation writes the
 * transactional outbox in the caller's transaction; the national node is the hub and composes an
 * implementation that keeps nothing. Implementations write in the open transaction (if any).
 */
export abstract class SyncOutbox {
  abstract teacherReported(payload: TeacherUpsertedPayload): Promise<void>;
  abstract customFieldsChanged(payload: CustomFieldsChangedPayload): Promise<void>;
  abstract unitsChanged(payload: OrgUnitsChangedPayload): Promise<void>;
  /** A teacher's confirmed training credits changed (schema v3). */
  abstract creditsConfirmed(payload: TeacherCreditsPayload): Promise<void>;
}

/**
 * The port through which a resync re-announces what a record module keeps beside the records (today:
 * the training credits, `teacher.credits`): each call queues the next page's messages in the open
 * transaction (through `SyncOutbox`) and says where it stopped, so that an interrupted resync resumes.
 */
export abstract class ResyncParticipant {
  /** What the phase is called in logs. */
  abstract readonly name: string;
  /** Queues the messages of up to `limit` teachers after `afterTeacherId` (in id order); the last one done, or null at the end. */
  abstract queuePage(
    afterTeacherId: string | null,
    limit: number,
  ): Promise<{ queued: number; lastTeacherId: string | null }>;
}

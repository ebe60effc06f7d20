import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { returned } from '@tmis/database';
import { DataSource } from 'typeorm';
import { teacherError, TeacherErrorCode } from '../teacher.errors.js';
import { TeacherRepository } from '../teacher.repository.js';
import { TeacherService } from '../teacher.service.js';
import { OutboxWriter } from '../sync/outbox.writer.js';

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

const COLS = `id, teacher_id AS "teacherId", unit_path AS "unitPath", base_version AS "baseVersion", changes, reason, state, requested_by AS "requestedBy",
  requested_at AS "requestedAt", decided_by AS "decidedBy", decided_at AS "decidedAt", decision_reason AS "decisionReason"`;

/**
 * Art. 19: a change to reported information is requested by the school's information administrator
 * as a diff and applied only when the supervising department approves — atomically, and refused if
 * the record changed meanwhile.
 */
@Injectable()
export class ChangeRequestService {
  constructor(
    private readonly db: DataSource,
    private readonly teachers: TeacherService,
    private readonly teacherRepo: TeacherRepository,
    private readonly audit: AuditService,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(
    actor: Actor,
    teacherId: string,
    baseVersion: number,
    changes: ChangeSet,
    reason: string,
  ): Promise<ChangeRequestRow> {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel < 5)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Change requests are made by the school's information administrator",
      );
    const t = await this.teacherRepo.findById(teacherId);
    if (!t) throw teacherError(TeacherErrorCode.NotFound);
    AccessPolicy.requireInScope(actor, t.unitPath);
    if (t.reviewState !== 'reported') throw teacherError(TeacherErrorCode.NotReported);
    if (t.version !== baseVersion)
      throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: t.version });
    // Dry run: the change must produce a valid record the school may write.
    await this.db
      .transaction(async (tx) => {
        await this.teachers.mutateIn(
          tx,
          actor,
          t.id,
          baseVersion,
          'change-request.dry-run',
          (r) => applyChangeSet(r, changes),
          { viaChangeRequest: true },
        );
        throw new DryRunDone();
      })
      .catch((e) => {
        if (!(e instanceof DryRunDone)) throw e;
      });
    const id = await this.db.transaction(async (tx) => {
      const rows = await tx.query(
        `INSERT INTO change_request (teacher_id, unit_path, base_version, changes, reason, requested_by) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`,
        [t.id, t.unitPath, baseVersion, JSON.stringify(changes), reason, actor.accountId],
      );
      await this.audit.record(
        actor,
        {
          action: 'change-request.create',
          targetType: 'teacher',
          targetId: t.id,
          unitPath: t.unitPath,
          details: { changeRequestId: rows[0].id },
        },
        tx,
      );
      return rows[0].id as string;
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ChangeRequestRow> {
    const [row] = await this.db.query(`SELECT ${COLS} FROM change_request WHERE id = $1`, [id]);
    if (!row) throw teacherError(TeacherErrorCode.ChangeRequestNotFound);
    AccessPolicy.requireInScope(actor, row.unitPath);
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return row;
  }

  async list(actor: Actor, state: string): Promise<ChangeRequestRow[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.db.query(
      `SELECT ${COLS} FROM change_request WHERE unit_path LIKE $1 AND state = $2 ORDER BY requested_at, id LIMIT 500`,
      [actor.unitPath + '%', state],
    );
  }

  async approve(actor: Actor, id: string): Promise<ChangeRequestRow> {
    this.requireDepartment(actor);
    const stale = await this.db.transaction(async (tx) => {
      const [cr] = await tx.query(`SELECT ${COLS} FROM change_request WHERE id = $1 FOR UPDATE`, [id]);
      if (!cr) throw teacherError(TeacherErrorCode.ChangeRequestNotFound);
      AccessPolicy.requireInScope(actor, cr.unitPath);
      if (cr.state !== 'pending') throw teacherError(TeacherErrorCode.ChangeRequestDecided);
      const t = await this.teacherRepo.findById(cr.teacherId, tx, true);
      if (!t || t.version !== cr.baseVersion) {
        await this.decide(tx, id, 'stale', actor, 'the record changed after the request');
        return true;
      }
      await this.teachers.mutateIn(
        tx,
        actor,
        t.id,
        cr.baseVersion,
        'change-request',
        (r) => applyChangeSet(r, cr.changes),
        { viaChangeRequest: true },
      );
      await this.decide(tx, id, 'approved', actor, null);
      await this.outbox.teacherReported(tx, t.id);
      await this.audit.record(
        actor,
        {
          action: 'change-request.approve',
          targetType: 'teacher',
          targetId: t.id,
          unitPath: t.unitPath,
          details: { changeRequestId: id },
        },
        tx,
      );
      return false;
    });
    if (stale) throw teacherError(TeacherErrorCode.ChangeRequestStale);
    return this.get(actor, id);
  }

  async reject(actor: Actor, id: string, reason: string): Promise<ChangeRequestRow> {
    this.requireDepartment(actor);
    await this.db.transaction(async (tx) => {
      const [cr] = await tx.query(`SELECT ${COLS} FROM change_request WHERE id = $1 FOR UPDATE`, [id]);
      if (!cr) throw teacherError(TeacherErrorCode.ChangeRequestNotFound);
      AccessPolicy.requireInScope(actor, cr.unitPath);
      if (cr.state !== 'pending') throw teacherError(TeacherErrorCode.ChangeRequestDecided);
      await this.decide(tx, id, 'rejected', actor, reason);
      await this.audit.record(
        actor,
        {
          action: 'change-request.reject',
          targetType: 'teacher',
          targetId: cr.teacherId,
          unitPath: cr.unitPath,
          details: { changeRequestId: id },
        },
        tx,
      );
    });
    return this.get(actor, id);
  }

  private async decide(
    tx: { query: DataSource['query'] },
    id: string,
    state: string,
    actor: Actor,
    reason: string | null,
  ): Promise<void> {
    const res = await tx.query(
      `UPDATE change_request SET state = $2, decided_by = $3, decided_at = now(), decision_reason = $4 WHERE id = $1 AND state = 'pending' RETURNING id`,
      [id, state, actor.accountId, reason],
    );
    if (!returned(res).length) throw teacherError(TeacherErrorCode.ChangeRequestDecided);
  }

  private requireDepartment(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 4)
      throw commonError(CommonErrorCode.Forbidden, 'Change requests are decided by the supervising department');
  }
}

class DryRunDone extends Error {}

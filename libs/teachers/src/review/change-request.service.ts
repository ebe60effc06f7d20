import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { teacherError, TeacherErrorCode } from '../teacher.errors.js';
import { TeacherRepository } from '../teacher.repository.js';
import { TeacherService } from '../teacher.service.js';
import { ChangeRequestRepository } from './change-request.repository.js';
import { applyChangeSet, type ChangeRequestRow, type ChangeSet } from './change-request.model.js';

export { applyChangeSet, type ChangeRequestRow, type ChangeSet };

/**
 * Art. 19: a change to reported information is requested by the school's information administrator
 * as a diff and applied only when the supervising department approves — atomically, and refused if
 * the record changed meanwhile.
 */
@Injectable()
export class ChangeRequestService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: ChangeRequestRepository,
    private readonly teachers: TeacherService,
    private readonly teacherRepo: TeacherRepository,
    private readonly audit: AuditService,
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
    // The change must produce a valid record the school may write: the pure assessment, no write.
    await this.teachers.assessChangeRequest(actor, t, (r) => applyChangeSet(r, changes));
    const id = await this.insert(actor, t, baseVersion, changes, reason);
    return this.get(actor, id);
  }

  private insert(
    actor: Actor,
    t: { id: string; unitPath: string },
    baseVersion: number,
    changes: ChangeSet,
    reason: string,
  ): Promise<string> {
    return this.txHost.withTransaction(async () => {
      const id = await this.repo.insert({
        teacherId: t.id,
        unitPath: t.unitPath,
        baseVersion,
        changes,
        reason,
        requestedBy: actor.accountId,
      });
      await this.audit.record(actor, {
        action: 'change-request.create',
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { changeRequestId: id },
      });
      return id;
    });
  }

  async get(actor: Actor, id: string): Promise<ChangeRequestRow> {
    const row = await this.repo.findById(id);
    if (!row) throw teacherError(TeacherErrorCode.ChangeRequestNotFound);
    AccessPolicy.requireInScope(actor, row.unitPath);
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return row;
  }

  async list(actor: Actor, state: string): Promise<ChangeRequestRow[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.repo.list(actor.unitPath, state);
  }

  async approve(actor: Actor, id: string): Promise<ChangeRequestRow> {
    this.requireDepartment(actor);
    if (await this.applyApproved(actor, id)) throw teacherError(TeacherErrorCode.ChangeRequestStale);
    return this.get(actor, id);
  }

  /** Approves and applies in one transaction; true when the record changed since (the request is then stale). */
  private applyApproved(actor: Actor, id: string): Promise<boolean> {
    return this.txHost.withTransaction(async () => {
      const cr = await this.pending(actor, id);
      const t = await this.teacherRepo.findById(cr.teacherId, true);
      if (!t || t.version !== cr.baseVersion) {
        await this.decide(id, 'stale', actor, 'the record changed after the request');
        return true;
      }
      // The approved-change-request command: the record stays reported and is re-reported.
      await this.teachers.applyChangeRequest(actor, t.id, cr.baseVersion, (r) => applyChangeSet(r, cr.changes));
      await this.decide(id, 'approved', actor, null);
      await this.audit.record(actor, {
        action: 'change-request.approve',
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { changeRequestId: id },
      });
      return false;
    });
  }

  async reject(actor: Actor, id: string, reason: string): Promise<ChangeRequestRow> {
    this.requireDepartment(actor);
    await this.rejectPending(actor, id, reason);
    return this.get(actor, id);
  }

  private rejectPending(actor: Actor, id: string, reason: string): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const cr = await this.pending(actor, id);
      await this.decide(id, 'rejected', actor, reason);
      await this.audit.record(actor, {
        action: 'change-request.reject',
        targetType: 'teacher',
        targetId: cr.teacherId,
        unitPath: cr.unitPath,
        details: { changeRequestId: id },
      });
    });
  }

  /** The request, locked, in the actor's scope and still pending. */
  private async pending(actor: Actor, id: string): Promise<ChangeRequestRow> {
    const cr = await this.repo.findById(id, true);
    if (!cr) throw teacherError(TeacherErrorCode.ChangeRequestNotFound);
    AccessPolicy.requireInScope(actor, cr.unitPath);
    if (cr.state !== 'pending') throw teacherError(TeacherErrorCode.ChangeRequestDecided);
    return cr;
  }

  private async decide(id: string, state: string, actor: Actor, reason: string | null): Promise<void> {
    if (!(await this.repo.decide(id, state, actor.accountId, reason)))
      throw teacherError(TeacherErrorCode.ChangeRequestDecided);
  }

  private requireDepartment(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 4)
      throw commonError(CommonErrorCode.Forbidden, 'Change requests are decided by the supervising department');
  }
}

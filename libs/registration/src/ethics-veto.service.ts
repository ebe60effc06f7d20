import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { TeacherRepository, TeacherService } from '@tmis/teachers';
import { vetoUntil } from './eligibility.js';
import { registrationError, RegistrationErrorCode } from './registration.errors.js';
import { RegistrationRepository, type ViolationRow } from './registration.repository.js';
import { RegistrationService, today } from './registration.service.js';
import { isDate } from './rules.js';

/**
 * SPEC §6: a serious violation of professional ethics is a one-vote veto. The school reports it; the
 * supervising department confirms it, which writes it into the record's ethics sub-set (kind 4,
 * 一票否决: reported to the national node) with its veto period, from the province's rules. Only a
 * confirmed violation vetoes; a rejected report changes nothing.
 */
@Injectable()
export class EthicsVetoService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: RegistrationRepository,
    private readonly teachers: TeacherService,
    private readonly teacherRepo: TeacherRepository,
    private readonly registration: RegistrationService,
    private readonly audit: AuditService,
  ) {}

  async report(actor: Actor, teacherId: string, date: string, description: string): Promise<ViolationRow> {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel < 5)
      throw commonError(CommonErrorCode.Forbidden, "A violation is reported by the school's information administrator");
    const t = await this.teachers.get(actor, teacherId);
    if (!isDate(date) || date > today())
      throw commonError(CommonErrorCode.ValidationFailed, 'date must be a past calendar date', undefined, [
        { path: 'date', code: 'date', message: 'date must be a past date', messageZh: 'date：须为已过去的日期' },
      ]);
    const id = await this.txHost.withTransaction(async () => {
      const id = await this.repo.insertViolation({
        teacherId: t.id,
        unitPath: t.unitPath,
        date,
        description,
        reportedBy: actor.accountId,
      });
      await this.audit.record(actor, {
        action: 'ethics-violation.report',
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { violationId: id },
      });
      return id;
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ViolationRow> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const v = await this.repo.violation(id);
    if (!v) throw registrationError(RegistrationErrorCode.ViolationNotFound);
    AccessPolicy.requireInScope(actor, v.unitPath);
    return v;
  }

  async list(actor: Actor, state: string): Promise<ViolationRow[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.repo.violations(actor.unitPath, state);
  }

  /**
   * The supervising department confirms: the veto and its end become data, and the record says so; a
   * registration of a cycle the veto covers is revoked with it (`RegistrationService.vetoRevocation`).
   */
  async confirm(actor: Actor, id: string): Promise<ViolationRow> {
    this.requireDepartment(actor);
    await this.txHost.withTransaction(async () => {
      const v = await this.pending(actor, id);
      const rules = await this.registration.rulesNow(v.date);
      const until = vetoUntil(v.date, rules);
      const t = await this.teacherRepo.findById(v.teacherId, true);
      if (!t) throw commonError(CommonErrorCode.NotFound);
      if (t.reviewState !== 'reported') throw registrationError(RegistrationErrorCode.NotReported);
      const entryId = randomUUID();
      // A registration of a cycle this violation vetoes is undone in the same record version.
      const revocation = await this.registration.vetoRevocation(actor, t, { date: v.date, vetoUntil: until });
      await this.teachers.applyDecision(actor, t.id, t.version, 'ethics-veto', (r) => {
        const vetoed = {
          ...r,
          ethics: [
            ...(Array.isArray(r.ethics) ? (r.ethics as Record<string, unknown>[]) : []),
            { id: entryId, kind: '4', date: v.date, description: v.description },
          ],
        };
        return revocation ? revocation.record(vetoed) : vetoed;
      });
      if (!(await this.repo.decideViolation(v.id, 'confirmed', actor.accountId, null, until, entryId)))
        throw registrationError(RegistrationErrorCode.ViolationDecided);
      await revocation?.commit();
      await this.audit.record(actor, {
        action: 'ethics-violation.confirm',
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { violationId: v.id, vetoUntil: until },
      });
    });
    return this.get(actor, id);
  }

  async reject(actor: Actor, id: string, reason: string): Promise<ViolationRow> {
    this.requireDepartment(actor);
    await this.txHost.withTransaction(async () => {
      const v = await this.pending(actor, id);
      if (!(await this.repo.decideViolation(v.id, 'rejected', actor.accountId, reason, null, null)))
        throw registrationError(RegistrationErrorCode.ViolationDecided);
      await this.audit.record(actor, {
        action: 'ethics-violation.reject',
        targetType: 'teacher',
        targetId: v.teacherId,
        unitPath: v.unitPath,
        details: { violationId: v.id },
      });
    });
    return this.get(actor, id);
  }

  private async pending(actor: Actor, id: string): Promise<ViolationRow> {
    const v = await this.repo.violation(id, true);
    if (!v) throw registrationError(RegistrationErrorCode.ViolationNotFound);
    AccessPolicy.requireInScope(actor, v.unitPath);
    if (v.state !== 'reported') throw registrationError(RegistrationErrorCode.ViolationDecided);
    return v;
  }

  private requireDepartment(actor: Actor): void {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 4)
      throw commonError(CommonErrorCode.Forbidden, 'A violation is confirmed by the supervising department');
  }
}

import { Injectable } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, maskIdNumber } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { TeacherService } from '@tmis/teachers';
import { availableActions, defineWorkflow, transition } from '@tmis/workflow';
import { CreditGranting } from './credit-granting.js';
import { CreditRepository, type ClaimRow, type ClaimState } from './credit.repository.js';
import type { ClaimDto } from './dto/training.dto.js';
import { trainingError, TrainingErrorCode } from './training.errors.js';

interface ClaimCtx {
  actor: Actor;
  /** The teacher's school (their unit) and its supervising department. */
  schoolPath: string;
  departmentPath: string;
}

const parentPath = (path: string): string => path.replace(/[^/]+\/$/, '');
const atSchool = (c: ClaimCtx) => c.actor.role === Role.InfoAdmin && c.actor.unitPath === c.schoolPath;
const atDepartment = (c: ClaimCtx) => c.actor.role === Role.InfoAdmin && c.actor.unitPath === c.departmentPath;

/** Self-study credit claims (Art. 25): the teacher claims with evidence; the school, then its department, review. */
export const CREDIT_CLAIM_WORKFLOW = defineWorkflow<ClaimState, ClaimCtx>({
  key: 'credit-claim',
  initial: 'submitted',
  actions: [
    { name: 'school-approve', from: ['submitted'], to: 'school_approved', allowed: atSchool },
    { name: 'school-refuse', from: ['submitted'], to: 'refused', allowed: atSchool, requiresReason: true },
    { name: 'department-approve', from: ['school_approved'], to: 'approved', allowed: atDepartment },
    {
      name: 'department-refuse',
      from: ['school_approved'],
      to: 'refused',
      allowed: atDepartment,
      requiresReason: true,
    },
  ],
});

export interface ClaimResponse extends Omit<ClaimRow, 'unitPath' | 'idNumber'> {
  idNumber: string | null;
  mayApprove: boolean;
  mayRefuse: boolean;
}

@Injectable()
export class ClaimService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: CreditRepository,
    private readonly teachers: TeacherService,
    private readonly granting: CreditGranting,
    private readonly audit: AuditService,
  ) {}

  claim(actor: Actor, dto: ClaimDto): Promise<ClaimResponse> {
    return this.txHost.withTransaction(async () => {
      const t = await this.teachers.mine(actor);
      const id = await this.repo.insertClaim({
        teacherId: t.id,
        kind: dto.kind,
        title: dto.title.trim(),
        hours: dto.hours,
        occurredOn: dto.occurredOn,
        evidence: { description: dto.evidence, ...(dto.documentRef ? { documentRef: dto.documentRef } : {}) },
        by: actor.accountId,
        trail: [{ at: new Date().toISOString(), action: 'claim', by: actor.accountId, unitId: actor.unitId }],
      });
      await this.audit.record(actor, {
        action: 'training.claim',
        targetType: 'credit_claim',
        targetId: id,
        unitPath: t.unitPath,
      });
      return this.respond(actor, (await this.repo.findClaim(id))!);
    });
  }

  async mine(actor: Actor): Promise<ClaimResponse[]> {
    const t = await this.teachers.mine(actor);
    return (await this.repo.claims({ teacherId: t.id, limit: 500 })).map((c) => this.respond(actor, c));
  }

  async list(actor: Actor, state?: string): Promise<ClaimResponse[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    return (await this.repo.claims({ pathPrefix: actor.unitPath, state, limit: 500 })).map((c) =>
      this.respond(actor, c),
    );
  }

  async get(actor: Actor, id: string): Promise<ClaimResponse> {
    return this.respond(actor, await this.readable(actor, id));
  }

  /** One review step; approval by the department credits the teacher under the province's rules. */
  step(actor: Actor, id: string, action: string, version: number, reason?: string): Promise<ClaimResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.txHost.withTransaction(async () => {
      const c = await this.repo.findClaim(id, true);
      if (!c || !inScope(actor, c.unitPath)) throw trainingError(TrainingErrorCode.ClaimNotFound);
      const r = transition(CREDIT_CLAIM_WORKFLOW, c.state, action, this.ctx(actor, c), reason);
      if (!r.ok)
        throw r.reason === 'reason-required'
          ? trainingError(TrainingErrorCode.ReasonRequired, undefined, undefined, [
              { path: 'reason', code: 'isDefined', message: 'a refusal needs a reason', messageZh: '退回须填写理由' },
            ])
          : trainingError(TrainingErrorCode.ClaimStepRefused, `${action} from ${c.state}: ${r.reason}`);
      const refused = r.to === 'refused';
      const step = {
        at: new Date().toISOString(),
        action,
        by: actor.accountId,
        unitId: actor.unitId,
        ...(reason ? { reason } : {}),
      };
      if (!(await this.repo.moveClaim(id, version, r.to, refused ? reason!.trim() : c.reason, step)))
        throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: c.version });
      if (r.to === 'approved')
        await this.granting.grant(
          [
            {
              teacherId: c.teacherId,
              unitPath: c.unitPath,
              kind: c.kind,
              hours: c.hours,
              source: 'self_study',
              sourceId: c.id,
              sourceName: c.title,
            },
          ],
          actor.unitId,
        );
      await this.audit.record(actor, {
        action: `training.claim.${action}`,
        targetType: 'credit_claim',
        targetId: id,
        unitPath: c.unitPath,
      });
      return this.respond(actor, (await this.repo.findClaim(id))!);
    });
  }

  private async readable(actor: Actor, id: string): Promise<ClaimRow> {
    const c = await this.repo.findClaim(id);
    if (!c) throw trainingError(TrainingErrorCode.ClaimNotFound);
    if (actor.role === Role.Teacher) {
      const t = await this.teachers.mine(actor);
      if (t.id !== c.teacherId) throw trainingError(TrainingErrorCode.ClaimNotFound);
    } else if (!inScope(actor, c.unitPath)) throw trainingError(TrainingErrorCode.ClaimNotFound);
    return c;
  }

  private ctx(actor: Actor, c: ClaimRow): ClaimCtx {
    return { actor, schoolPath: c.unitPath, departmentPath: parentPath(c.unitPath) };
  }

  private respond(actor: Actor, c: ClaimRow): ClaimResponse {
    const { unitPath, idNumber, ...rest } = c;
    void unitPath; // internal
    const can = availableActions(CREDIT_CLAIM_WORKFLOW, c.state, this.ctx(actor, c));
    return {
      ...rest,
      idNumber: actor.role === Role.Query ? maskIdNumber(idNumber) : idNumber,
      mayApprove: can.some((a) => a.endsWith('-approve')),
      mayRefuse: can.some((a) => a.endsWith('-refuse')),
    };
  }
}

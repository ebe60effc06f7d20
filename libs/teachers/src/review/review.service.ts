import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, decodeCursor, encodeCursor, type Page } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { availableActions, transition } from '@tmis/workflow';
import { teacherError, TeacherErrorCode } from '../teacher.errors.js';
import { TeacherRepository, type ReviewState, type TeacherRow } from '../teacher.repository.js';
import { TeacherService } from '../teacher.service.js';
import { RecordReporting } from '../sync/record-reporting.js';
import { ReviewRepository, type ReviewEventRow } from './review.repository.js';
import { MAY_FLAGS, REVIEW_WORKFLOW, type ReviewContext } from './review.workflow.js';

export interface ReviewView {
  teacherId: string;
  state: ReviewState;
  recordVersion: number;
  reportedVersion: number | null;
  maySubmit: boolean;
  mayApprove: boolean;
  mayReturn: boolean;
  /** The action names the caller may take now. */
  actions: string[];
  trail: ReviewEventRow[];
}

export interface ReviewInput {
  version: number;
  reason?: string;
  fieldReasons?: Record<string, string>;
  participants?: string[];
  principal?: string;
}

const REFUSALS = {
  'unknown-action': 'No such review step',
  'illegal-transition': "This step is not possible in the record's current review state",
  'not-allowed': 'Your role and unit may not take this step on this record',
  'reason-required': 'A reason is required to return a record',
} as const;

@Injectable()
export class ReviewService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly teachers: TeacherRepository,
    private readonly repo: ReviewRepository,
    private readonly audit: AuditService,
    private readonly records: TeacherService,
    private readonly reporting: RecordReporting,
  ) {}

  async view(actor: Actor, teacherId: string): Promise<ReviewView> {
    const t = await this.load(actor, teacherId);
    return this.toView(actor, t, await this.repo.trail(t.id));
  }

  async act(actor: Actor, teacherId: string, action: string, input: ReviewInput): Promise<ReviewView> {
    await this.step(actor, teacherId, action, input);
    return this.view(actor, teacherId);
  }

  /** One review step in one transaction; the department's approval reports the record (`RecordReporting`). */
  private step(actor: Actor, teacherId: string, action: string, input: ReviewInput): Promise<void> {
    return this.txHost.withTransaction(async () => {
      const t = await this.teachers.findById(teacherId, true);
      if (!t) throw teacherError(TeacherErrorCode.NotFound);
      AccessPolicy.requireInScope(actor, t.unitPath);
      const ctx = await this.context(actor, t);
      const step = transition(REVIEW_WORKFLOW, t.reviewState, action, ctx, input.reason);
      if (!step.ok) {
        const status =
          step.reason === 'not-allowed'
            ? CommonErrorCode.Forbidden
            : step.reason === 'reason-required'
              ? CommonErrorCode.ValidationFailed
              : CommonErrorCode.Conflict;
        throw commonError(
          status,
          REFUSALS[step.reason],
          { state: t.reviewState, action, mayDo: availableActions(REVIEW_WORKFLOW, t.reviewState, ctx) },
          step.reason === 'reason-required'
            ? [
                {
                  path: 'reason',
                  code: 'isDefined',
                  message: 'reason is required',
                  messageZh: 'reason：退回须填写原因',
                },
              ]
            : undefined,
        );
      }
      if (t.version !== input.version)
        throw commonError(
          CommonErrorCode.StaleVersion,
          'The record changed since you read it; review the current version',
          { currentVersion: t.version },
        );
      if (action === 'submit') {
        // Completeness: required fields of the set may have grown since the last write (e.g. a new required custom field).
        const c = await this.records.completenessOf(t);
        if (!c.complete)
          throw teacherError(
            TeacherErrorCode.InvalidRecord,
            'The record is incomplete for its indicator set; complete it before submitting',
            { indicatorSet: c.indicatorSet },
            c.problems,
          );
      }
      if (action === 'school-approve' && (!input.participants?.length || !input.principal)) {
        throw commonError(
          CommonErrorCode.ValidationFailed,
          'A school review records who took part and the accountable principal',
          undefined,
          [
            ...(!input.participants?.length
              ? [
                  {
                    path: 'participants',
                    code: 'arrayMinSize',
                    message: 'participants of the collective review are required',
                    messageZh: 'participants：须填写集体审核参与人',
                  },
                ]
              : []),
            ...(!input.principal
              ? [
                  {
                    path: 'principal',
                    code: 'isDefined',
                    message: 'the accountable principal is required',
                    messageZh: 'principal：须填写负责的校长',
                  },
                ]
              : []),
          ],
        );
      }
      const moved =
        step.to === 'reported'
          ? await this.reporting.report(t.id, { from: step.from, version: t.version })
          : await this.teachers.setReviewState(t.id, step.from, step.to, t.version);
      if (!moved) throw commonError(CommonErrorCode.StaleVersion);
      await this.repo.addEvent({
        teacherId: t.id,
        actorAccountId: actor.accountId,
        actorRole: actor.role,
        action,
        fromState: step.from,
        toState: step.to,
        recordVersion: t.version,
        reason: input.reason ?? null,
        fieldReasons: input.fieldReasons ?? null,
        participants: input.participants ?? null,
        principal: input.principal ?? null,
      });
      await this.audit.record(actor, {
        action: `review.${action}`,
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { from: step.from, to: step.to },
      });
    });
  }

  /** The department approves many at once; each record succeeds or fails on its own. */
  async approveBatch(
    actor: Actor,
    items: { teacherId: string; version: number }[],
  ): Promise<{ teacherId: string; status: number; code?: string; state?: ReviewState }[]> {
    const out: { teacherId: string; status: number; code?: string; state?: ReviewState }[] = [];
    for (const item of items) {
      try {
        const v = await this.act(actor, item.teacherId, 'department-approve', { version: item.version });
        out.push({ teacherId: item.teacherId, status: 200, state: v.state });
      } catch (e) {
        const err = e as { status?: number; code?: string };
        if (typeof err.status !== 'number') throw e;
        out.push({ teacherId: item.teacherId, status: err.status, code: err.code });
      }
    }
    return out;
  }

  /** What waits for the caller: submissions for a school administrator, school-approved records for a department. */
  async pending(
    actor: Actor,
    cursor: string | undefined,
    limit = 100,
  ): Promise<Page<{ id: string; name: string; unitId: string; version: number; updatedAt: Date }> & { stage: string }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const state: ReviewState = actor.unitLevel >= 5 ? 'submitted' : 'school_approved';
    const after = decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string] | null;
    const rows = await this.teachers.pendingReview(actor.unitPath, state, after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      stage: state === 'submitted' ? 'school-review' : 'department-review',
      items,
      nextCursor: rows.length > limit ? encodeCursor([new Date(last.updatedAt).toISOString(), last.id]) : null,
    };
  }

  private async load(actor: Actor, teacherId: string): Promise<TeacherRow> {
    const t = await this.teachers.findById(teacherId);
    if (!t) throw teacherError(TeacherErrorCode.NotFound);
    AccessPolicy.requireInScope(actor, t.unitPath);
    const ctx = await this.context(actor, t);
    if (actor.role === Role.Teacher && !ctx.isOwner)
      throw commonError(CommonErrorCode.OutOfScope, 'A teacher sees only their own record');
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query, Role.Teacher]);
    return t;
  }

  private async context(actor: Actor, t: TeacherRow): Promise<ReviewContext> {
    let isOwner = false;
    if (actor.role === Role.Teacher) {
      const person = await this.teachers.accountPerson(actor.accountId);
      isOwner = !!person && person.idType === t.idType && person.idNumber.toUpperCase() === t.idNumber;
    }
    return { actor, recordUnitPath: t.unitPath, isOwner };
  }

  private async toView(actor: Actor, t: TeacherRow, trail: ReviewEventRow[]): Promise<ReviewView> {
    const actions = availableActions(REVIEW_WORKFLOW, t.reviewState, await this.context(actor, t));
    const flags = new Set(actions.map((a) => MAY_FLAGS[a]));
    return {
      teacherId: t.id,
      state: t.reviewState,
      recordVersion: t.version,
      reportedVersion: t.reportedVersion,
      maySubmit: flags.has('maySubmit'),
      mayApprove: flags.has('mayApprove'),
      mayReturn: flags.has('mayReturn'),
      actions,
      trail,
    };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type Actor, type Role } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { FederationMessenger, OnFederationMessage, type FederationMessage } from '@tmis/federation';
import { ChangeRequestRepository, TeacherRepository, TeacherService } from '@tmis/teachers';
import { TransferRepository, type StoredActor, type TransferRow } from '../transfer.repository.js';
import type { TransferState } from '../transfer.workflow.js';
import { TRANSFERS_OPTIONS, type TransfersOptions } from '../transfers.options.js';
import { TransferService } from '../transfer.service.js';
import {
  CROSS,
  requireFields,
  type CrossComplete,
  type CrossConfirm,
  type CrossEnded,
  type CrossExpired,
  type CrossRefusal,
  type CrossRequest,
} from './cross-messages.js';

/** Who applied, on the sending province: the other province (no local account). */
const OTHER_PROVINCE = '00000000-0000-0000-0000-000000000000';
const SETTLED: TransferState[] = ['completed', 'refused', 'withdrawn', 'expired'];

/**
 * A province's side of a cross-province transfer: the handlers of what national sends down. Each
 * runs in the receiver's transaction after the inbox recorded the message (a redelivery is ignored),
 * and each is idempotent on the case's state as well: a step already taken is not taken again.
 */
@Injectable()
export class CrossProvinceMessages {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: TransferRepository,
    private readonly teachers: TeacherRepository,
    private readonly teacherService: TeacherService,
    private readonly changeRequests: ChangeRequestRepository,
    private readonly transfers: TransferService,
    private readonly messenger: FederationMessenger,
    private readonly audit: AuditService,
    @Inject(TRANSFERS_OPTIONS) private readonly options: TransfersOptions,
  ) {}

  /** Sending province: a request for one of its teachers; its school and department act next. */
  @OnFederationMessage(CROSS.requested)
  async requested(m: FederationMessage): Promise<void> {
    fromNational(m);
    const p = requireFields<CrossRequest>(m.payload, [
      'transferId',
      'toProvince',
      'idType',
      'idNumber',
      'toUnitCode',
      'effectiveDate',
      'reason',
    ]);
    if (await this.repo.findById(p.transferId)) return;
    const own = this.options.provinceCode!;
    const t = await this.teachers.findByPerson(p.idType, p.idNumber.toUpperCase());
    let refusal: string | null = null;
    if (!t || !t.active) refusal = `No teacher in post with this ID number in province ${own}`;
    else if (t.reviewState === 'submitted' || t.reviewState === 'school_approved')
      refusal = 'The teacher’s record is under review';
    else if (await this.changeRequests.hasPending(t.id)) refusal = 'The teacher’s record has an open change request';
    else if (await this.repo.hasOpen(t.id)) refusal = 'The teacher has another transfer or rotation in progress';
    const state: TransferState = refusal ? 'refused' : 'awaiting_sending_school';
    await this.repo.insert({
      id: p.transferId,
      kind: 'cross-out',
      teacherId: t?.id ?? null,
      teacherName: t?.name ?? p.teacherName ?? '',
      fromUnit: t ? { id: t.unitId, path: t.unitPath } : { id: null, path: `/000000/${own}0000/` },
      toUnit: { id: null, path: `/000000/${p.toProvince}0000/${p.toUnitCode}/` },
      otherProvince: p.toProvince,
      person: { idType: p.idType, idNumber: p.idNumber.toUpperCase() },
      newPost: p.newPost ?? null,
      effectiveDate: p.effectiveDate,
      endDate: null,
      rotationKind: null,
      reason: p.reason,
      state,
      appliedBy: OTHER_PROVINCE,
    });
    await this.repo.addEvent(p.transferId, {
      action: 'requested',
      fromState: null,
      toState: state,
      actorAccountId: null,
      actorUnitId: null,
      reason: refusal ?? p.reason,
    });
    if (refusal)
      await this.messenger.send(
        'national',
        CROSS.refuse,
        { transferId: p.transferId, reason: refusal, by: own } satisfies CrossRefusal,
        p.transferId,
      );
  }

  /** Receiving province: refused (by the sending province or by national). */
  @OnFederationMessage(CROSS.refused)
  async refused(m: FederationMessage): Promise<void> {
    fromNational(m);
    const p = requireFields<CrossRefusal>(m.payload, ['transferId', 'reason', 'by']);
    await this.settle(p.transferId, 'refused', 'refused', `${p.by}: ${p.reason}`);
  }

  /**
   * Receiving province: the sending province confirmed, with the record it reported. Checked against
   * this province's rules (refused back if it does not validate), then approved until the effective
   * date, or registered at once if the date has come (`TransferService.receiveReported`).
   */
  @OnFederationMessage(CROSS.approved)
  async approved(m: FederationMessage): Promise<void> {
    fromNational(m);
    const p = requireFields<CrossConfirm>(m.payload, ['transferId']);
    if (!p.record || typeof p.record !== 'object') throw new Error('payload: record is required');
    await this.transfers.receiveReported(p.transferId, p);
  }

  /** Either province: the applicant's withdrawal reached national before the sending province's confirmation. */
  @OnFederationMessage(CROSS.withdrawn)
  async withdrawn(m: FederationMessage): Promise<void> {
    fromNational(m);
    const p = requireFields<CrossEnded>(m.payload, ['transferId', 'reason']);
    await this.settle(p.transferId, 'withdrawn', 'withdrawn', p.reason);
  }

  /** Sending province: the receiving province has the record; the teacher is marked transferred out. */
  @OnFederationMessage(CROSS.completed)
  async completed(m: FederationMessage): Promise<void> {
    fromNational(m);
    const p = requireFields<CrossComplete>(m.payload, ['transferId']);
    const t = await this.repo.findById(p.transferId, true);
    // `approved`: confirmed, waiting for the date (`awaiting_other_province`: a case confirmed before this version).
    if (!t || t.kind !== 'cross-out' || !t.approvedBy) return;
    if (t.state !== 'approved' && t.state !== 'awaiting_other_province') return;
    const teacher = await this.teachers.findById(t.teacherId);
    if (teacher && teacher.active) {
      await this.transfers.snapshot(t, teacher);
      // 08 调出 (transferred out), from the effective date: a status change (Art. 22), re-reported. The
      // receiving province acted on the date by its clock; never later than today by this one's.
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // China's date
      const since = t.effectiveDate < today ? t.effectiveDate : today;
      await this.teacherService.changeStatus(toActor(t.approvedBy), teacher.id, teacher.version, '08', since);
    }
    if (!(await this.repo.setState(t.id, t.state, t.version, 'completed', { movedAt: true })))
      throw new Error('the case moved on meanwhile');
    await this.repo.addEvent(t.id, {
      action: 'transferred-out',
      fromState: t.state,
      toState: 'completed',
      actorAccountId: null,
      actorUnitId: null,
      reason: null,
    });
    await this.audit.record(null, {
      action: 'cross-out.transferred-out',
      targetType: 'teacher',
      targetId: t.teacherId,
      unitPath: t.fromUnitPath,
      details: { transferId: t.id, toProvince: t.otherProvince },
    });
  }

  /** Either province: national's deadline passed before the sending province confirmed. */
  @OnFederationMessage(CROSS.expired)
  async expired(m: FederationMessage): Promise<void> {
    fromNational(m);
    const p = requireFields<CrossExpired>(m.payload, ['transferId', 'reason']);
    await this.settle(p.transferId, 'expired', 'expired', p.reason);
  }

  /**
   * National's verdict on a saga (refused, expired, withdrawn) is final on both provinces: it ends a case
   * still open here, and replaces a different end this province reached on its own meanwhile (its
   * refusal that crossed a withdrawal or the expiry at national) — so all three nodes show one outcome.
   * A completed case is never reopened (national never sends a verdict after completion).
   */
  private async settle(id: string, to: TransferState, action: string, reason: string): Promise<void> {
    const t: TransferRow | null = await this.repo.findById(id, true);
    if (!t || t.state === to || t.state === 'completed' || (t.kind !== 'cross-in' && t.kind !== 'cross-out')) return;
    if (SETTLED.includes(t.state)) action = `${action} (national's verdict, replacing ${t.state})`;
    if (!(await this.repo.setState(t.id, t.state, t.version, to))) throw new Error('the case moved on meanwhile');
    await this.repo.addEvent(t.id, {
      action,
      fromState: t.state,
      toState: to,
      actorAccountId: null,
      actorUnitId: null,
      reason,
    });
  }
}

function fromNational(m: FederationMessage): void {
  if (m.from !== 'national') throw new Error(`${m.type} comes only from national (not ${m.from})`);
}

function toActor(s: StoredActor): Actor {
  return { ...s, role: s.role as Role, sessionId: '', mustChangePassword: false };
}

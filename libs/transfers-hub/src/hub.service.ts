import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, maskIdNumber } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { FederationMessenger, OnFederationMessage, type FederationMessage } from '@tmis/federation';
import { NationalTeacherRepository } from '@tmis/sync-ingest';
import {
  CROSS,
  type CrossComplete,
  type CrossConfirm,
  type CrossEnded,
  type CrossExpired,
  type CrossRefusal,
  type CrossRequest,
} from '@tmis/transfers';
import { HubRepository, type HubRow } from './hub.repository.js';
import { TRANSFERS_HUB_OPTIONS, type TransfersHubOptions } from './hub.options.js';

const PROVINCE = /^\d{2}$/;

/**
 * The national node as the hub of cross-province transfers (Art. 23): it checks a request (no teacher
 * active in two provinces, one saga per person in flight), routes it to the sending province, relays
 * refusals and the confirmation (with the reported record) to the receiving province, tells the sending
 * province when the record exists at the receiving one, and expires sagas that wait too long at the
 * sending province — on both sides. A message's sender is the transport's (`m.from`), checked against
 * the saga: a province cannot act for another.
 */
@Injectable()
export class TransfersHubService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('TransfersHub');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly hub: HubRepository,
    private readonly national: NationalTeacherRepository,
    private readonly messenger: FederationMessenger,
    private readonly audit: AuditService,
    @Inject(TRANSFERS_HUB_OPTIONS) private readonly options: TransfersHubOptions,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.running = this.expireOverdue().catch((e: Error) => this.log.warn(`expiry: ${e.message}`));
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  @OnFederationMessage(CROSS.request)
  async request(m: FederationMessage): Promise<void> {
    const p = m.payload as unknown as CrossRequest;
    if (p.toProvince !== m.from || !PROVINCE.test(p.fromProvince ?? '') || p.fromProvince === m.from)
      throw new Error(`transfer request from ${m.from} for ${p.toProvince} / from ${p.fromProvince}: refused`);
    if (!p.transferId || !p.idType || !p.idNumber) throw new Error('payload: transferId, idType, idNumber required');
    if (await this.hub.findById(p.transferId)) return;
    const idNumber = p.idNumber.toUpperCase();
    const active = await this.national.activeProvinces(p.idType, idNumber);
    const elsewhere = active.filter((x) => x !== p.fromProvince);
    let refusal: string | null = null;
    if (elsewhere.length)
      refusal = `The teacher is active in province ${elsewhere.join(', ')}: a teacher is active in one province at a time`;
    else if (await this.hub.inFlightFor(p.idType, idNumber))
      refusal = 'Another cross-province transfer of this teacher is in progress';
    await this.hub.insert({
      id: p.transferId,
      fromProvince: p.fromProvince,
      toProvince: p.toProvince,
      idType: p.idType,
      idNumber,
      teacherName: p.teacherName ?? '',
      toUnitCode: p.toUnitCode ?? '',
      toUnitName: p.toUnitName ?? '',
      toSchoolType: p.toSchoolType ?? null,
      effectiveDate: p.effectiveDate,
      state: refusal ? 'refused' : 'in_flight',
      step: refusal ? 'done' : 'at_sending_province',
      reason: refusal,
      timeoutSeconds: this.options.timeoutSeconds,
    });
    if (refusal) {
      const r: CrossRefusal = { transferId: p.transferId, reason: refusal, by: 'national' };
      await this.messenger.send(p.toProvince, CROSS.refused, r, p.transferId);
    } else await this.messenger.send(p.fromProvince, CROSS.requested, { ...p, idNumber }, p.transferId);
  }

  @OnFederationMessage(CROSS.refuse)
  async refuse(m: FederationMessage): Promise<void> {
    const p = m.payload as unknown as CrossRefusal;
    const h = await this.sagaFrom(m, p.transferId, 'fromProvince');
    if (
      !h ||
      !(await this.hub.advance(h.id, 'at_sending_province', { step: 'done', state: 'refused', reason: p.reason }))
    )
      return;
    await this.messenger.send(h.toProvince, CROSS.refused, { ...p, by: m.from } satisfies CrossRefusal, h.id);
  }

  @OnFederationMessage(CROSS.confirm)
  async confirm(m: FederationMessage): Promise<void> {
    const p = m.payload as unknown as CrossConfirm;
    const h = await this.sagaFrom(m, p.transferId, 'fromProvince');
    if (!h) return;
    // The transfer waits for its effective date (the receiving province acts on it), or acts now.
    const step = h.effectiveDate > (await this.hub.today()) ? 'scheduled' : 'at_receiving_province';
    const moved = await this.hub.advance(h.id, 'at_sending_province', {
      step,
      state: 'in_flight',
      fromSchoolType: p.record?.fromSchoolType ?? null,
      title: p.record?.title ?? null,
    });
    if (moved) await this.messenger.send(h.toProvince, CROSS.approved, p, h.id);
    else if (h.state === 'expired') {
      // The confirmation crossed the expiry: the sending province learns it (again) and settles as expired.
      const e: CrossExpired = { transferId: h.id, reason: 'The transfer expired before it was confirmed' };
      await this.messenger.send(h.fromProvince, CROSS.expired, e, h.id);
    }
    // A confirmation that crossed the applicant's withdrawal: the withdrawal came first and stands; the
    // sending province has (or will have) the `withdrawn` sent when it was decided.
  }

  /**
   * The applicant (the receiving province's school) withdraws after its department approved. National
   * decides a race with the sending province's confirmation (or refusal) by what reached it first: while
   * the saga is still at the sending province the withdrawal stands and both provinces are told;
   * otherwise it came too late and the receiving province gets (or has) the confirmation's outcome.
   */
  @OnFederationMessage(CROSS.withdraw)
  async withdraw(m: FederationMessage): Promise<void> {
    const p = m.payload as unknown as CrossEnded;
    const h = await this.sagaFrom(m, p.transferId, 'toProvince');
    const reason = `${m.from}: ${p.reason || 'withdrawn by the applicant'}`;
    if (!h || !(await this.hub.advance(h.id, 'at_sending_province', { step: 'done', state: 'withdrawn', reason })))
      return;
    const w: CrossEnded = { transferId: h.id, reason };
    await this.messenger.send(h.toProvince, CROSS.withdrawn, w, h.id);
    await this.messenger.send(h.fromProvince, CROSS.withdrawn, w, h.id);
  }

  /**
   * The receiving province cannot register the record the sending one reported (it does not validate
   * there): the saga ends refused, and the sending province is told so that it keeps its teacher.
   */
  @OnFederationMessage(CROSS.reject)
  async reject(m: FederationMessage): Promise<void> {
    const p = m.payload as unknown as CrossEnded;
    const h = await this.sagaFrom(m, p.transferId, 'toProvince');
    const reason = `${m.from}: ${p.reason}`;
    if (
      !h ||
      !(await this.hub.advance(h.id, ['scheduled', 'at_receiving_province'], {
        step: 'done',
        state: 'refused',
        reason,
      }))
    )
      return;
    const r: CrossRefusal = { transferId: h.id, reason: p.reason, by: m.from };
    await this.messenger.send(h.fromProvince, CROSS.refused, r, h.id);
  }

  @OnFederationMessage(CROSS.complete)
  async complete(m: FederationMessage): Promise<void> {
    const p = m.payload as unknown as CrossComplete;
    const h = await this.sagaFrom(m, p.transferId, 'toProvince');
    if (
      !h ||
      !(await this.hub.advance(h.id, ['scheduled', 'at_receiving_province'], { step: 'done', state: 'completed' }))
    )
      return;
    await this.messenger.send(h.fromProvince, CROSS.completed, { transferId: h.id, teacherId: p.teacherId }, h.id);
    await this.audit.record(null, {
      action: 'cross-transfer.completed',
      targetType: 'transfer',
      targetId: h.id,
      details: { fromProvince: h.fromProvince, toProvince: h.toProvince },
    });
  }

  /** Sagas waiting at the sending province past the deadline end as expired, told to both provinces. */
  async expireOverdue(): Promise<number> {
    return this.txHost.withTransaction(async () => {
      const rows = await this.hub.overdue(200);
      for (const h of rows) {
        const reason = `No answer from province ${h.fromProvince} within ${this.options.timeoutSeconds} s`;
        if (!(await this.hub.advance(h.id, 'at_sending_province', { step: 'done', state: 'expired', reason })))
          continue;
        const e: CrossExpired = { transferId: h.id, reason };
        await this.messenger.send(h.toProvince, CROSS.expired, e, h.id);
        await this.messenger.send(h.fromProvince, CROSS.expired, e, h.id);
      }
      return rows.length;
    });
  }

  /** Ministry staff: cross-province transfers (default: in flight) with their step. */
  async list(actor: Actor, state?: string): Promise<(Omit<HubRow, 'idNumber'> & { idNumber: string | null })[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    if (actor.unitLevel !== 1)
      throw commonError(CommonErrorCode.Forbidden, 'Cross-province transfers are followed by the ministry’s staff');
    const rows = await this.hub.list(state === 'all' ? null : (state ?? 'in_flight'), 500);
    return rows.map((r) => ({ ...r, idNumber: maskIdNumber(r.idNumber) }));
  }

  /** The saga of a message, locked, if the transport's sender is the saga's `side` province; else the message is refused. */
  private async sagaFrom(
    m: FederationMessage,
    id: string,
    side: 'fromProvince' | 'toProvince',
  ): Promise<HubRow | null> {
    if (!id) throw new Error('payload: transferId required');
    const h = await this.hub.findById(id, true);
    if (!h) return null;
    if (h[side] !== m.from) throw new Error(`${m.type} for transfer ${id} from ${m.from}: not its ${side}`);
    return h;
  }
}

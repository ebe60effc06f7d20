import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, decodeCursor, encodeCursor, type FieldError, type Page } from '@tmis/common';
import { indicatorSetForSchoolType } from '@tmis/core-indicators';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgService, UnitKind, UnitStatus, type OrgUnitEntity } from '@tmis/org';
import {
  ChangeRequestRepository,
  RecordReporting,
  TeacherRepository,
  TeacherService,
  type TeacherRow,
  type TodoItem,
} from '@tmis/teachers';
import { FederationMessenger } from '@tmis/federation';
import { transition } from '@tmis/workflow';
import {
  CROSS,
  type CrossConfirm,
  type CrossEnded,
  type CrossRecord,
  type CrossRefusal,
  type CrossRequest,
} from './cross/cross-messages.js';
import type { ApplyTransferDto, ListTransfersQueryDto } from './dto/transfer.dto.js';
import { transferError, TransferErrorCode } from './transfer.errors.js';
import { TransferRepository, type StoredActor, type TransferRow } from './transfer.repository.js';
import { toTransferResponse, type TransferResponse, type UnitRef } from './transfer.view.js';
import {
  AWAITING_STATES,
  FLOWS,
  mayApply,
  stepAction,
  WORKFLOWS,
  type TransferContext,
  type TransferKind,
  type TransferState,
} from './transfer.workflow.js';
import { TRANSFERS_OPTIONS, type TransfersOptions } from './transfers.options.js';

const READERS = [Role.InfoAdmin, Role.Query];

/**
 * Transfers (调动, Art. 23) and exchange rotations (交流轮岗, Art. 24) within one province: the
 * application, each side's steps (libs/workflow), refusals with reasons, withdrawal, and the record
 * moving — one record per person, its unit changed on the effective date (applied when due: on
 * every read and by a periodic job), re-reported to the national node if it was reported.
 */
@Injectable()
export class TransferService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Transfers');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: TransferRepository,
    private readonly teachers: TeacherRepository,
    private readonly teacherService: TeacherService,
    private readonly changeRequests: ChangeRequestRepository,
    private readonly reporting: RecordReporting,
    private readonly org: OrgService,
    private readonly audit: AuditService,
    private readonly messenger: FederationMessenger,
    @Inject(TRANSFERS_OPTIONS) private readonly options: TransfersOptions,
  ) {}

  onModuleInit(): void {
    if (this.options.dueIntervalMs > 0) {
      this.timer = setInterval(() => void this.applyDue(), this.options.dueIntervalMs);
      this.timer.unref();
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  // ---- application ----

  async apply(actor: Actor, dto: ApplyTransferDto): Promise<TransferResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    if (dto.fromProvince && dto.fromProvince !== this.options.provinceCode) return this.applyCross(actor, dto);
    const kind = dto.kind ?? 'transfer';
    if (kind !== 'transfer' && kind !== 'rotation' && kind !== 'rotation-transfer')
      throw transferError(TransferErrorCode.NotApplicant);
    const teacher = await this.findTeacher(dto);
    if (!teacher.active) throw transferError(TransferErrorCode.TeacherInactive);
    const fromUnit = (await this.org.findById(teacher.unitId))!;
    const fromSchool = await this.schoolOf(fromUnit);
    const to = await this.org.findById(dto.toUnitId);
    if (!to || to.kind !== UnitKind.School || to.status !== UnitStatus.Active)
      throw transferError(TransferErrorCode.NotASchool);
    if (to.id === fromSchool.id) throw transferError(TransferErrorCode.SameUnit);
    const ctx: TransferContext = { actor, sendingPath: fromUnit.path, receivingPath: to.path };
    if (!mayApply(kind, ctx)) {
      if (actor.unitLevel >= 5)
        throw commonError(
          CommonErrorCode.OutOfScope,
          FLOWS[kind].applicant === 'receiving'
            ? 'A transfer is applied for by the receiving school'
            : 'A rotation is applied for by the teacher’s own school',
        );
      throw transferError(TransferErrorCode.NotApplicant);
    }
    if (kind !== 'transfer') {
      if (!indicatorSetForSchoolType(fromSchool.schoolType).subSets.includes('exchangeRotation'))
        throw transferError(TransferErrorCode.RotationNotApplicable);
      if (kind === 'rotation' && (!dto.endDate || dto.endDate <= dto.effectiveDate))
        throw transferError(TransferErrorCode.PeriodRequired, undefined, undefined, [
          {
            path: 'endDate',
            code: 'required',
            message: 'endDate is required and after effectiveDate',
            messageZh: 'endDate：须填写且晚于开始日期',
          },
        ]);
    }
    if (dto.endDate && dto.endDate < dto.effectiveDate) throw transferError(TransferErrorCode.PeriodRequired);
    await this.requireTransferable(teacher);
    const id = await this.txHost
      .withTransaction(async () => {
        const state = WORKFLOWS[kind].initial;
        const id = await this.repo.insert({
          kind,
          teacherId: teacher.id,
          teacherName: teacher.name,
          fromUnit,
          toUnit: to,
          newPost: dto.newPost ?? null,
          effectiveDate: dto.effectiveDate,
          endDate: dto.endDate ?? null,
          rotationKind: kind === 'transfer' ? null : (dto.rotationKind ?? '2'),
          reason: dto.reason,
          state,
          appliedBy: actor.accountId,
        });
        await this.repo.addEvent(id, {
          action: 'apply',
          fromState: null,
          toState: state,
          actorAccountId: actor.accountId,
          actorUnitId: actor.unitId,
          reason: dto.reason,
        });
        await this.audit.record(actor, {
          action: `${kind}.apply`,
          targetType: 'teacher',
          targetId: teacher.id,
          unitPath: actor.unitPath,
          details: { transferId: id, fromUnitId: fromUnit.id, toUnitId: to.id },
        });
        return id;
      })
      .catch((e: { code?: string; constraint?: string }) => {
        if (e.code === '23505') throw transferError(TransferErrorCode.AlreadyOpen);
        throw e;
      });
    return this.get(actor, id);
  }

  /**
   * Art. 23 across provinces: the receiving school applies for a teacher of another province (by ID
   * number); its department's approval sends the request to the national node, which routes it.
   */
  private async applyCross(actor: Actor, dto: ApplyTransferDto): Promise<TransferResponse> {
    const own = this.options.provinceCode;
    if (!own) throw transferError(TransferErrorCode.CrossFromProvinceOnly);
    if (!dto.idNumber || !dto.teacherName)
      throw commonError(CommonErrorCode.ValidationFailed, 'idNumber and teacherName are required', undefined, [
        {
          path: dto.idNumber ? 'teacherName' : 'idNumber',
          code: 'required',
          message: 'a cross-province transfer names the teacher by ID number and name',
          messageZh: '跨省调动须填写教师证件号码和姓名',
        },
      ]);
    const to = await this.org.findById(dto.toUnitId);
    if (!to || to.kind !== UnitKind.School || to.status !== UnitStatus.Active)
      throw transferError(TransferErrorCode.NotASchool);
    const fromPath = `/000000/${dto.fromProvince}0000/`;
    if (!mayApply('cross-in', { actor, sendingPath: fromPath, receivingPath: to.path })) {
      if (actor.unitLevel >= 5)
        throw commonError(CommonErrorCode.OutOfScope, 'A transfer is applied for by the receiving school');
      throw transferError(TransferErrorCode.NotApplicant);
    }
    const person = { idType: dto.idType ?? '1', idNumber: dto.idNumber.toUpperCase() };
    const here = await this.teachers.findByPerson(person.idType, person.idNumber);
    if (here?.active) throw transferError(TransferErrorCode.CrossAlreadyHere);
    const id = await this.txHost.withTransaction(async () => {
      const state = WORKFLOWS['cross-in'].initial;
      const id = await this.repo.insert({
        kind: 'cross-in',
        teacherId: null,
        teacherName: dto.teacherName!,
        fromUnit: { id: null, path: fromPath },
        toUnit: to,
        otherProvince: dto.fromProvince,
        person,
        newPost: dto.newPost ?? null,
        effectiveDate: dto.effectiveDate,
        endDate: null,
        rotationKind: null,
        reason: dto.reason,
        state,
        appliedBy: actor.accountId,
      });
      await this.repo.addEvent(id, {
        action: 'apply',
        fromState: null,
        toState: state,
        actorAccountId: actor.accountId,
        actorUnitId: actor.unitId,
        reason: dto.reason,
      });
      await this.audit.record(actor, {
        action: 'cross-in.apply',
        targetType: 'transfer',
        targetId: id,
        unitPath: to.path,
        details: { fromProvince: dto.fromProvince },
      });
      return id;
    });
    return this.get(actor, id);
  }

  // ---- reading ----

  async get(actor: Actor, id: string): Promise<TransferResponse> {
    AccessPolicy.requireRole(actor, READERS);
    await this.applyDue(id);
    const t = await this.repo.findById(id);
    if (!t) throw transferError(TransferErrorCode.NotFound);
    this.requireVisible(actor, t);
    return toTransferResponse(t, this.ctx(actor, t), await this.units([t]), await this.repo.events(id));
  }

  async list(actor: Actor, q: ListTransfersQueryDto): Promise<Page<TransferResponse>> {
    AccessPolicy.requireRole(actor, READERS);
    await this.applyDue();
    const limit = q.limit ?? 50;
    const before = decodeCursor(q.cursor, ['text', 'uuid']) as [string, string] | null;
    let rows: TransferRow[];
    if (q.waiting === 'true') rows = await this.waitingRows(actor, limit + 1, before, q.kind);
    else
      rows = await this.repo.list({
        pathPrefix: actor.unitPath,
        direction: q.direction ?? 'all',
        kind: q.kind,
        state: q.state,
        limit: limit + 1,
        before: before ?? undefined,
      });
    const page = rows.slice(0, limit);
    const units = await this.units(page);
    const last = page[page.length - 1];
    return {
      items: page.map((t) => toTransferResponse(t, this.ctx(actor, t), units)),
      nextCursor: rows.length > limit ? encodeCursor([new Date(last.appliedAt).toISOString(), last.id]) : null,
    };
  }

  /** What waits for the caller's step, and how much of it is past the province's deadline. */
  async todo(actor: Actor): Promise<{ waiting: number; overdue: number; deadlineDays: number }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    await this.applyDue();
    const rows = await this.waitingRows(actor, 1000, null);
    return {
      waiting: rows.length,
      overdue: rows.filter((r) => r.overdue).length,
      deadlineDays: await this.repo.deadlineDays(),
    };
  }

  /**
   * The caller's items on the shared to-do list (`GET /todo`): transfers (in-province and cross-province)
   * and rotations at the caller's step in its subtree, each with how many wait past the province's deadline.
   */
  async todoItems(actor: Actor): Promise<TodoItem[]> {
    if (actor.role !== Role.InfoAdmin) return [];
    const rows = await this.waitingRows(actor, 1000, null);
    const transfers = rows.filter((r) => r.kind === 'transfer' || r.kind === 'cross-in' || r.kind === 'cross-out');
    const rotations = rows.filter((r) => r.kind === 'rotation' || r.kind === 'rotation-transfer');
    return [
      {
        kind: 'transfers-waiting',
        count: transfers.length,
        overdue: transfers.filter((r) => r.overdue).length,
        zh: '待办理的调动申请',
        en: 'Transfers waiting for your step',
      },
      {
        kind: 'rotations-waiting',
        count: rotations.length,
        overdue: rotations.filter((r) => r.overdue).length,
        zh: '待办理的交流轮岗申请',
        en: 'Exchange rotations waiting for your step',
      },
    ];
  }

  /** Rotations serving at a host unit now: the host's staffing view (the records stay at the sending school). */
  async hosted(actor: Actor, unitId?: string): Promise<TransferResponse[]> {
    AccessPolicy.requireRole(actor, READERS);
    await this.applyDue();
    let path = actor.unitPath;
    if (unitId) {
      const u = await this.org.findById(unitId);
      if (!u) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
      AccessPolicy.requireInScope(actor, u.path);
      path = u.path;
    }
    const rows = await this.repo.hosted(path);
    const units = await this.units(rows);
    return rows.map((t) => toTransferResponse(t, this.ctx(actor, t), units));
  }

  async settings(actor: Actor): Promise<{ deadlineDays: number }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return { deadlineDays: await this.repo.deadlineDays() };
  }

  async setSettings(actor: Actor, deadlineDays: number): Promise<{ deadlineDays: number }> {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 2)
      throw transferError(TransferErrorCode.SettingsProvinceOnly);
    await this.txHost.withTransaction(async () => {
      await this.repo.setDeadlineDays(deadlineDays, actor.accountId);
      await this.audit.record(actor, {
        action: 'transfer.settings',
        targetType: 'transfer-setting',
        unitPath: actor.unitPath,
        details: { deadlineDays },
      });
    });
    return this.settings(actor);
  }

  // ---- steps ----

  approve(actor: Actor, id: string, reason?: string): Promise<TransferResponse> {
    return this.step(actor, id, 'approve', reason);
  }

  refuse(actor: Actor, id: string, reason?: string): Promise<TransferResponse> {
    return this.step(actor, id, 'refuse', reason);
  }

  withdraw(actor: Actor, id: string, reason?: string): Promise<TransferResponse> {
    return this.step(actor, id, 'withdraw', reason);
  }

  private async step(
    actor: Actor,
    id: string,
    verb: 'approve' | 'refuse' | 'withdraw',
    reason?: string,
  ): Promise<TransferResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const approved = await this.txHost.withTransaction(async () => {
      const t = await this.repo.findById(id, true);
      if (!t) throw transferError(TransferErrorCode.NotFound);
      this.requireVisible(actor, t);
      const action = verb === 'withdraw' ? 'withdraw' : stepAction(t.kind, t.state, verb);
      if (!action) throw transferError(TransferErrorCode.IllegalStep, `The case is ${t.state}`);
      const r = transition(WORKFLOWS[t.kind], t.state, action, this.ctx(actor, t), reason);
      if (!r.ok) {
        if (r.reason === 'reason-required')
          throw transferError(TransferErrorCode.ReasonRequired, undefined, undefined, [
            { path: 'reason', code: 'required', message: 'reason is required', messageZh: 'reason：须说明理由' },
          ]);
        if (r.reason === 'not-allowed') throw transferError(TransferErrorCode.NotYourStep, `The case is ${t.state}`);
        throw transferError(TransferErrorCode.IllegalStep, `The case is ${t.state}`);
      }
      // Across provinces the receiving province's approval hands the case on through national; the
      // sending province's confirmation leaves it approved, waiting for its effective date on both sides.
      let to: TransferState = t.kind === 'cross-in' && r.to === 'approved' ? 'awaiting_other_province' : r.to;
      // A withdrawal after the request left is the national node's to decide (it may have crossed the
      // sending province's confirmation): the case waits for its verdict.
      if (t.kind === 'cross-in' && action === 'withdraw' && t.state === 'awaiting_other_province') {
        to = 'withdrawing';
        await this.messenger.send(
          'national',
          CROSS.withdraw,
          { transferId: t.id, reason: reason?.trim() || 'Withdrawn by the applicant' } satisfies CrossEnded,
          t.id,
        );
      }
      if (r.to === 'approved' && t.kind !== 'cross-in') {
        const teacher = await this.teachers.findById(t.teacherId);
        if (!teacher) throw transferError(TransferErrorCode.TeacherNotFound);
        await this.requireTransferable(teacher);
        if (t.kind === 'cross-out') await this.sendConfirm(t, teacher);
      }
      if (t.kind === 'cross-in' && r.to === 'approved') await this.sendRequest(t);
      if (t.kind === 'cross-out' && r.to === 'refused')
        await this.messenger.send(
          'national',
          CROSS.refuse,
          { transferId: t.id, reason: reason!.trim(), by: this.options.provinceCode! } satisfies CrossRefusal,
          t.id,
        );
      const ok = await this.repo.setState(t.id, t.state, t.version, to, {
        approvedBy: r.to === 'approved' ? storedActor(actor) : undefined,
      });
      if (!ok) throw transferError(TransferErrorCode.StaleVersion);
      await this.repo.addEvent(t.id, {
        action,
        fromState: t.state,
        toState: to,
        actorAccountId: actor.accountId,
        actorUnitId: actor.unitId,
        reason: reason?.trim() || null,
      });
      await this.audit.record(actor, {
        action: `${t.kind}.${action}`,
        targetType: 'teacher',
        targetId: t.teacherId,
        unitPath: actor.unitPath,
        details: { transferId: t.id, state: to },
      });
      return to === 'approved';
    });
    // The last step taken: a case whose date has come takes effect at once.
    if (approved) await this.applyDue(id, true);
    return this.get(actor, id);
  }

  // ---- cross-province messages this node sends (in the step's transaction) ----

  private async sendRequest(t: TransferRow): Promise<void> {
    const to = (await this.org.findById(t.toUnitId))!;
    const msg: CrossRequest = {
      transferId: t.id,
      fromProvince: t.otherProvince!,
      toProvince: this.options.provinceCode!,
      idType: t.personIdType!,
      idNumber: t.personIdNumber!,
      teacherName: t.teacherName,
      toUnitCode: to.code,
      toUnitName: to.name,
      toSchoolType: to.schoolType,
      newPost: t.newPost,
      effectiveDate: t.effectiveDate,
      reason: t.reason,
    };
    await this.messenger.send('national', CROSS.request, msg, t.id);
  }

  /** The sending province's confirmation carries the teacher's record: core and national fields, its custom values apart. */
  private async sendConfirm(t: TransferRow, teacher: TeacherRow): Promise<void> {
    const unit = await this.org.findById(teacher.unitId);
    const msg: CrossConfirm = {
      transferId: t.id,
      record: {
        idType: teacher.idType,
        idNumber: teacher.idNumber,
        name: teacher.name,
        record: teacher.record,
        custom: teacher.custom,
        catalogueVersion: teacher.catalogueVersion,
        fromUnitCode: unit?.code ?? '',
        fromSchoolType: teacher.schoolType,
        title: teacher.title,
      },
    };
    await this.messenger.send('national', CROSS.confirm, msg, t.id);
  }

  // ---- taking effect ----

  /**
   * Applies what is due: approved transfers whose effective date has come (the record moves), approved
   * rotations that start (sub-set 16 is filled; the teacher serves at the host) and serving rotations
   * past their end date (closed). Each case in its own transaction; with `id`, that case only. A case
   * that cannot be applied (e.g. its record is locked in review on the day) is logged and retried, unless
   * `rethrow` (the last approving step, which then reports the error to its caller).
   */
  async applyDue(id?: string, rethrow = false): Promise<void> {
    const run = async () => {
      for (let rounds = 0; rounds < 100; rounds++) {
        const due = await this.repo.due(100, id);
        if (!due.length) return;
        let progressed = 0;
        for (const t of due) {
          try {
            if (await this.takeEffect(t.id)) progressed++;
          } catch (e) {
            if (rethrow) throw e;
            this.log.warn(`transfer ${t.id} not applied yet: ${(e as Error).message}`);
          }
        }
        if (!progressed) return;
      }
    };
    const p = run();
    this.running = p.catch(() => undefined);
    await p;
  }

  private takeEffect(id: string): Promise<boolean> {
    return this.txHost.withTransaction(async () => {
      const t = await this.repo.findById(id, true);
      if (!t || !t.approvedBy) return false;
      const [stillDue] = await this.repo.due(1, id);
      if (!stillDue) return false;
      if (t.kind === 'cross-in') {
        await this.registerCrossIn(t);
        return true;
      }
      const actor = toActor(t.approvedBy);
      let to: TransferState;
      let action: string;
      if (t.kind === 'rotation') {
        if (t.state === 'approved') {
          await this.fillRotationEntry(actor, t, false);
          await this.snapshot(t);
          to = 'serving';
          action = 'start';
        } else {
          to = 'completed';
          action = 'close';
        }
      } else {
        await this.moveRecord(actor, t);
        if (t.kind === 'rotation-transfer') await this.fillRotationEntry(actor, t, true);
        to = 'completed';
        action = 'take-effect';
      }
      const ok = await this.repo.setState(t.id, t.state, t.version, to, {
        movedAt: action === 'take-effect',
        closedAt: action === 'close',
        entryFilled: t.kind !== 'transfer' && action !== 'close',
      });
      if (!ok) throw transferError(TransferErrorCode.StaleVersion);
      await this.repo.addEvent(t.id, {
        action,
        fromState: t.state,
        toState: to,
        actorAccountId: null,
        actorUnitId: null,
        reason: null,
      });
      return true;
    });
  }

  // ---- across provinces, the receiving side ----

  /**
   * The sending province confirmed (national relays its confirmation with the record it reported). The
   * record is checked against this province's rules at once: if it cannot be registered here the case
   * is refused with the reasons, and the refusal travels back (the sending province keeps its
   * teacher). Otherwise the case is approved and waits for its effective date — or takes effect now if
   * the date has come. Runs in the receiver's transaction; idempotent on the case's state.
   */
  async receiveReported(id: string, confirm: CrossConfirm): Promise<void> {
    const t = await this.repo.findById(id, true);
    if (!t || t.kind !== 'cross-in' || !t.approvedBy) return;
    if (t.state !== 'awaiting_other_province' && t.state !== 'withdrawing') return;
    const problems = await this.teacherService.transferredInProblems(t.toUnitId, confirm.record?.record ?? {});
    if (problems.length) return this.refuseReported(t, problems);
    if (
      !(await this.repo.setState(t.id, t.state, t.version, 'approved', {
        reportedRecord: confirm.record as unknown as Record<string, unknown>,
        teacherName: confirm.record.name,
      }))
    )
      throw new Error('the case moved on meanwhile');
    await this.repo.addEvent(t.id, {
      action: 'confirmed',
      fromState: t.state,
      toState: 'approved',
      actorAccountId: null,
      actorUnitId: null,
      reason:
        t.state === 'withdrawing'
          ? `Province ${t.otherProvince} confirmed before the withdrawal reached the national node: the withdrawal came too late`
          : null,
    });
    await this.takeEffect(t.id);
  }

  /** On the effective date: the record is created from what the sending province reported, and national is told. */
  private async registerCrossIn(t: TransferRow): Promise<void> {
    const reported = t.reportedRecord as unknown as CrossRecord | null;
    if (!reported) throw new Error(`transfer ${t.id}: no reported record`);
    // The rules may have changed since the confirmation (a catalogue version, a custom field).
    const problems = await this.teacherService.transferredInProblems(t.toUnitId, reported.record ?? {});
    if (problems.length) return this.refuseReported(t, problems);
    const teacherId = await this.teacherService.registerTransferredIn(
      toActor(t.approvedBy!),
      t.toUnitId,
      reported.record,
      { fromProvince: t.otherProvince!, custom: reported.custom ?? {}, transferId: t.id },
    );
    await this.snapshot({ ...t, teacherId });
    if (!(await this.repo.setState(t.id, t.state, t.version, 'completed', { movedAt: true, teacherId })))
      throw transferError(TransferErrorCode.StaleVersion);
    await this.repo.addEvent(t.id, {
      action: 'take-effect',
      fromState: t.state,
      toState: 'completed',
      actorAccountId: null,
      actorUnitId: null,
      reason: null,
    });
    await this.messenger.send('national', CROSS.complete, { transferId: t.id, teacherId }, t.id);
  }

  /** The reported record cannot be registered here: the case is refused with the reasons, told to national (and so to the sending province). */
  private async refuseReported(t: TransferRow, problems: FieldError[]): Promise<void> {
    const own = this.options.provinceCode!;
    const listed = problems
      .slice(0, 5)
      .map((p) => `${p.path}: ${p.message}`)
      .join('; ');
    const listedZh = problems
      .slice(0, 5)
      .map((p) => p.messageZh)
      .join('；');
    const more = problems.length > 5 ? ` (+${problems.length - 5})` : '';
    const reason =
      `The record reported by province ${t.otherProvince} does not validate in province ${own}: ${listed}${more}` +
      ` / 省份${t.otherProvince}报送的档案不符合本省（${own}）规则：${listedZh}`;
    if (!(await this.repo.setState(t.id, t.state, t.version, 'refused')))
      throw new Error('the case moved on meanwhile');
    await this.repo.addEvent(t.id, {
      action: 'refuse-record',
      fromState: t.state,
      toState: 'refused',
      actorAccountId: null,
      actorUnitId: null,
      reason,
    });
    await this.audit.record(null, {
      action: 'cross-in.refuse-record',
      targetType: 'transfer',
      targetId: t.id,
      unitPath: t.toUnitPath,
      details: { fromProvince: t.otherProvince, problems: problems.slice(0, 20).map((p) => p.path) },
    });
    await this.messenger.send('national', CROSS.reject, { transferId: t.id, reason } satisfies CrossEnded, t.id);
  }

  /** The record moves to the receiving school: one record, its history kept; re-reported if reported. */
  private async moveRecord(actor: Actor, t: TransferRow): Promise<void> {
    const teacher = await this.teachers.findById(t.teacherId, true);
    if (!teacher) throw transferError(TransferErrorCode.TeacherNotFound);
    const to = (await this.org.findById(t.toUnitId))!;
    await this.snapshot(t, teacher);
    const state = await this.teachers.moveUnit(
      teacher.id,
      { id: teacher.unitId },
      { id: to.id, path: to.path, schoolType: to.schoolType },
      { accountId: actor.accountId, role: actor.role },
      'transfer-in',
      {
        transferId: t.id,
        kind: t.kind,
        fromUnitId: teacher.unitId,
        newPost: t.newPost,
        effectiveDate: t.effectiveDate,
      },
    );
    if (state === null) throw transferError(TransferErrorCode.StaleVersion);
    if (state === 'reported') await this.reporting.report(teacher.id);
    await this.audit.record(actor, {
      action: `${t.kind}.take-effect`,
      targetType: 'teacher',
      targetId: teacher.id,
      unitPath: to.path,
      details: { transferId: t.id, fromUnitId: teacher.unitId, toUnitId: to.id },
    });
  }

  /** Sub-set 16 (exchange rotation) from the approved rotation, entered by the department that approved it. */
  private async fillRotationEntry(actor: Actor, t: TransferRow, relationChanged: boolean): Promise<void> {
    const [from, to] = await Promise.all([this.org.findById(t.fromUnitId), this.org.findById(t.toUnitId)]);
    const entry: Record<string, unknown> = {
      kind: t.rotationKind ?? '2',
      startDate: t.effectiveDate,
      fromUnit: from?.name ?? null,
      toUnit: to!.name,
      relationChanged,
    };
    if (t.endDate) entry.endDate = t.endDate;
    await this.teacherService.addApprovedEntry(actor, t.teacherId, 'exchangeRotation', entry, `${t.kind}.entry`);
  }

  /** What the mobility statistics keep of a case when it takes effect (types, urban/rural, title, subjects). */
  async snapshot(t: TransferRow, teacher?: TeacherRow | null): Promise<void> {
    const rec = teacher ?? (t.teacherId ? await this.teachers.findById(t.teacherId) : null);
    const fromUnit = t.fromUnitId ? await this.org.findById(t.fromUnitId) : null;
    const fromSchool = fromUnit ? await this.schoolOf(fromUnit) : null;
    const to = t.toUnitId ? await this.org.findById(t.toUnitId) : null;
    await this.repo.snapshot(t.id, {
      fromSchoolType: fromSchool?.schoolType ?? null,
      toSchoolType: to?.schoolType ?? null,
      fromUrbanRural: fromSchool?.urbanRural ?? null,
      toUrbanRural: to?.urbanRural ?? null,
      title: rec?.title ?? null,
      subjects: rec?.subjects ?? [],
    });
  }

  // ---- helpers ----

  private async findTeacher(dto: ApplyTransferDto): Promise<TeacherRow> {
    let t: TeacherRow | null = null;
    if (dto.teacherId) t = await this.teachers.findById(dto.teacherId);
    else if (dto.idNumber) t = await this.teachers.findByPerson(dto.idType ?? '1', dto.idNumber.toUpperCase());
    else
      throw commonError(CommonErrorCode.ValidationFailed, 'teacherId or idNumber is required', undefined, [
        {
          path: 'idNumber',
          code: 'required',
          message: 'give teacherId or idNumber',
          messageZh: 'idNumber：须填写档案标识或证件号码',
        },
      ]);
    if (!t) throw transferError(TransferErrorCode.TeacherNotFound);
    return t;
  }

  /** A teacher under review or with an open change request is not transferred until that is settled. */
  private async requireTransferable(t: TeacherRow): Promise<void> {
    if (t.reviewState === 'submitted' || t.reviewState === 'school_approved')
      throw transferError(TransferErrorCode.TeacherInReview, `The record is ${t.reviewState.replace('_', ' ')}`);
    if (await this.changeRequests.hasPending(t.id)) throw transferError(TransferErrorCode.OpenChangeRequest);
  }

  private requireVisible(actor: Actor, t: TransferRow): void {
    if (!inScope(actor, t.fromUnitPath) && !inScope(actor, t.toUnitPath)) throw commonError(CommonErrorCode.OutOfScope);
  }

  private ctx(actor: Actor, t: TransferRow): TransferContext {
    return { actor, sendingPath: t.fromUnitPath, receivingPath: t.toUnitPath };
  }

  /** The cases at a step the caller takes: a school's or a department's, on the side in its subtree. */
  private waitingRows(
    actor: Actor,
    limit: number,
    before: [string, string] | null,
    kind?: TransferKind,
  ): Promise<TransferRow[]> {
    if (actor.role !== Role.InfoAdmin) return Promise.resolve([]);
    const level = actor.unitLevel >= 5 ? 'school' : 'department';
    const states = AWAITING_STATES.filter((s) => s.endsWith(`_${level}`));
    return Promise.all(
      (['sending', 'receiving'] as const).map((side) =>
        this.repo.list({
          pathPrefix: actor.unitPath,
          direction: side === 'sending' ? 'out' : 'in',
          kind,
          states: states.filter((s) => s.startsWith(`awaiting_${side}_`)),
          limit,
          before: before ?? undefined,
        }),
      ),
    ).then(([a, b]) => {
      const seen = new Set<string>();
      return [...a, ...b]
        .filter((r) => !seen.has(r.id) && seen.add(r.id))
        .sort((x, y) => +new Date(y.appliedAt) - +new Date(x.appliedAt) || (y.id < x.id ? -1 : 1))
        .slice(0, limit);
    });
  }

  private async units(rows: TransferRow[]): Promise<Map<string, UnitRef>> {
    const paths = [...new Set(rows.flatMap((r) => [r.fromUnitPath, r.toUnitPath]))];
    const found = paths.length ? await this.org.findByPaths(paths) : [];
    return new Map(found.map((u) => [u.id, { id: u.id, code: u.code, name: u.name }]));
  }

  private async schoolOf(unit: OrgUnitEntity): Promise<OrgUnitEntity> {
    if (unit.kind === UnitKind.Department && unit.parentId) return (await this.org.findById(unit.parentId)) ?? unit;
    return unit;
  }
}

function storedActor(a: Actor): StoredActor {
  return { accountId: a.accountId, role: a.role, unitId: a.unitId, unitPath: a.unitPath, unitLevel: a.unitLevel };
}

/** The approver, acting again when the case falls due (their scope and role, no session). */
function toActor(s: StoredActor): Actor {
  return { ...s, role: s.role as Role, sessionId: '', mustChangePassword: false };
}

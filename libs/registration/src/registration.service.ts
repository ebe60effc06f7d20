import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, DomainError } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { availableActions, transition } from '@tmis/workflow';
import { TeacherRepository, TeacherService, type TeacherRow } from '@tmis/teachers';
import { RegistrationCredits } from './credits.port.js';
import {
  assessEligibility,
  assessTitleEligibility,
  registrationStatus,
  STATUS_LABELS,
  type CreditEntry,
  type Cycle,
  type Eligibility,
  type RecordFacts,
  type TitleEligibility,
  vetoesIn,
} from './eligibility.js';
import { registrationError, RegistrationErrorCode } from './registration.errors.js';
import { RegistrationRepository, type ApplicationRow, type StatusRow } from './registration.repository.js';
import {
  authorityLevelFor,
  DECISION_OF,
  MAY_FLAGS,
  REGISTRATION_WORKFLOW,
  type ApplicationContext,
  type ApplicationState,
} from './registration.workflow.js';
import { DEFAULT_RULES, isDate, rulesOn, type RegistrationRules, type RulesVersion } from './rules.js';

type Rec = Record<string, unknown>;

export const today = (): string => new Date().toISOString().slice(0, 10);

const RESULT_CODE = { registered: '1', deferred: '2', not_passed: '3' } as const;

/** The registration-relevant facts of a record (sub-sets 1, 7) and the confirmed violations. */
export function factsOf(record: Rec, violations: RecordFacts['violations']): RecordFacts {
  const basic = (record.basic ?? {}) as Rec;
  const assessments = Array.isArray(record.annualAssessment) ? (record.annualAssessment as Rec[]) : [];
  return {
    personStatus: typeof basic.personStatus === 'string' ? basic.personStatus : null,
    assessments: assessments
      .filter((a) => typeof a.year === 'number' && typeof a.result === 'string')
      .map((a) => ({ year: a.year as number, result: a.result as string })),
    violations,
  };
}

/** The qualification (sub-set 8) entry a registration is about: the one named, or the first. */
/** A text field of the record as the API answers it: a string, or null when absent. */
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function qualificationOf(record: Rec, entryId?: string | null): Rec | null {
  const list = Array.isArray(record.qualification) ? (record.qualification as Rec[]) : [];
  return (entryId ? list.find((q) => q.id === entryId) : list[0]) ?? null;
}

function creditEntry(e: Rec): CreditEntry {
  const day = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? '')).slice(0, 10);
  return {
    id: String(e.id),
    kind: String(e.kind ?? ''),
    credits: Number(e.credits ?? 0),
    hours: Number(e.hours ?? 0),
    confirmedOn: day(e.confirmedOn),
    source: String(e.source ?? ''),
    ruleVersion: e.ruleVersion == null ? '' : String(e.ruleVersion),
    appliedTo: e.appliedTo == null ? null : String(e.appliedTo),
  };
}

export interface ApplicationView {
  id: string;
  teacherId: string;
  state: ApplicationState;
  cycle: Cycle;
  appliedAs: string;
  batchId: string | null;
  decisionReason: string | null;
  decidedAt: Date | null;
  trail: ApplicationRow['trail'];
  version: number;
  eligibility: Eligibility | null;
  mayConfirm: boolean;
  mayReturn: boolean;
  mayDecide: boolean;
}

/**
 * Periodic registration of teacher qualifications (Art. 26): who may apply, the school's confirmation,
 * the registration authority's decision (which writes the result into the record, so it is reported
 * to the national node, and applies the credits used), and the title evaluation check.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: RegistrationRepository,
    private readonly teachers: TeacherService,
    private readonly teacherRepo: TeacherRepository,
    private readonly credits: RegistrationCredits,
    private readonly audit: AuditService,
  ) {}

  // ---- rules (versioned data) ----

  async rulesNow(date = today()): Promise<RegistrationRules> {
    return rulesOn(await this.repo.rules(), date);
  }

  async rules(
    actor: Actor,
  ): Promise<{ current: RegistrationRules; defaults: RegistrationRules; versions: RulesVersion[] }> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query, Role.SysAdmin]);
    const versions = await this.repo.rules();
    return { current: rulesOn(versions, today()), defaults: DEFAULT_RULES, versions };
  }

  /** A new rules version (the province-level information administrator); versions are never rewritten. */
  async addRules(actor: Actor, v: RulesVersion): Promise<RulesVersion[]> {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel > 2)
      throw commonError(CommonErrorCode.Forbidden, 'Registration rules are set by the province');
    const r = v.rules;
    const bad =
      !isDate(v.effectiveFrom) ||
      (r.cycleYears !== undefined && !(Number.isInteger(r.cycleYears) && r.cycleYears >= 1 && r.cycleYears <= 10)) ||
      (r.authorityLevel !== undefined && ![2, 3, 4].includes(r.authorityLevel)) ||
      (r.vetoYears !== undefined && !(r.vetoYears >= 0 && r.vetoYears <= 50));
    if (bad) throw registrationError(RegistrationErrorCode.RulesInvalid);
    await this.txHost.withTransaction(async () => {
      if (!(await this.repo.insertRules(v, actor.accountId))) throw registrationError(RegistrationErrorCode.RulesExist);
      await this.audit.record(actor, {
        action: 'registration.rules',
        targetType: 'registration-rules',
        targetId: v.version,
        unitPath: actor.unitPath,
      });
    });
    return this.repo.rules();
  }

  // ---- eligibility ----

  /** Eligibility of `t` for `cycle` now: the record's facts, the confirmed violations and the credit bank. */
  async eligibilityOf(t: TeacherRow, cycle: Cycle, rules: RegistrationRules, asOf = today()): Promise<Eligibility> {
    const facts = factsOf(t.record, await this.repo.confirmedViolations(t.id));
    const bank = await this.credits.creditsInWindow(t.id, cycle.start, cycle.end, rules.countedKinds ?? undefined);
    return assessEligibility({
      facts,
      credits: bank.entries.map((e) => creditEntry(e as unknown as Rec)),
      rules,
      cycle,
      asOf,
    });
  }

  /** What a teacher (or the school, the department) sees: status, cycle, what is missing, the applications. */
  async teacherRegistration(actor: Actor, teacherId: string) {
    const t = await this.teachers.get(actor, teacherId);
    const rules = await this.rulesNow();
    const q = qualificationOf(t.record);
    const last = await this.repo.status(t.id);
    const status = registrationStatus(
      q ? { issuedDate: typeof q.issuedDate === 'string' ? q.issuedDate : null } : null,
      last ? { result: last.result, cycle: { start: last.cycleStart, end: last.cycleEnd }, reason: last.reason } : null,
      rules,
      today(),
    );
    const applications = await this.repo.applicationsOf(t.id);
    const open = applications.some((a) => a.state === 'applied' || a.state === 'school_confirmed');
    const eligibility = status ? await this.eligibilityOf(t, status.cycle, rules) : null;
    return {
      teacherId: t.id,
      name: t.name,
      qualification: q
        ? {
            entryId: text(q.id),
            qualificationType: text(q.qualificationType),
            certificateNumber: text(q.certificateNumber),
            issuingAuthority: text(q.issuingAuthority),
            issuedDate: text(q.issuedDate),
            registrationResult: text(q.registrationResult),
            registrationCycleStart: text(q.registrationCycleStart),
            registrationCycleEnd: text(q.registrationCycleEnd),
            registrationDate: text(q.registrationDate),
          }
        : null,
      status: status?.status ?? null,
      statusLabel: status ? STATUS_LABELS[status.status] : null,
      cycle: status?.cycle ?? null,
      reason: status?.reason ?? null,
      rulesVersion: rules.version,
      mayApply: !!status?.mayApply && !open && t.reviewState === 'reported',
      eligibility,
      missing: eligibility?.missing ?? [],
      applications: await Promise.all(applications.map((a) => this.view(actor, a, rules, t, false))),
    };
  }

  /** Title evaluation check: years in grade, assessments, training, and the ethics veto first. */
  async titleEligibility(actor: Actor, teacherId: string): Promise<TitleEligibility & { gradeSince: string | null }> {
    const t = await this.teachers.get(actor, teacherId);
    const rules = await this.rulesNow();
    const titles = Array.isArray(t.record.professionalTitle) ? (t.record.professionalTitle as Rec[]) : [];
    const current = titles
      .filter((x) => typeof x.startMonth === 'string' && !x.endMonth)
      .sort((a, b) => String(b.startMonth).localeCompare(String(a.startMonth)))[0];
    const gradeSince = current ? `${current.startMonth as string}-01` : null;
    const asOf = today();
    const facts = factsOf(t.record, await this.repo.confirmedViolations(t.id));
    const from = `${Number(asOf.slice(0, 4)) - rules.titleYearsInGrade}${asOf.slice(4)}`;
    const bank = await this.credits.creditsInWindow(t.id, from, asOf, rules.countedKinds ?? undefined);
    const res = assessTitleEligibility({
      facts,
      gradeSince,
      // Credits used for a registration still show the training done; only those used for a title do not count.
      credits: bank.entries
        .map((e) => creditEntry(e as unknown as Rec))
        .map((e) => ({ ...e, appliedTo: e.appliedTo?.startsWith('title') ? e.appliedTo : null })),
      rules,
      asOf,
    });
    return { ...res, gradeSince };
  }

  // ---- the workflow ----

  /** The teacher applies for themself, or the school's information administrator for one of its teachers. */
  async apply(
    actor: Actor,
    teacherId: string,
    qualificationEntryId?: string,
    batchId?: string,
  ): Promise<ApplicationView> {
    const t = await this.teachers.get(actor, teacherId);
    const asSchool = actor.role === Role.InfoAdmin && actor.unitLevel >= 5;
    if (actor.role !== Role.Teacher && !asSchool)
      throw commonError(CommonErrorCode.Forbidden, 'The teacher, or their school, applies for registration');
    if (t.reviewState !== 'reported') throw registrationError(RegistrationErrorCode.NotReported);
    const rules = await this.rulesNow();
    const q = qualificationOf(t.record, qualificationEntryId);
    if (!q || typeof q.issuedDate !== 'string') throw registrationError(RegistrationErrorCode.NoQualification);
    const last = await this.repo.status(t.id);
    const status = registrationStatus(
      { issuedDate: q.issuedDate },
      last ? { result: last.result, cycle: { start: last.cycleStart, end: last.cycleEnd }, reason: last.reason } : null,
      rules,
      today(),
    )!;
    if (!status.mayApply) throw registrationError(RegistrationErrorCode.NotDue, STATUS_LABELS[status.status].en);
    const id = await this.txHost
      .withTransaction(async () => {
        const id = await this.repo.insertApplication({
          teacherId: t.id,
          unitPath: t.unitPath,
          cycleStart: status.cycle.start,
          cycleEnd: status.cycle.end,
          qualificationEntryId: typeof q.id === 'string' ? q.id : null,
          appliedBy: actor.accountId,
          appliedAs: asSchool ? 'school' : 'teacher',
          batchId: batchId ?? null,
          trail: [{ action: 'apply', at: new Date().toISOString(), by: actor.accountId, role: actor.role }],
        });
        await this.audit.record(actor, {
          action: 'registration.apply',
          targetType: 'teacher',
          targetId: t.id,
          unitPath: t.unitPath,
          details: { applicationId: id, batchId: batchId ?? null },
        });
        return id;
      })
      .catch((e: { code?: string }) => {
        if (e.code === '23505') throw registrationError(RegistrationErrorCode.OpenApplication);
        throw e;
      });
    return this.get(actor, id);
  }

  /** The school applies for several of its teachers at once; each is judged on its own. */
  async applyBatch(actor: Actor, teacherIds: string[]) {
    if (actor.role !== Role.InfoAdmin || actor.unitLevel < 5)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Batch applications are made by the school's information administrator",
      );
    const batchId = randomUUID();
    const applied: { teacherId: string; applicationId: string }[] = [];
    const refused: { teacherId: string; code: string; detail: string }[] = [];
    for (const teacherId of [...new Set(teacherIds)]) {
      try {
        applied.push({ teacherId, applicationId: (await this.apply(actor, teacherId, undefined, batchId)).id });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        refused.push({ teacherId, code: e.code, detail: e.detail ?? e.title });
      }
    }
    return { batchId, applied, refused };
  }

  async get(actor: Actor, id: string): Promise<ApplicationView> {
    const a = await this.repo.application(id);
    if (!a) throw registrationError(RegistrationErrorCode.ApplicationNotFound);
    const t = await this.teachers.get(actor, a.teacherId);
    return this.view(actor, a, await this.rulesNow(), t, true);
  }

  async list(actor: Actor, state: ApplicationState): Promise<ApplicationView[]> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const rules = await this.rulesNow();
    const rows = await this.repo.applications(actor.unitPath, state);
    return Promise.all(rows.map((a) => this.view(actor, a, rules, null, false)));
  }

  /** The school confirms the facts (or returns the application with a reason). */
  async schoolStep(
    actor: Actor,
    id: string,
    action: 'school-confirm' | 'school-return',
    version: number,
    reason?: string,
  ): Promise<ApplicationView> {
    await this.txHost.withTransaction(async () => {
      const a = await this.locked(actor, id, version);
      const rules = await this.rulesNow();
      this.requireStep(a, action, this.ctx(actor, a, rules, false), reason);
      const to = action === 'school-confirm' ? 'school_confirmed' : 'returned';
      if (!(await this.repo.step(a.id, a.version, to, this.entry(actor, action, reason))))
        throw commonError(CommonErrorCode.StaleVersion);
      await this.audit.record(actor, {
        action: `registration.${action}`,
        targetType: 'teacher',
        targetId: a.teacherId,
        unitPath: a.unitPath,
        details: { applicationId: a.id },
      });
    });
    return this.get(actor, id);
  }

  /**
   * The registration authority decides, following the eligibility computed now: registered, deferred
   * (with what is missing as the reason) or not passed (the ethics veto). One transaction: the
   * application, the teacher's status, the result written into the record (re-reported, so it reaches
   * the national node) and, when registered, the credits used applied in the credit bank.
   */
  async decide(
    actor: Actor,
    id: string,
    version: number,
    decision?: 'register' | 'defer' | 'refuse',
  ): Promise<ApplicationView> {
    await this.txHost.withTransaction(async () => {
      const a = await this.locked(actor, id, version);
      const rules = await this.rulesNow();
      const t = await this.teacherRepo.findById(a.teacherId, true);
      if (!t) throw commonError(CommonErrorCode.NotFound);
      if (t.reviewState !== 'reported') throw registrationError(RegistrationErrorCode.NotReported);
      const cycle = { start: a.cycleStart, end: a.cycleEnd };
      const eligibility = await this.eligibilityOf(t, cycle, rules);
      const action = DECISION_OF[eligibility.outcome];
      if (decision && decision !== action)
        throw registrationError(
          RegistrationErrorCode.DecisionContradicts,
          `The record and the credit bank give: ${action}`,
          { eligibility },
        );
      this.requireStep(a, action, { ...this.ctx(actor, a, rules, false), outcome: eligibility.outcome });
      const result = eligibility.outcome === 'eligible' ? 'registered' : eligibility.outcome;
      const reason = result === 'registered' ? null : eligibility.missing.map((m) => m.zh).join('；');
      if (
        !(await this.repo.step(a.id, a.version, result, this.entry(actor, action, reason), {
          eligibility,
          reason,
          by: actor.accountId,
        }))
      )
        throw commonError(CommonErrorCode.StaleVersion);
      const decidedOn = today();
      const status: StatusRow = {
        teacherId: t.id,
        result,
        cycleStart: cycle.start,
        cycleEnd: cycle.end,
        reason,
        decidedOn,
        applicationId: a.id,
      };
      await this.repo.saveStatus({ ...status, unitPath: t.unitPath, schoolType: t.schoolType });
      await this.teachers.applyDecision(actor, t.id, t.version, 'registration-decision', (r) =>
        this.withResult(r, a.qualificationEntryId, RESULT_CODE[result], cycle, decidedOn),
      );
      if (eligibility.creditIds.length) await this.credits.apply(t.id, eligibility.creditIds, 'registration', a.id);
      await this.audit.record(actor, {
        action: `registration.${action}`,
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { applicationId: a.id, result, credits: eligibility.creditIds.length },
      });
    });
    return this.get(actor, id);
  }

  /**
   * SPEC §6: a veto confirmed for a teacher already registered for a cycle the violation vetoes undoes
   * that registration: the application goes to `not_passed` with the veto as its reason, the teacher's
   * status follows, and the record's registration result becomes 不合格 (code 3). Returns the change to
   * the record (the caller composes it with the veto's own entry: one new record version, re-reported)
   * and the rest to do in the caller's transaction, or null when no registration is vetoed.
   */
  async vetoRevocation(
    actor: Actor,
    t: TeacherRow,
    violation: { date: string; vetoUntil: string },
  ): Promise<{ record(r: Rec): Rec; commit(): Promise<void> } | null> {
    const status = await this.repo.status(t.id);
    if (status?.result !== 'registered') return null;
    const cycle = { start: status.cycleStart, end: status.cycleEnd };
    if (!vetoesIn(violation, cycle)) return null;
    const a = await this.repo.application(status.applicationId, true);
    if (!a || a.state !== 'registered') return null;
    const reason = '经确认的严重违反师德行为（一票否决），注册撤销 / ethics veto: registration revoked';
    const ctx = { ...this.ctx(actor, a, await this.rulesNow(), false), vetoConfirmed: true };
    this.requireStep(a, 'veto-revoke', ctx, reason);
    const decidedOn = today();
    return {
      record: (r) => this.withResult(r, a.qualificationEntryId, RESULT_CODE.not_passed, cycle, decidedOn),
      commit: async () => {
        const decision = { reason, by: actor.accountId };
        if (!(await this.repo.step(a.id, a.version, 'not_passed', this.entry(actor, 'veto-revoke', reason), decision)))
          throw commonError(CommonErrorCode.StaleVersion);
        await this.repo.saveStatus({
          ...status,
          result: 'not_passed',
          reason,
          decidedOn,
          unitPath: t.unitPath,
          schoolType: t.schoolType,
        });
        await this.audit.record(actor, {
          action: 'registration.veto-revoke',
          targetType: 'teacher',
          targetId: t.id,
          unitPath: t.unitPath,
          details: { applicationId: a.id, result: 'not_passed' },
        });
      },
    };
  }

  private withResult(r: Rec, entryId: string | null, code: string, cycle: Cycle, decidedOn: string): Rec {
    const list = Array.isArray(r.qualification) ? (r.qualification as Rec[]) : [];
    const target = entryId ? list.find((q) => q.id === entryId) : list[0];
    return {
      ...r,
      qualification: list.map((q) =>
        q === target
          ? {
              ...q,
              registrationResult: code,
              registrationCycleStart: cycle.start,
              registrationCycleEnd: cycle.end,
              registrationDate: decidedOn,
            }
          : q,
      ),
    };
  }

  private async locked(actor: Actor, id: string, version: number): Promise<ApplicationRow> {
    const a = await this.repo.application(id, true);
    if (!a) throw registrationError(RegistrationErrorCode.ApplicationNotFound);
    AccessPolicy.requireInScope(actor, a.unitPath);
    if (a.version !== version)
      throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: a.version });
    return a;
  }

  private requireStep(a: ApplicationRow, action: string, ctx: ApplicationContext, reason?: string | null): void {
    const r = transition(REGISTRATION_WORKFLOW, a.state, action, ctx, reason ?? undefined);
    if (r.ok) return;
    if (r.reason === 'reason-required')
      throw commonError(CommonErrorCode.ValidationFailed, 'A reason is required', undefined, [
        { path: 'reason', code: 'required', message: 'reason is required', messageZh: 'reason：必须填写原因' },
      ]);
    if (r.reason === 'not-allowed') throw commonError(CommonErrorCode.Forbidden, `${action} is not yours to take`);
    throw registrationError(RegistrationErrorCode.NotAllowed, `${action} from ${a.state}`);
  }

  private ctx(actor: Actor, a: ApplicationRow, rules: RegistrationRules, isOwner: boolean): ApplicationContext {
    return {
      actor,
      unitPath: a.unitPath,
      isOwner,
      authorityLevel: authorityLevelFor(a.unitPath, rules.authorityLevel),
    };
  }

  private entry(actor: Actor, action: string, reason?: string | null) {
    return { action, at: new Date().toISOString(), by: actor.accountId, role: actor.role, reason: reason ?? null };
  }

  /** An application as the caller sees it, with the `may…` hints (and the live eligibility while open). */
  private async view(
    actor: Actor,
    a: ApplicationRow,
    rules: RegistrationRules,
    t: TeacherRow | null,
    withEligibility: boolean,
  ): Promise<ApplicationView> {
    const open = a.state === 'applied' || a.state === 'school_confirmed';
    let eligibility = a.eligibility;
    if (open && withEligibility) {
      const teacher = t ?? (await this.teacherRepo.findById(a.teacherId));
      if (teacher) eligibility = await this.eligibilityOf(teacher, { start: a.cycleStart, end: a.cycleEnd }, rules);
    }
    const ctx = { ...this.ctx(actor, a, rules, false), outcome: eligibility?.outcome };
    const may = new Set(availableActions(REGISTRATION_WORKFLOW, a.state, ctx).map((x) => MAY_FLAGS[x]));
    return {
      id: a.id,
      teacherId: a.teacherId,
      state: a.state,
      cycle: { start: a.cycleStart, end: a.cycleEnd },
      appliedAs: a.appliedAs,
      batchId: a.batchId,
      decisionReason: a.decisionReason,
      decidedAt: a.decidedAt,
      trail: a.trail,
      version: a.version,
      eligibility,
      mayConfirm: may.has('mayConfirm'),
      mayReturn: may.has('mayReturn'),
      mayDecide: may.has('mayDecide'),
    };
  }
}

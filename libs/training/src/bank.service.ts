import { Injectable } from '@nestjs/common';
import { AccessPolicy, inScope, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, decodeCursor, encodeCursor, maskIdNumber, type Page } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgRepository } from '@tmis/org';
import { TeacherRepository, TeacherService, type TeacherRow } from '@tmis/teachers';
import { CreditBank, type CreditPurpose } from './credit-bank.js';
import { today } from './credit-granting.js';
import { checkRules, cycleOf, type CreditRules } from './credit-rules.js';
import { CreditRepository, type RuleRow } from './credit.repository.js';
import { rulesAreaOf } from './rules-area.js';
import { trainingError, TrainingErrorCode } from './training.errors.js';

/** Cycle defaults when a province has no rules yet (the regulation's 360 hours ≈ 36 credits at 10 h each). */
const DEFAULT_CYCLE_START = 2021;

export interface BankResponse {
  teacher: { id: string; name: string; idNumber: string | null; unitId: string };
  province: string | null;
  window: { from: string; to: string };
  rule: { version: string; effectiveFrom: string; registrationCredits: number } | null;
  totals: {
    credits: number;
    hours: number;
    registrationCredits: number;
    unappliedCredits: number;
    byKind: Record<string, { credits: number; hours: number }>;
  };
  belowThreshold: boolean | null;
  entries: {
    id: string;
    kind: string;
    hours: number;
    credits: number;
    confirmedOn: string;
    source: string;
    sourceName: string;
    province: string;
    ruleVersion: string | null;
    countsForRegistration: boolean;
    applied: { purpose: string; reference: string; at: Date } | null;
  }[];
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Reading the credit bank (a teacher their own, departments their subtree), applying it, and the province's rules. */
@Injectable()
export class BankService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: CreditRepository,
    private readonly bank: CreditBank,
    private readonly teachers: TeacherRepository,
    private readonly teacherService: TeacherService,
    private readonly org: OrgRepository,
    private readonly audit: AuditService,
  ) {}

  // ---- rules ----

  /**
   * The province's information administrator adds a new version of its conversion rules; the ministry's
   * (level 1) those of the central universities, which report to it directly.
   */
  addRule(actor: Actor, effectiveFrom: string, rules: CreditRules): Promise<RuleRow> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    const province = rulesAreaOf(actor.unitPath);
    if (actor.unitLevel > 2 || !province)
      throw commonError(
        CommonErrorCode.Forbidden,
        "Conversion rules are the province department's (or the ministry's)",
      );
    const problems = checkRules(rules);
    if (problems.length)
      throw trainingError(
        TrainingErrorCode.RuleInvalid,
        undefined,
        undefined,
        problems.map((p) => ({
          path: `rules.${p.path}`,
          code: 'creditRule',
          message: p.message,
          messageZh: `rules.${p.path}：不合法`,
        })),
      );
    return this.txHost.withTransaction(async () => {
      const row = await this.repo.addRule(province, effectiveFrom, rules, actor.accountId);
      await this.audit.record(actor, {
        action: 'training.rules.add',
        targetType: 'credit_rule',
        targetId: row.id,
        unitPath: actor.unitPath,
        details: { version: row.version, effectiveFrom },
      });
      return row;
    });
  }

  async rules(actor: Actor): Promise<RuleRow[]> {
    const province = rulesAreaOf(actor.unitPath);
    return province ? this.repo.rules(province) : [];
  }

  // ---- reading ----

  async mine(actor: Actor, q: { from?: string; to?: string }): Promise<BankResponse> {
    const t = await this.teacherService.mine(actor);
    return this.view(t, q, false);
  }

  async ofTeacher(actor: Actor, id: string, q: { from?: string; to?: string }): Promise<BankResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    const t = await this.teachers.findById(id);
    if (!t) throw trainingError(TrainingErrorCode.TeacherNotFound);
    AccessPolicy.requireInScope(actor, t.unitPath);
    return this.view(t, q, actor.role === Role.Query);
  }

  /** Totals per teacher in a subtree over the current cycle (or a window), keyset-paged, masked for query users. */
  async subtree(
    actor: Actor,
    q: { unitId?: string; from?: string; to?: string; limit?: number; cursor?: string },
  ): Promise<
    Page<{
      teacherId: string;
      name: string;
      idNumber: string | null;
      unitCode: string;
      credits: number;
      hours: number;
      registrationCredits: number;
    }> & { window: { from: string; to: string } }
  > {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    let path = actor.unitPath;
    if (q.unitId) {
      const p = await this.org.pathOf(q.unitId);
      if (p === null) throw commonError(CommonErrorCode.NotFound);
      AccessPolicy.requireInScope(actor, p);
      path = p;
    }
    const window = await this.window(rulesAreaOf(path), q);
    const limit = q.limit ?? 100;
    const after = decodeCursor(q.cursor, 3) as [string, string, string] | null;
    const rows = await this.repo.subtreeTotals(path, window.from, window.to, limit + 1, after);
    const items = rows.slice(0, limit);
    const mask = actor.role === Role.Query;
    const last = items[items.length - 1];
    return {
      window: { from: window.from, to: window.to },
      items: items.map((r) => ({
        teacherId: r.teacherId,
        name: r.name,
        idNumber: mask ? maskIdNumber(r.idNumber) : r.idNumber,
        unitCode: r.unitPath.split('/').filter(Boolean).pop()!,
        credits: r.credits,
        hours: r.hours,
        registrationCredits: r.registrationCredits,
      })),
      nextCursor: rows.length > limit ? encodeCursor([last.unitPath, last.name, last.teacherId]) : null,
    };
  }

  private async window(
    province: string | null,
    q: { from?: string; to?: string },
  ): Promise<{ from: string; to: string; rule: RuleRow | null }> {
    const rule = province ? await this.repo.ruleInForce(province, today()) : null;
    const cycle = cycleOf(today(), rule?.rules.cycleStartYear ?? DEFAULT_CYCLE_START);
    return { from: q.from ?? cycle.from, to: q.to ?? cycle.to, rule };
  }

  private async view(t: TeacherRow, q: { from?: string; to?: string }, mask: boolean): Promise<BankResponse> {
    const province = rulesAreaOf(t.unitPath);
    const w = await this.window(province, q);
    const rows = await this.repo.credits(t.id, w.from, w.to);
    const byKind: Record<string, { credits: number; hours: number }> = {};
    let credits = 0;
    let hours = 0;
    let registration = 0;
    let unapplied = 0;
    for (const r of rows) {
      const k = (byKind[r.kind] ??= { credits: 0, hours: 0 });
      k.credits = round2(k.credits + r.credits);
      k.hours = round2(k.hours + r.hours);
      credits += r.credits;
      hours += r.hours;
      if (r.countsForRegistration) registration += r.credits;
      if (!r.appliedPurpose) unapplied += r.credits;
    }
    const need = w.rule?.rules.registrationCredits;
    return {
      teacher: { id: t.id, name: t.name, idNumber: mask ? maskIdNumber(t.idNumber) : t.idNumber, unitId: t.unitId },
      province,
      window: { from: w.from, to: w.to },
      rule: w.rule
        ? {
            version: `${w.rule.provinceCode}-v${w.rule.version}`,
            effectiveFrom: w.rule.effectiveFrom,
            registrationCredits: w.rule.rules.registrationCredits,
          }
        : null,
      totals: {
        credits: round2(credits),
        hours: round2(hours),
        registrationCredits: round2(registration),
        unappliedCredits: round2(unapplied),
        byKind,
      },
      belowThreshold: need === undefined ? null : registration < need,
      entries: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        hours: r.hours,
        credits: r.credits,
        confirmedOn: r.confirmedOn,
        source: r.source,
        sourceName: r.sourceName,
        province: r.provinceCode,
        ruleVersion: r.ruleVersion,
        countsForRegistration: r.countsForRegistration,
        applied: r.appliedPurpose
          ? { purpose: r.appliedPurpose, reference: r.appliedReference!, at: r.appliedAt! }
          : null,
      })),
    };
  }

  // ---- applying ----

  /** A department (e.g. for a title evaluation) applies a teacher's credits to a purpose; never twice. */
  apply(
    actor: Actor,
    teacherId: string,
    creditIds: string[],
    purpose: CreditPurpose,
    referenceId: string,
  ): Promise<BankResponse> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin]);
    return this.txHost.withTransaction(async () => {
      const t = await this.teachers.findById(teacherId);
      if (!t || !inScope(actor, t.unitPath)) throw trainingError(TrainingErrorCode.TeacherNotFound);
      await this.bank.apply(t.id, creditIds, purpose, referenceId);
      await this.audit.record(actor, {
        action: 'training.credits.apply',
        targetType: 'teacher',
        targetId: t.id,
        unitPath: t.unitPath,
        details: { purpose, referenceId, credits: creditIds.length },
      });
      return this.view(t, {}, false);
    });
  }
}

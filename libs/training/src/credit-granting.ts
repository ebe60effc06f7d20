import { Injectable } from '@nestjs/common';
import { buildPayload, SyncOutbox, TeacherCreditsPayload } from '@tmis/contracts';
import { convertHours } from './credit-rules.js';
import { rulesAreaOf } from './rules-area.js';
import { CreditRepository, type NewCredit, type RuleRow } from './credit.repository.js';
import { trainingEntry } from './record-training.js';
import { TrainingRepository } from './training.repository.js';
import { trainingError, TrainingErrorCode } from './training.errors.js';

export interface CreditSource {
  teacherId: string;
  /** The teacher's unit path now: its province (a central university: the ministry) picks the conversion rules. */
  unitPath: string;
  kind: string;
  hours: number;
  source: 'project' | 'self_study';
  sourceId: string;
  sourceName: string;
}

/** Today as YYYY-MM-DD (UTC). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Turns confirmed hours into bank credits under the rules of the teacher's province in force on the
 * confirmation date, caps applied against what the teacher already holds that year. The credit keeps the
 * rule version it was converted with: a later rule never rewrites it. Runs in the caller's transaction.
 */
@Injectable()
export class CreditGranting {
  constructor(
    private readonly credits: CreditRepository,
    private readonly outbox: SyncOutbox,
    private readonly training: TrainingRepository,
  ) {}

  async grant(
    items: CreditSource[],
    byUnitId: string,
    on: string = today(),
  ): Promise<{ credited: number; credits: number }> {
    if (!items.length) return { credited: 0, credits: 0 };
    const rules = new Map<string, RuleRow>();
    for (const p of new Set(items.map((i) => rulesAreaOf(i.unitPath) ?? ''))) {
      const r = p ? await this.credits.ruleInForce(p, on) : null;
      if (!r) throw trainingError(TrainingErrorCode.RulesMissing, `No rules for province ${p || '(none)'} on ${on}`);
      rules.set(p, r);
    }
    const teacherIds = [...new Set(items.map((i) => i.teacherId))];
    await this.credits.lockTeachers(teacherIds);
    const year = Number(on.slice(0, 4));
    const held = new Map<string, number>();
    for (const t of await this.credits.yearTotals(teacherIds, [year])) {
      held.set(`${t.teacherId}|${t.kind}`, t.credits);
      held.set(`${t.teacherId}|*`, (held.get(`${t.teacherId}|*`) ?? 0) + t.credits);
    }
    const rows: NewCredit[] = [];
    let total = 0;
    for (const i of items) {
      const province = rulesAreaOf(i.unitPath)!;
      const rule = rules.get(province)!;
      const kindKey = `${i.teacherId}|${i.kind}`;
      const allKey = `${i.teacherId}|*`;
      const credits = convertHours(rule.rules, i.kind, i.hours, {
        kindInYear: held.get(kindKey) ?? 0,
        allInYear: held.get(allKey) ?? 0,
      });
      held.set(kindKey, (held.get(kindKey) ?? 0) + credits);
      held.set(allKey, (held.get(allKey) ?? 0) + credits);
      total += credits;
      rows.push({
        teacherId: i.teacherId,
        provinceCode: province,
        kind: i.kind,
        hours: i.hours,
        credits,
        confirmedOn: on,
        source: i.source,
        sourceId: i.sourceId,
        sourceName: i.sourceName,
        ruleId: rule.id,
        ruleVersion: `${province}-v${rule.version}`,
        confirmedByUnitId: byUnitId,
        countsForRegistration: rule.rules.registrationKinds.includes(i.kind as never),
      });
    }
    const credited = await this.credits.insertCredits(rows);
    await this.announce(items);
    return { credited, credits: Math.round(total * 100) / 100 };
  }

  /**
   * Tells the national node (sync schema v3, through the outbox in this transaction) every credit the
   * teachers now hold: one message per teacher, keyed like their record. A project's credit carries the
   * sub-set 13 entry of its result, so the national record view shows the confirmed training the
   * province's does.
   */
  private async announce(items: CreditSource[]): Promise<void> {
    await this.announceTeachers(new Map(items.map((i) => [i.teacherId, i.unitPath.split('/').filter(Boolean).pop()!])));
  }

  /** `announce` for these teachers (id → the code of their unit now); also a resync's credits phase. */
  async announceTeachers(unitOf: Map<string, string>): Promise<void> {
    const byTeacher = new Map<string, Awaited<ReturnType<CreditRepository['creditsOfTeachers']>>>();
    for (const c of await this.credits.creditsOfTeachers([...unitOf.keys()]))
      (byTeacher.get(c.teacherId) ?? byTeacher.set(c.teacherId, []).get(c.teacherId)!).push(c);
    const projectCredits = [...byTeacher.values()].flat().filter((c) => c.source === 'project');
    const results = new Map(
      (await this.training.resultsById(projectCredits.map((c) => c.sourceId))).map((r) => [r.id, r]),
    );
    for (const [teacherId, unitCode] of unitOf) {
      const credits = (byTeacher.get(teacherId) ?? []).map((c) => ({
        id: c.id,
        kind: c.kind,
        hours: c.hours,
        credits: c.credits,
        confirmedOn: c.confirmedOn,
        source: c.source,
        sourceName: c.sourceName,
        province: c.provinceCode,
        ruleVersion: c.ruleVersion,
        countsForRegistration: c.countsForRegistration,
        training: c.source === 'project' && results.has(c.sourceId) ? trainingEntry(results.get(c.sourceId)!) : null,
      }));
      await this.outbox.creditsConfirmed(buildPayload(TeacherCreditsPayload, { teacherId, unitCode, credits }));
    }
  }
}

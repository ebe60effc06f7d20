import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { csvField, maskIdNumber } from '@tmis/common';
import { today } from './credit-granting.js';
import { cycleOf } from './credit-rules.js';
import { CreditRepository } from './credit.repository.js';
import { TrainingStatsRepository, type TrainingStatDimension } from './training-stats.repository.js';
import { rulesAreaOf } from './rules-area.js';

const DEFAULT_CYCLE_START = 2021;
const DEFAULT_REGISTRATION_CREDITS = 36;

export interface NamedTable {
  table: string;
  titleZh: string;
  title: string;
  window: { from: string; to: string };
  asOf: string;
  columns: string[];
  rows: Record<string, string | number | boolean | null>[];
  [extra: string]: unknown;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Training statistics as named tables (Art. 20, 25): coverage and credits per teacher, and who falls short. */
@Injectable()
export class TrainingStatsService {
  constructor(
    private readonly repo: TrainingStatsRepository,
    private readonly credits: CreditRepository,
  ) {}

  private async cycle(actor: Actor): Promise<{ from: string; to: string; need: number }> {
    const p = rulesAreaOf(actor.unitPath);
    const rule = p ? await this.credits.ruleInForce(p, today()) : null;
    const c = cycleOf(today(), rule?.rules.cycleStartYear ?? DEFAULT_CYCLE_START);
    return { ...c, need: rule?.rules.registrationCredits ?? DEFAULT_REGISTRATION_CREDITS };
  }

  /** Coverage and hours/credits per teacher in the current cycle, by one dimension, in the caller's subtree. */
  async coverage(actor: Actor, by: TrainingStatDimension): Promise<NamedTable> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    const w = await this.cycle(actor);
    const depth = actor.unitPath.split('/').filter(Boolean).length;
    const rows = await this.repo.coverage(actor.unitPath, depth, by, w.from, w.to);
    return {
      table: `training-coverage-by-${by}`,
      titleZh: '教师培训覆盖率及人均学时学分（本周期）',
      title: 'Training coverage and hours/credits per teacher (current cycle)',
      window: { from: w.from, to: w.to },
      asOf: new Date().toISOString(),
      columns: [
        'key',
        'label',
        'teachers',
        'trained',
        'coverage',
        'hoursPerTeacher',
        'creditsPerTeacher',
        'registrationCredits',
      ],
      rows: rows.map((r) => ({
        key: r.key,
        label: r.label,
        teachers: r.teachers,
        trained: r.trained,
        coverage: r.teachers ? round(r.trained / r.teachers, 3) : 0,
        hoursPerTeacher: r.teachers ? round(r.hours / r.teachers) : 0,
        creditsPerTeacher: r.teachers ? round(r.credits / r.teachers) : 0,
        registrationCredits: r.registrationCredits,
      })),
    };
  }

  /**
   * Teachers below the registration threshold of the current cycle, listed when the cycle ends within
   * `withinMonths` (default 12); ID numbers masked for query users.
   */
  async belowThreshold(actor: Actor, withinMonths = 12): Promise<NamedTable> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query]);
    const w = await this.cycle(actor);
    const end = new Date(`${w.to}T00:00:00Z`);
    const limit = new Date();
    limit.setUTCMonth(limit.getUTCMonth() + withinMonths);
    const approaching = end <= limit;
    const rows = approaching ? await this.repo.belowThreshold(actor.unitPath, w.from, w.to, w.need, 5000) : [];
    const mask = actor.role === Role.Query;
    return {
      table: 'training-below-threshold',
      titleZh: '周期将满、学分未达注册要求的教师',
      title: 'Teachers below the registration threshold with the cycle end approaching',
      window: { from: w.from, to: w.to },
      asOf: new Date().toISOString(),
      cycleEnd: w.to,
      approaching,
      need: w.need,
      columns: ['teacherId', 'name', 'idNumber', 'unitCode', 'registrationCredits', 'missing'],
      rows: rows.map((r) => ({
        teacherId: r.teacherId,
        name: r.name,
        idNumber: mask ? maskIdNumber(r.idNumber) : r.idNumber,
        unitCode: r.unitCode,
        registrationCredits: r.registrationCredits,
        missing: round(w.need - r.registrationCredits),
      })),
    };
  }

  /** A named table as CSV (UTF-8 with BOM, for spreadsheet programs). */
  toCsv(t: NamedTable): string {
    const lines = [t.columns.join(','), ...t.rows.map((r) => t.columns.map((c) => csvField(r[c] ?? null)).join(','))];
    return '\ufeff' + lines.join('\r\n') + '\r\n';
  }
}

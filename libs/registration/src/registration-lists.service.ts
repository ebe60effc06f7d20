import { PassThrough } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { decodeCursor, encodeCursor } from '@tmis/common';
import { writeWorkbook } from '@tmis/bulk';
import { CATALOGUE_VERSION, labelOf } from '@tmis/core-indicators';
import type { TodoItem } from '@tmis/teachers';
import { RegistrationCredits } from './credits.port.js';
import { countedCredits, STATUS_LABELS, type RegistrationStatusCode } from './eligibility.js';
import { RegistrationRepository, type ListedTeacher, type OutcomeCount } from './registration.repository.js';
import { RegistrationService, today } from './registration.service.js';
import { authorityLevelFor } from './registration.workflow.js';

/** Where registration outcomes are counted: this node's decisions, or (national) the records the provinces reported. */
export const REGISTRATION_STATS_SOURCE = Symbol('REGISTRATION_STATS_SOURCE');
export type RegistrationStatsSource = 'decisions' | 'national-records';

const LIST_LIMIT = 5000;
const READERS = [Role.InfoAdmin, Role.Query];

type Cell = string | number | boolean | null;
export interface Table {
  name: string;
  asOf: string;
  columns: { key: string; zh: string; en: string }[];
  rows: Record<string, Cell>[];
}

/** A table as an xlsx, written by the bulk library's workbook writer (one sheet, both header rows). */
export async function tableToXlsx(t: Table): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const layout = {
    subSet: t.name,
    name: t.name.slice(0, 31),
    en: t.name,
    cardinality: 'many' as const,
    columns: t.columns.map((c) => ({ ...c, role: 'field' as const, type: 'string' as const })),
  };
  await writeWorkbook(out, {
    layouts: [layout],
    meta: {
      format: 'tmis-registration',
      layoutVersion: '1',
      kind: 'export',
      indicatorSet: '-',
      catalogueVersion: CATALOGUE_VERSION,
      customFields: '',
      province: '',
      masked: 'false',
      generatedAt: t.asOf,
    },
    rows: async function* () {
      for (const r of t.rows) yield t.columns.map((c) => r[c.key] ?? null);
    },
  });
  await done;
  return Buffer.concat(chunks);
}

const LIST_COLUMNS = [
  { key: 'unitCode', zh: '学校标识码', en: 'School code' },
  { key: 'unitName', zh: '学校', en: 'School' },
  { key: 'name', zh: '姓名', en: 'Name' },
  { key: 'statusZh', zh: '注册状态', en: 'Status' },
  { key: 'cycleEnd', zh: '周期结束日期', en: 'Cycle end' },
  { key: 'detail', zh: '说明', en: 'Detail' },
];

/**
 * What the authorities need (issue 15): registrations due this year by school, teachers below the
 * training threshold, deferred and not-passed teachers — scoped to the caller's subtree, exportable —
 * the registration outcomes as a named statistics table, and the registration kinds of the to-do list.
 */
@Injectable()
export class RegistrationListsService {
  constructor(
    private readonly repo: RegistrationRepository,
    private readonly registration: RegistrationService,
    private readonly credits: RegistrationCredits,
    @Inject(REGISTRATION_STATS_SOURCE) private readonly statsSource: RegistrationStatsSource,
  ) {}

  /** A page (keyset: school path, name, id) of the teachers due in the year; exports take up to 5,000. */
  async due(
    actor: Actor,
    year?: number,
    cursor?: string,
    limit = LIST_LIMIT,
  ): Promise<Table & { year: number; bySchool: Record<string, unknown>[]; nextCursor: string | null }> {
    AccessPolicy.requireRole(actor, READERS);
    const rules = await this.registration.rulesNow();
    const y = year ?? Number(today().slice(0, 4));
    const after = decodeCursor(cursor, ['text', 'text', 'uuid']) as [string, string, string] | null;
    const rows = await this.repo.dueInYear(actor.unitPath, y, rules.cycleYears, limit + 1, after ?? undefined);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      ...this.table('registration-due', page),
      year: y,
      bySchool: bySchool(page),
      nextCursor: rows.length > limit ? encodeCursor([last.unitPath, last.name, last.teacherId]) : null,
    };
  }

  /** Teachers due this year whose counted training of the cycle is below the province's threshold. */
  async belowThreshold(
    actor: Actor,
    year?: number,
  ): Promise<Table & { year: number; bySchool: Record<string, unknown>[] }> {
    AccessPolicy.requireRole(actor, READERS);
    const rules = await this.registration.rulesNow();
    const y = year ?? Number(today().slice(0, 4));
    const due = await this.repo.dueInYear(actor.unitPath, y, rules.cycleYears, LIST_LIMIT);
    const below: ListedTeacher[] = [];
    for (const t of due) {
      if (!t.cycleStart || !t.cycleEnd) continue;
      const [start, end] = [t.cycleStart, t.cycleEnd];
      const bank = await this.credits.creditsInWindow(t.teacherId, start, end, rules.countedKinds ?? undefined);
      const counted = countedCredits(bank.entries, { start, end }, rules);
      const have = rules.requiredCredits !== null ? sum(counted, 'credits') : sum(counted, 'hours');
      const need = rules.requiredCredits ?? rules.requiredHours;
      if (have < need)
        below.push({ ...t, reason: `${have}/${need}${rules.requiredCredits !== null ? '学分' : '学时'}` });
    }
    return { ...this.table('registration-below-threshold', below), year: y, bySchool: bySchool(below) };
  }

  async negative(actor: Actor): Promise<Table & { bySchool: Record<string, unknown>[] }> {
    AccessPolicy.requireRole(actor, READERS);
    const rows = await this.repo.decidedNegative(actor.unitPath, LIST_LIMIT);
    return { ...this.table('registration-deferred', rows), bySchool: bySchool(rows) };
  }

  /** Registration outcomes by region (the units below the caller's), school type and year; national: per province. */
  async outcomes(actor: Actor): Promise<Table> {
    AccessPolicy.requireRole(actor, [Role.InfoAdmin, Role.Query, Role.SysAdmin]);
    const depth = actor.unitPath.split('/').filter(Boolean).length;
    const counts: OutcomeCount[] =
      this.statsSource === 'national-records' && actor.unitLevel === 1
        ? await this.repo.nationalOutcomes(null)
        : await this.repo.outcomes(actor.unitPath, depth + 1);
    const key = (c: OutcomeCount) => `${c.region}|${c.schoolType ?? ''}|${c.year}`;
    const rows = new Map<string, Record<string, Cell>>();
    for (const c of counts) {
      const row = rows.get(key(c)) ?? {
        region: c.region,
        schoolType: c.schoolType,
        schoolTypeZh: c.schoolType ? (labelOf('school-type', c.schoolType)?.zh ?? null) : null,
        year: c.year,
        registered: 0,
        deferred: 0,
        not_passed: 0,
        total: 0,
      };
      row[c.result] = Number(row[c.result] ?? 0) + c.count;
      row.total = Number(row.total) + c.count;
      rows.set(key(c), row);
    }
    return {
      name: 'registration',
      asOf: new Date().toISOString(),
      columns: [
        {
          key: 'region',
          zh: this.statsSource === 'national-records' && actor.unitLevel === 1 ? '省份' : '地区',
          en: 'Region',
        },
        { key: 'schoolType', zh: '学校类型', en: 'School type' },
        { key: 'schoolTypeZh', zh: '学校类型名称', en: 'School type (label)' },
        { key: 'year', zh: '年度', en: 'Year' },
        { key: 'registered', zh: '注册合格', en: 'Registered' },
        { key: 'deferred', zh: '暂缓注册', en: 'Deferred' },
        { key: 'not_passed', zh: '注册不合格', en: 'Not passed' },
        { key: 'total', zh: '合计', en: 'Total' },
      ],
      rows: [...rows.values()],
    };
  }

  /** GET /todo: what registration asks of this account. */
  async items(actor: Actor): Promise<TodoItem[]> {
    const p = actor.unitPath;
    const items: TodoItem[] = [];
    if (actor.role === Role.InfoAdmin && actor.unitLevel >= 5) {
      items.push({
        kind: 'registration-to-confirm',
        count: await this.repo.countApplications(p, 'applied'),
        zh: '待学校确认的教师资格定期注册申请',
        en: 'Registration applications to confirm',
      });
      const rules = await this.registration.rulesNow();
      items.push({
        kind: 'registration-due',
        count: (await this.repo.dueInYear(p, Number(today().slice(0, 4)), rules.cycleYears, LIST_LIMIT)).length,
        zh: '本年度到期须定期注册的教师',
        en: 'Teachers whose registration falls due this year',
      });
    } else if (actor.role === Role.InfoAdmin) {
      const rules = await this.registration.rulesNow();
      if (actor.unitLevel === authorityLevelFor(actor.unitPath, rules.authorityLevel))
        items.push({
          kind: 'registration-to-decide',
          count: await this.repo.countApplications(p, 'school_confirmed'),
          zh: '待审核决定的教师资格定期注册申请',
          en: 'Registration applications to decide',
        });
      items.push({
        kind: 'ethics-violations-to-confirm',
        count: await this.repo.countViolations(p, 'reported'),
        zh: '待确认的严重违反师德报告',
        en: 'Serious ethics violation reports to confirm',
      });
    }
    return items;
  }

  private table(name: string, rows: ListedTeacher[]): Table {
    return {
      name,
      asOf: new Date().toISOString(),
      columns: LIST_COLUMNS,
      rows: rows.map((r) => ({
        teacherId: r.teacherId,
        unitId: r.unitId,
        unitCode: r.unitCode,
        unitName: r.unitName,
        name: r.name,
        status: r.status,
        statusZh: STATUS_LABELS[r.status as RegistrationStatusCode]?.zh ?? r.status,
        cycleEnd: r.cycleEnd,
        detail: r.reason,
      })),
    };
  }
}

function bySchool(rows: ListedTeacher[]): Record<string, unknown>[] {
  const m = new Map<string, { unitId: string; unitCode: string; unitName: string; count: number }>();
  for (const r of rows) {
    const s = m.get(r.unitId) ?? { unitId: r.unitId, unitCode: r.unitCode, unitName: r.unitName, count: 0 };
    s.count += 1;
    m.set(r.unitId, s);
  }
  return [...m.values()];
}

function sum(entries: { credits: number; hours: number }[], k: 'credits' | 'hours'): number {
  return Math.round(entries.reduce((a, e) => a + Number(e[k]), 0) * 100) / 100;
}

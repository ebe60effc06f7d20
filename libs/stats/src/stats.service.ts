import type { Writable } from 'node:stream';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { commonError, CommonErrorCode } from '@tmis/common';
import { labelOf, type CodeEntry } from '@tmis/core-indicators';
import { OrgService, UnitKind, type OrgUnitEntity } from '@tmis/org';
import { HealthRegistry } from '@tmis/server';
import {
  DIMENSION_BY_KEY,
  DIMENSIONS,
  labelValue,
  RETIRE_HORIZON_YEARS,
  type DimensionSensitivity,
  type Labelled,
} from './dimensions.js';
import { REPORT_SHEETS, writeReport } from './standard-report.js';
import type { StatsQueryDto } from './dto/stats-query.dto.js';
import { statsError, StatsErrorCode } from './stats.errors.js';
import { STATS_OPTIONS, type StatsOptions } from './stats.options.js';
import { StatsFactSource } from './fact-source.js';
import type { EngineFilter, Level } from './engine.js';
import { FactStore, type StoreInfo } from './fact-store.js';
import { StatsRepository, type RefreshRow } from './stats.repository.js';
import type { Bilingual, StatsTable } from './stats.table.js';
import { SMALL_CELL_MAX, suppress, SUPPRESSION_RULE } from './suppression.js';

/** Rows one table may have (every county × a subject is ~60,000; every county × four dimensions can be millions). */
export const MAX_ROWS = 200_000;

const LEVEL_RANK: Record<Level, number> = { province: 2, city: 3, county: 4, school: 5 };

export const COUNTING_RULE: Bilingual = {
  en: 'Totals count people. In a breakdown by a multi-valued dimension (subject taught in the latest school year, qualification type) a person counts once under each of their values, so the rows can add up to more than the total; a person with no value counts once as "not recorded".',
  zh: '合计按人数计。按多值维度（最近学年任教学科、教师资格种类）细分时，一人在其每个取值下各计一次，各行之和可能大于合计；没有取值的人员计入“未填报”一次。',
};

/** A dimension as resolved for one request: a core one, or a custom indicator of the province. */
interface ResolvedDim {
  key: string;
  zh: string;
  en: string;
  custom: boolean;
  multi: boolean;
  sensitivity: DimensionSensitivity;
  label(code: string | null): Labelled;
}

export interface TableRequest {
  title: Bilingual;
  by: string[];
  query: StatsQueryDto;
  /** Extra filters fixed by a named indicator (e.g. the retirement horizon). */
  fixedFilters?: EngineFilter[];
  /** Level used when none is asked for (region indicators break down one level below the scope). */
  defaultLevel?: 'child';
  notes?: Bilingual[];
}

@Injectable()
export class StatsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Stats');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<RefreshRow> | null = null;

  constructor(
    private readonly repo: StatsRepository,
    private readonly store: FactStore,
    private readonly org: OrgService,
    private readonly health: HealthRegistry,
    @Inject(STATS_OPTIONS) private readonly options: StatsOptions,
    private readonly facts: StatsFactSource,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('stats', async () => {
      const last = await this.repo.lastRefresh('ok');
      const age = last?.asOf ? Math.round((Date.now() - new Date(last.asOf).getTime()) / 1000) : null;
      const mem = this.store.info();
      return {
        details: {
          asOf: last?.asOf ?? null,
          refreshSeconds: this.options.refreshSeconds,
          loadedRefresh: mem.refreshId,
        },
        metrics: {
          age_seconds: age ?? -1,
          last_refresh_ms: last?.durationMs ?? 0,
          fact_rows: last?.factRows ?? 0,
          memory_rows: mem.rows,
          memory_bytes: mem.bytes,
          // 1 once the rows held have their pre-aggregated cubes (built in the background after a load).
          cubes_ready: mem.cubes ? 1 : 0,
        },
      };
    });
    // At boot, in the background: bring the facts up to date (a full build the first time, or after a crash
    // emptied the unlogged table; otherwise only what was written meanwhile), then load them into memory.
    void this.runRefresh('boot', null)
      .then(() => this.store.current())
      .catch((e) => this.log.warn(`boot refresh failed: ${e instanceof Error ? e.message : String(e)}`));
    if (this.options.refreshSeconds > 0) {
      // A tick while a refresh is still running is skipped (a slow national refresh never queues up behind itself).
      this.timer = setInterval(() => {
        if (this.running) return;
        void this.runRefresh('interval', null).catch((e) =>
          this.log.warn(`scheduled refresh failed: ${e instanceof Error ? e.message : String(e)}`),
        );
      }, this.options.refreshSeconds * 1000);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One refresh at a time per process (and across processes through the repository's advisory lock). */
  private runRefresh(
    trigger: 'boot' | 'interval' | 'manual',
    requestedBy: string | null,
    full = false,
  ): Promise<RefreshRow> {
    const previous = this.running ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => this.repo.refresh(this.facts, trigger, requestedBy, full));
    this.running = next;
    void next
      .finally(() => {
        if (this.running === next) this.running = null;
      })
      .catch(() => undefined);
    return next;
  }

  /** On demand: the system or information administrator of the node's top unit (the ministry, or the province). */
  async refresh(actor: Actor, full = false): Promise<RefreshRow> {
    AccessPolicy.requireRole(actor, [Role.SysAdmin, Role.InfoAdmin]);
    if (actor.unitPath.split('/').filter(Boolean).length !== 1) throw statsError(StatsErrorCode.RefreshNotAllowed);
    const done = await this.runRefresh('manual', actor.accountId, full);
    // This process answers from this refresh (or a later one) as soon as the call returns.
    await this.store.current(done.id);
    return done;
  }

  async freshness(actor: Actor): Promise<{
    asOf: Date | null;
    ageSeconds: number | null;
    lastRefresh: RefreshRow | null;
    lastAttempt: RefreshRow | null;
    refreshSeconds: number;
    source: string;
    memory: StoreInfo;
  }> {
    this.requireReader(actor);
    const [ok, last] = await Promise.all([this.repo.lastRefresh('ok'), this.repo.lastRefresh()]);
    return {
      asOf: ok?.asOf ?? null,
      ageSeconds: ok?.asOf ? Math.round((Date.now() - new Date(ok.asOf).getTime()) / 1000) : null,
      lastRefresh: ok,
      lastAttempt: last,
      refreshSeconds: this.options.refreshSeconds,
      source: this.facts.label,
      memory: this.store.info(),
    };
  }

  /** The dimensions a reader may use here, with their values' labels. */
  async dimensions(actor: Actor): Promise<
    {
      key: string;
      zh: string;
      en: string;
      multi: boolean;
      sensitivity: DimensionSensitivity;
      custom: boolean;
      values?: CodeEntry[];
    }[]
  > {
    this.requireReader(actor);
    const core = DIMENSIONS.filter((d) => d.sensitivity !== 'pay' || actor.role === Role.InfoAdmin).map((d) => ({
      key: d.key,
      zh: d.zh,
      en: d.en,
      multi: !!d.multi,
      sensitivity: d.sensitivity,
      custom: false,
    }));
    const custom = (await this.customDims(actor))
      .filter((d) => d.sensitivity !== 'pay' || actor.role === Role.InfoAdmin)
      .map((d) => ({ key: d.key, zh: d.zh, en: d.en, multi: false, sensitivity: d.sensitivity, custom: true }));
    return [...core, ...custom];
  }

  /**
   * The teacher tables of the yearly education statistics (Art. 8) for a unit, as one xlsx: each sheet is a
   * breakdown (school type × a dimension) of the same figures, with their asOf (issue 17).
   */
  async standardReport(
    actor: Actor,
    unit: string | undefined,
    out: Writable & { setHeader(k: string, v: string): void },
  ) {
    const sheets = [];
    for (const sheet of REPORT_SHEETS)
      sheets.push({
        sheet,
        table: await this.table(actor, {
          title: sheet.title,
          by: ['schoolType', sheet.column],
          query: { unit, filter: sheet.filter, includeInactive: sheet.includeInactive ? 'true' : undefined },
        }),
      });
    const asOf = sheets[0].table.asOf;
    const scope = sheets[0].table.scope;
    out.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    out.setHeader(
      'content-disposition',
      `attachment; filename="teacher-report-${scope.code}-${asOf.slice(0, 10)}.xlsx"`,
    );
    out.setHeader('x-stats-as-of', asOf);
    await writeReport(
      out,
      {
        title: { zh: '教育事业统计 教师表', en: 'Yearly education statistics: teachers' },
        scope: `${scope.code} ${scope.zh}`,
        asOf,
      },
      sheets,
    );
  }

  /** A table: scope and permission checks, the source that can answer, labels and the small-cell rule. */
  async table(actor: Actor, req: TableRequest): Promise<StatsTable> {
    this.requireReader(actor);
    const q = req.query;
    const customs = await this.customDims(actor);
    const resolve = (key: string): ResolvedDim => {
      const core = DIMENSION_BY_KEY.get(key);
      if (core)
        return {
          key,
          zh: core.zh,
          en: core.en,
          custom: false,
          multi: !!core.multi,
          sensitivity: core.sensitivity,
          label: (c) => labelValue(core, c),
        };
      const custom = customs.find((c) => c.key === key);
      if (!custom) throw statsError(StatsErrorCode.UnknownDimension, `Unknown dimension: ${key}`);
      return custom;
    };
    if (new Set(req.by).size !== req.by.length || req.by.length > 4) throw statsError(StatsErrorCode.TooManyDimensions);
    const by = req.by.map(resolve);
    const filters = [...parseFilter(q.filter), ...(req.fixedFilters ?? [])];
    if (new Set(filters.map((f) => f.dim)).size !== filters.length)
      throw statsError(StatsErrorCode.BadFilter, 'Each dimension may be filtered once');
    const filterDims = filters.map((f) => resolve(f.dim));
    const all = [...by, ...filterDims];
    if (all.some((d) => d.sensitivity === 'pay') && actor.role !== Role.InfoAdmin)
      throw statsError(StatsErrorCode.PayNotAllowed);

    // Scope: the actor's unit, or a unit below it.
    const unit = q.unit ? await this.org.findById(q.unit) : await this.org.findById(actor.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unit does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    const level = q.level ?? (req.defaultLevel === 'child' ? childLevel(unit) : null);
    if (level && LEVEL_RANK[level] < unit.level)
      throw statsError(StatsErrorCode.LevelAboveScope, `level=${level} is above ${unit.kind} ${unit.code}`);
    const scopePath = unit.kind === UnitKind.Ministry ? null : unit.path;

    const personStatus = filters.find((f) => f.dim === 'personStatus');
    const includeInactive = q.includeInactive === 'true' || !!personStatus;
    const result = await this.store.query({
      by: req.by,
      level,
      scopePath,
      filters,
      includeInactive,
      maxRows: MAX_ROWS,
    });
    if (!result) throw statsError(StatsErrorCode.NotRefreshed);
    if (result.tooManyRows)
      throw statsError(StatsErrorCode.TableTooLarge, `More than ${MAX_ROWS} rows; at most ${MAX_ROWS} per table`);

    // The small-cell rule (docs/statistics.md) for readers who do not read the records themselves.
    const personal = all.filter((d) => d.sensitivity === 'personal').length;
    const applies =
      actor.role !== Role.InfoAdmin &&
      (level === 'school' ||
        unit.kind === UnitKind.School ||
        unit.kind === UnitKind.Department ||
        all.some((d) => d.sensitivity === 'special') ||
        personal >= 2);
    const rows = [...result.rows].sort((a, b) => compareKey(a.unit, b.unit) || compareKeys(a.values, b.values));
    const hidden = applies
      ? suppress(rows.map((r) => ({ key: level ? [r.unit, ...r.values] : r.values, count: r.n })))
      : new Set<number>();
    // A large table repeats a few codes many times: each label is looked up once.
    const unitLabel = memo((code: string | null): Labelled => {
      if (!code) return { code, zh: '未归属', en: 'Not assigned' };
      const name = this.store.unitName(code) ?? code;
      return { code, zh: name, en: name };
    });
    const labels = by.map((d) => memo(d.label));

    return {
      title: req.title,
      asOf: result.asOf.toISOString(),
      source: 'facts',
      answeredFrom: result.via,
      scope: { id: unit.id, kind: unit.kind, code: unit.code, zh: unit.name, en: unit.name },
      level,
      by: by.map((d) => ({ key: d.key, zh: d.zh, en: d.en })),
      filters: filters.map((f, i) => ({
        dimension: { key: filterDims[i].key, zh: filterDims[i].zh, en: filterDims[i].en },
        values: f.values.map((v) => filterDims[i].label(v)),
      })),
      includeInactive,
      // Plain loops and one object shape per table: a large table's rows are built in a few milliseconds
      // (spreads and Object.fromEntries per row took ~15 µs a row).
      rows: rows.map((r, i) => {
        const values: Record<string, Labelled> = {};
        for (let j = 0; j < by.length; j++) values[by[j].key] = labels[j](r.values[j]);
        const count = hidden.has(i) ? null : r.n;
        return level
          ? { unit: unitLabel(r.unit), values, count, suppressed: count === null }
          : { values, count, suppressed: count === null };
      }),
      total: result.total,
      counting: COUNTING_RULE,
      suppression: {
        applied: applies,
        threshold: SMALL_CELL_MAX,
        suppressedCells: hidden.size,
        rule: SUPPRESSION_RULE,
      },
      notes: req.notes ?? [],
    };
  }

  /** Retirement horizon: this year and the next `years - 1` (the precomputed dimension names single years up to RETIRE_HORIZON_YEARS ahead). */
  retirementYears(years: number): string[] {
    const y = new Date().getFullYear();
    return Array.from({ length: Math.min(years, RETIRE_HORIZON_YEARS) }, (_, i) => String(y + i));
  }

  private requireReader(actor: Actor): void {
    AccessPolicy.requireRole(actor, [Role.Query, Role.InfoAdmin, Role.SysAdmin]);
  }

  /** Custom indicators as dimensions, as the node's fact source offers them. */
  private async customDims(actor: Actor): Promise<ResolvedDim[]> {
    const defs = await this.facts.customDimensions(actor.unitPath);
    return defs.map(({ key, definition, province }) => customDim(key, definition, province));
  }
}

/** A custom indicator definition as a dimension, labelled with its own codes or its national code table. */
function customDim(key: string, d: Record<string, unknown>, province: string | null): ResolvedDim {
  const codes = Array.isArray(d.codes) ? (d.codes as CodeEntry[]) : [];
  const table = typeof d.codeTable === 'string' ? d.codeTable : null;
  const sensitivity = (
    d.sensitivity === 'pay' ? 'pay' : d.sensitivity === 'personal' ? 'personal' : 'normal'
  ) as DimensionSensitivity;
  const label = (code: string | null): Labelled => {
    if (code === null) return { code, zh: '未填报', en: 'Not recorded' };
    const e = codes.find((c) => c.code === code) ?? (table ? labelOf(table, code) : undefined);
    if (e) return { code, zh: e.zh, en: e.en };
    if (d.type === 'boolean' && (code === 'true' || code === 'false'))
      return code === 'true' ? { code, zh: '是', en: 'Yes' } : { code, zh: '否', en: 'No' };
    return { code, zh: code, en: code };
  };
  const zh = String(d.zh ?? key);
  const en = String(d.en ?? key);
  return {
    key,
    zh: province ? `${zh}（${province}）` : zh,
    en: province ? `${en} (${province})` : en,
    custom: true,
    multi: false,
    sensitivity,
    label,
  };
}

/** `title:012|013,sex:2` → filters. */
export function parseFilter(raw: string | undefined): EngineFilter[] {
  if (!raw) return [];
  return raw.split(',').map((part) => {
    const i = part.indexOf(':');
    if (i < 1) throw statsError(StatsErrorCode.BadFilter);
    const values = [
      ...new Set(
        part
          .slice(i + 1)
          .split('|')
          .filter(Boolean),
      ),
    ];
    if (!values.length) throw statsError(StatsErrorCode.BadFilter);
    return { dim: part.slice(0, i), values };
  });
}

function childLevel(unit: OrgUnitEntity): Level {
  switch (unit.kind) {
    case UnitKind.Ministry:
      return 'province';
    case UnitKind.Province:
      return 'city';
    case UnitKind.City:
      return 'county';
    default:
      return 'school';
  }
}

/** Codes in ascending order, "not recorded" last. */
function compareKeys(a: (string | null)[], b: (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareKey(a[i], b[i]);
    if (c) return c;
  }
  return 0;
}

/** Codes in order, "not recorded" (null) last. */
function compareKey(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function memo(label: (code: string | null) => Labelled): (code: string | null) => Labelled {
  const seen = new Map<string | null, Labelled>();
  return (code) => {
    let l = seen.get(code);
    if (!l) seen.set(code, (l = label(code)));
    return l;
  };
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { FactEngine, type EngineQuery, type EngineRow, type UnitRow } from './engine.js';
import { STATS_OPTIONS, type StatsOptions } from './stats.options.js';
import { StatsFactSource } from './fact-source.js';
import { StatsRepository, type RefreshRow } from './stats.repository.js';

/** Answers kept when the options do not say (the same table asked again is not scanned again). */
const CACHE_ENTRIES = 256;

export interface StoreAnswer {
  rows: EngineRow[];
  total: number;
  tooManyRows?: boolean;
  /** From the pre-aggregated cubes, or a scan of every row (issue 17). */
  via: 'cubes' | 'scan';
  /** When the source was read for the refresh these figures come from. */
  asOf: Date;
  refreshId: string;
}

/** A catch-up of more rows than this drops the engine's province set of triples (built again after it). */
const WIDE_CATCH_UP_MAX = 100_000;

/** What this process holds (for /stats/freshness and /health). */
export interface StoreInfo {
  refreshId: string | null;
  asOf: Date | null;
  rows: number;
  bytes: number;
  lastLoad: { kind: 'full' | 'catch-up'; ms: number; rowsRead: number; at: Date } | null;
  /** The pre-aggregated cubes held (null: being built, or dropped by the last change; questions are scanned meanwhile). */
  cubes: FactEngine['cubeInfo'];
}

/**
 * The node process's copy of the fact table (ADR 0008): loaded whole when a generation begins (first use,
 * after a full rebuild or a compaction), then caught up refresh by refresh with only the rows born and the
 * positions that died since. A catch-up is read first and applied in one synchronous step, so a question
 * never sees half of a refresh; during a whole reload the previous copy keeps answering, with its own asOf.
 */
@Injectable()
export class FactStore {
  private readonly log = new Logger('StatsStore');
  private engine: FactEngine | null = null;
  private refresh: RefreshRow | null = null;
  private unitStamp = '';
  private syncing: { promise: Promise<void>; full: boolean } | null = null;
  private readonly cache = new Map<
    string,
    { rows: EngineRow[]; total: number; tooManyRows?: boolean; via: 'cubes' | 'scan' }
  >();
  private lastLoad: StoreInfo['lastLoad'] = null;
  /** Scans in progress (they yield between slices), and a catch-up waiting to change the columns. */
  private readers = 0;
  private readersDone: (() => void)[] = [];
  private applying: Promise<void> | null = null;

  constructor(
    private readonly repo: StatsRepository,
    @Inject(STATS_OPTIONS) private readonly options: StatsOptions,
    private readonly facts: StatsFactSource,
  ) {}

  info(): StoreInfo {
    return {
      refreshId: this.refresh?.id ?? null,
      asOf: this.refresh?.asOf ?? null,
      rows: this.engine?.rows ?? 0,
      bytes: this.engine?.bytesHeld ?? 0,
      lastLoad: this.lastLoad,
      cubes: this.engine?.cubeInfo ?? null,
    };
  }

  private cubing: Promise<boolean> | null = null;

  /**
   * Builds the engine's cubes in the background (in slices; the questions meanwhile are scanned): those of
   * one and two dimensions, then the province set of triples. Catch-ups applied meanwhile are followed.
   */
  private ensureCubes(): void {
    const engine = this.engine;
    if (!engine || engine.cubesComplete || this.cubing || this.options.cubes === false) return;
    this.cubing = engine
      .buildCubes()
      .catch((e: unknown) => {
        this.log.warn({ msg: 'statistics cubes not built', err: String(e) });
        return false;
      })
      .finally(() => {
        this.cubing = null;
      });
  }

  /** Resolves once the engine held has its cubes (for benchmarks and tests); false when there is none. */
  async cubesReady(): Promise<boolean> {
    for (let i = 0; i < 10_000; i++) {
      if (!this.engine) return false;
      if (this.engine.cubesComplete) return true;
      this.ensureCubes();
      await (this.cubing ?? new Promise<boolean>((r) => setTimeout(() => r(false), 50)));
    }
    return false;
  }

  /**
   * The engine at the latest successful refresh, catching up first; null when nothing was ever refreshed.
   * During a whole reload the copy held keeps answering, unless it is older than `atLeast` (a refresh id).
   */
  async current(atLeast?: string): Promise<{ engine: FactEngine; refresh: RefreshRow } | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = await this.repo.lastRefresh('ok');
      if (!latest) return null;
      if (this.engine && this.refresh && latest.id === this.refresh.id)
        return { engine: this.engine, refresh: this.refresh };
      if (this.syncing) {
        const recentEnough = !atLeast || Number(this.refresh?.id ?? 0) >= Number(atLeast);
        if (this.syncing.full && this.engine && this.refresh && recentEnough)
          return { engine: this.engine, refresh: this.refresh };
        await this.syncing.promise.catch(() => undefined);
        continue;
      }
      const full = !this.engine || this.refresh?.generation !== latest.generation;
      const promise = this.sync().finally(() => {
        this.syncing = null;
      });
      this.syncing = { promise, full };
      await promise;
    }
    return this.engine && this.refresh ? { engine: this.engine, refresh: this.refresh } : null;
  }

  /** Counts for one question, from the latest refresh. */
  async query(q: EngineQuery): Promise<StoreAnswer | null> {
    const cur = await this.current();
    if (!cur) return null;
    const question = JSON.stringify(q);
    const cached = this.cache.get(`${cur.refresh.id}|${question}`);
    if (cached) return { ...cached, asOf: new Date(cur.refresh.asOf!), refreshId: cur.refresh.id };
    // A catch-up changes the columns in place: it waits for running scans, and new scans wait for it.
    while (this.applying) await this.applying;
    const { engine, refresh } = this.engine && this.refresh ? { engine: this.engine, refresh: this.refresh } : cur;
    this.readers++;
    let answer: Awaited<ReturnType<FactEngine['queryAsync']>>;
    try {
      answer = await engine.queryAsync(q);
    } finally {
      if (--this.readers === 0) this.readersDone.splice(0).forEach((r) => r());
    }
    const keep = this.options.cacheEntries ?? CACHE_ENTRIES;
    if (keep > 0) {
      if (this.cache.size >= keep) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(`${refresh.id}|${question}`, answer);
    }
    return { ...answer, asOf: new Date(refresh.asOf!), refreshId: refresh.id };
  }

  unitName(code: string): string | undefined {
    return this.engine?.unitName(code);
  }

  private async sync(): Promise<void> {
    const t0 = performance.now();
    const held = this.engine;
    // Filled by the repository's callbacks.
    const got: {
      fresh: FactEngine | null;
      refresh: RefreshRow | null;
      stamp: string;
      units: UnitRow[] | null;
      dead: number[];
      lines: string[][];
      read: number;
    } = { fresh: null, refresh: null, stamp: '', units: null, dead: [], lines: [], read: 0 };
    const ok = await this.repo.readFacts(
      {
        version: held && this.refresh ? Number(this.refresh.id) : 0,
        generation: held ? (this.refresh?.generation ?? null) : null,
        unitStamp: this.unitStamp,
      },
      {
        begin: (r, full, units, stamp, dead) => {
          Object.assign(got, { refresh: r, stamp, units, dead });
          if (full) {
            const fresh = new FactEngine(this.facts.national);
            fresh.setReferenceDate(new Date(r.asOf!));
            fresh.setUnits(units ?? []);
            // Headroom for the rows later refreshes append: growing the columns copies all of them (seconds at 15 million).
            const n = (r.factRows ?? 0) + (r.deadRows ?? 0);
            fresh.reserve(n + Math.ceil(n / 16) + 65536);
            got.fresh = fresh;
          }
        },
        line: (f) => {
          got.read++;
          if (got.fresh) got.fresh.put(f);
          else got.lines.push(f);
        },
      },
    );
    if (!ok || !got.refresh) return;
    const r = got.refresh;
    const fresh = got.fresh;
    // Applied in one step once no scan is running: a question sees the refresh before or after, never half of it.
    if (fresh) this.engine = fresh;
    else {
      let release = () => undefined as void;
      this.applying = new Promise<void>((r) => {
        release = r;
      });
      try {
        if (this.readers > 0) await new Promise<void>((r) => this.readersDone.push(r));
        const e = held!;
        // Many rows (a province's resync): the province set of triples (~700 cubes) is built again after
        // (in the background), not followed row by row while the questions wait.
        if (got.lines.length + got.dead.length > WIDE_CATCH_UP_MAX) e.dropProvinceCubes();
        if (got.units) e.setUnits(got.units);
        e.setReferenceDate(new Date(r.asOf!));
        for (const p of got.dead) e.kill(p);
        for (const f of got.lines) e.put(f);
      } finally {
        this.applying = null;
        release();
      }
    }
    this.refresh = r;
    this.unitStamp = got.stamp;
    this.ensureCubes();
    const ms = Math.round(performance.now() - t0);
    this.lastLoad = { kind: fresh ? 'full' : 'catch-up', ms, rowsRead: got.read, at: new Date() };
    if (fresh)
      this.log.log({
        msg: 'statistics loaded',
        refresh: r.id,
        rows: got.read,
        ms,
        mib: Math.round(this.engine!.bytesHeld / 2 ** 20),
      });
  }
}

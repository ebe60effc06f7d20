import { INDICATOR_SET_BY_SCHOOL_TYPE, TITLE_LEVEL_OF_TITLE } from '@tmis/core-indicators';
import { AGE_BANDS, RETIRE_HORIZON_YEARS } from './dimensions.js';
import { scanLoop, type ScanParts, type ScanShape } from './scan-loop.js';
import { ScanPool, sharedArray } from './scan-pool.js';

/**
 * The statistics engine (ADR 0008): every teacher's fact row held in the node process as dictionary-encoded
 * typed-array columns, indexed by the row's position in `stat_fact`, and answered by one scan per question.
 * A scan of 15 million rows grouped by up to four dimensions at any unit level takes a few hundred
 * milliseconds on one core, so every breakdown is answered from the same data, with no per-combination
 * precomputation to keep fresh.
 *
 * Units are not in the rows: a row names its unit (school or department), and the unit table (reloaded
 * when `org_unit` changes) gives its province, city, county and school and the school's attributes, so a
 * moved or re-typed school is counted where it is now without touching a teacher's row.
 */

export type Level = 'province' | 'city' | 'county' | 'school';
type Column = Uint8Array | Uint16Array | Uint32Array;

/** Code ↔ small integer; 0 is "not recorded" (null). Past `max - 1` codes, further codes share the last slot (`OVERFLOW_CODE`). */
export class Dict {
  readonly codes: (string | null)[] = [null];
  private readonly index = new Map<string, number>();

  constructor(
    private readonly max: number,
    fixed: readonly string[] = [],
  ) {
    for (const c of fixed) this.id(c);
  }

  id(code: string | null): number {
    if (code === null || code === '') return 0;
    const known = this.index.get(code);
    if (known !== undefined) return known;
    if (this.codes.length >= this.max - 1) {
      if (this.codes.length === this.max - 1) this.codes.push(OVERFLOW_CODE);
      this.index.set(code, this.max - 1);
      return this.max - 1;
    }
    this.codes.push(code);
    this.index.set(code, this.codes.length - 1);
    return this.codes.length - 1;
  }

  /** The slot of a code, or -1 when no row has it. */
  find(code: string): number {
    return this.index.get(code) ?? -1;
  }

  get size(): number {
    return this.codes.length;
  }
}

/** Codes beyond a dictionary's capacity (only with codes outside the national code tables). */
export const OVERFLOW_CODE = '*';

/** A row's person-level columns (one byte each, dictionary-encoded) and the fact-table column they come from in `loadSql`. */
const BYTE_DIMS = [
  'sex',
  'ethnicity',
  'politicalStatus',
  'highestEducation',
  'title',
  'staffCategory',
  'onEstablishment',
  'personStatus',
  'payBand',
] as const;
type ByteDim = (typeof BYTE_DIMS)[number];
const UNIT_DIMS = ['schoolType', 'indicatorSet', 'urbanRural', 'sponsor'] as const;
type UnitDim = (typeof UNIT_DIMS)[number];
const MULTI_DIMS = ['subject', 'qualificationType'] as const;
type MultiDim = (typeof MULTI_DIMS)[number];
/**
 * Byte columns outside the cubes (questions on them are scanned): the staff source, and the yearly report's
 * flags computed at the reference date (`newEntrant`, `leftThisYear`; dimensions.ts).
 */
const EXTRA_DIMS = ['staffSource', 'newEntrant', 'leftThisYear'] as const;
type ExtraDim = (typeof EXTRA_DIMS)[number];
/** The dimensions the pre-aggregated cubes hold (titleLevel is read from title's cells). */
const CUBE_DIMS = [...BYTE_DIMS, 'ageBand', 'retireYear', ...UNIT_DIMS, ...MULTI_DIMS] as const;
const CUBE_FIRST_UNIT = BYTE_DIMS.length + 2;
const CUBE_FIRST_MULTI = CUBE_FIRST_UNIT + UNIT_DIMS.length;

/** A row of `org_unit` as the engine needs it. */
export interface UnitRow {
  code: string;
  kind: string;
  path: string;
  name: string;
  schoolType: string | null;
  urbanRural: string | null;
  sponsor: string | null;
}

export interface EngineFilter {
  dim: string;
  values: string[];
}

export interface EngineQuery {
  by: string[];
  level: Level | null;
  /** Path prefix of the scope (`null`: the whole node). */
  scopePath: string | null;
  filters: EngineFilter[];
  includeInactive: boolean;
  /** Stop decoding past this many rows (the answer then has `tooManyRows` and no rows). */
  maxRows?: number;
}

export interface EngineRow {
  unit: string | null;
  values: (string | null)[];
  n: number;
}

/** How a dimension's value of row i is read: `map ? map[col[i]] : col[i]`, a slot of `dict` (a bit mask of slots when `multi`). */
interface Access {
  col: Column;
  map: Uint8Array | null;
  dict: Dict;
  multi: boolean;
}

/** Above this many possible keys, counts go to a hash table of the keys that occur instead of a dense array. */
const DENSE_MAX = 1 << 24;
/** A scan of this many positions or more is shared with the scan workers, when its counts are at most this many keys. */
const PARALLEL_MIN = 1 << 20;
const PARALLEL_DENSE_MAX = 1 << 20;
/**
 * A triple of dimensions is held per province when its cells (the product of the three dictionaries' sizes)
 * are at most this many: a few MiB a cube at most; the widest triples (ethnicity × education × subject) are
 * scanned.
 */
const WIDE_CELLS_MAX = 4096;

/** Whether every row column of a folded scan is in shared memory (a worker would otherwise get a copy). */
function isShared(p: Omit<ScanParts, 'dense'>): boolean {
  const cols = [p.st, p.un, ...p.fc, ...p.mc, ...p.dc, ...(p.group ? [p.group] : []), ...(p.mCol ? [p.mCol] : [])];
  return cols.every((c) => c.buffer instanceof SharedArrayBuffer);
}
const LEVELS: readonly Level[] = ['province', 'city', 'county', 'school'];

const ageOf = (ref: number, birth: number) => Math.floor((ref - birth) / 10000);

export class FactEngine {
  /** Rows: capacity, and one past the highest position loaded. */
  private cap = 0;
  size = 0;
  /** 0: no row at this position (dead, or a gap), 1: inactive person, 2: active person. */
  private state = new Uint8Array(0);
  private unit = new Uint32Array(0);
  private bytes = new Map<ByteDim | ExtraDim | 'ageBand' | 'retireYear', Uint8Array>();
  private birth = new Int32Array(0);
  private retireY = new Uint16Array(0);
  /** School entry month (yyyymm) and status effective date (yyyymmdd), 0 when not recorded: the year flags' inputs. */
  private entryYm = new Int32Array(0);
  private sinceDate = new Int32Array(0);
  private multi = new Map<MultiDim, Uint32Array>();
  private custom = new Map<string, { dict: Dict; col: Uint16Array }>();
  private readonly dicts = new Map<string, Dict>();
  /** The byte columns of BYTE_DIMS and their dictionaries, in that order (the load loop's hot path). */
  private byteCols: Uint8Array[] = [];
  private byteDicts: Dict[] = [];
  private multiCols: Uint32Array[] = [];
  private multiDicts: Dict[] = [];

  // Units.
  private unitCodes: string[] = [];
  private unitNames: string[] = [];
  private unitPaths: string[] = [];
  private unitKinds: string[] = [];
  private unitIndex = new Map<string, number>();
  private unitAttr = new Map<UnitDim, Uint8Array>();
  private anc = new Map<Level, Int32Array>();

  /** The date (yyyymmdd) the age and retirement bands are computed for. */
  private refDate = 0;

  /**
   * `qualifyCustom` (the national node): a custom value's column is `key_PP`, PP the first two digits of
   * the row's province, since custom keys are only unique within a province.
   */
  constructor(
    private readonly qualifyCustom = false,
    /** The threads a long scan is shared with (null: this thread alone), and from how many positions. */
    private readonly scanPool: ScanPool | null = ScanPool.shared(),
    private readonly parallelMin = PARALLEL_MIN,
  ) {
    for (const d of BYTE_DIMS) this.dicts.set(d, new Dict(256));
    for (const d of UNIT_DIMS) this.dicts.set(d, new Dict(256));
    this.dicts.set(
      'ageBand',
      new Dict(
        256,
        AGE_BANDS.map((b) => b.code),
      ),
    );
    this.dicts.set('retireYear', new Dict(256));
    this.dicts.set('staffSource', new Dict(256));
    this.dicts.set('newEntrant', new Dict(4, ['1', '0']));
    this.dicts.set('leftThisYear', new Dict(4, ['1', '0']));
    this.dicts.set('titleLevel', new Dict(256));
    this.dicts.set('subject', new Dict(33));
    this.dicts.set('qualificationType', new Dict(33));
    for (const d of [...BYTE_DIMS, ...EXTRA_DIMS, 'ageBand', 'retireYear'] as const)
      this.bytes.set(d, new Uint8Array(0));
    for (const d of MULTI_DIMS) this.multi.set(d, new Uint32Array(0));
    this.byteDicts = BYTE_DIMS.map((d) => this.dicts.get(d)!);
    this.multiDicts = MULTI_DIMS.map((d) => this.dicts.get(d)!);
    this.cacheColumns();
  }

  private cacheColumns(): void {
    this.byteCols = BYTE_DIMS.map((d) => this.bytes.get(d)!);
    this.multiCols = MULTI_DIMS.map((d) => this.multi.get(d)!);
  }

  private live = 0;

  /** Live rows (teachers). */
  get rows(): number {
    return this.live;
  }

  /** Bytes held by the columns. */
  get bytesHeld(): number {
    let b =
      this.state.byteLength +
      this.unit.byteLength +
      this.birth.byteLength +
      this.retireY.byteLength +
      this.entryYm.byteLength +
      this.sinceDate.byteLength;
    for (const c of this.bytes.values()) b += c.byteLength;
    for (const c of this.multi.values()) b += c.byteLength;
    for (const c of this.custom.values()) b += c.col.byteLength;
    return b;
  }

  // ---- units ----

  /** (Re)loads the unit table; a unit keeps its slot across reloads (rows refer to it). */
  setUnits(rows: UnitRow[]): void {
    this.dropCubes();
    this.groups = null;
    this.unitsVersion++;
    for (const r of rows) {
      let u = this.unitIndex.get(r.code);
      if (u === undefined) {
        u = this.unitCodes.length;
        this.unitIndex.set(r.code, u);
        this.unitCodes.push(r.code);
        this.unitNames.push(r.name);
        this.unitPaths.push(r.path);
        this.unitKinds.push(r.kind);
      } else {
        this.unitNames[u] = r.name;
        this.unitPaths[u] = r.path;
        this.unitKinds[u] = r.kind;
      }
      this.setUnitAttrs(u, r.schoolType, r.urbanRural, r.sponsor);
    }
    this.computeAncestors();
  }

  private setUnitAttrs(u: number, schoolType: string | null, urbanRural: string | null, sponsor: string | null): void {
    this.growUnits(u + 1);
    const set = (d: UnitDim, code: string | null) => {
      this.unitAttr.get(d)![u] = this.dicts.get(d)!.id(code);
    };
    set('schoolType', schoolType);
    set('indicatorSet', schoolType === null ? null : (INDICATOR_SET_BY_SCHOOL_TYPE[schoolType] ?? 'other'));
    set('urbanRural', urbanRural);
    set('sponsor', sponsor);
  }

  private growUnits(n: number): void {
    const have = this.unitAttr.get('schoolType')?.length ?? 0;
    if (n <= have) return;
    const cap = Math.max(n, have + (have >> 2) + 1024);
    for (const d of UNIT_DIMS) {
      const next = new Uint8Array(cap);
      const prev = this.unitAttr.get(d);
      if (prev) next.set(prev);
      this.unitAttr.set(d, next);
    }
  }

  private computeAncestors(): void {
    const n = this.unitCodes.length;
    const cap = n + (n >> 2) + 1024;
    for (const level of LEVELS) this.anc.set(level, new Int32Array(cap).fill(-1));
    for (let u = 0; u < n; u++) this.setAncestors(u);
  }

  /** A unit's province, city, county and school: the units its path names, by their kind. */
  private setAncestors(u: number): void {
    for (const code of this.unitPaths[u].split('/')) {
      const a = code ? this.unitIndex.get(code) : undefined;
      if (a === undefined) continue;
      const k = this.unitKinds[a];
      if (k === 'province' || k === 'city' || k === 'county' || k === 'school') this.anc.get(k)![u] = a;
    }
  }

  /** The slot of a row's unit; a code the unit table does not have becomes a school of its province (counted there, in no city or county). */
  private unitOf(code: string | null, provinceCode: string | null, schoolType: string | null): number {
    const key = code ?? `?${provinceCode ?? ''}`;
    const known = this.unitIndex.get(key);
    if (known !== undefined) return known;
    const province = provinceCode
      ? (this.unitIndex.get(provinceCode) ?? this.addSynthetic(provinceCode, 'province', `/${provinceCode}/`, null))
      : -1;
    const path = `${province >= 0 ? this.unitPaths[province] : '/'}${key}/`;
    return this.addSynthetic(key, 'school', path, schoolType);
  }

  private addSynthetic(code: string, kind: string, path: string, schoolType: string | null): number {
    const u = this.unitCodes.length;
    this.unitIndex.set(code, u);
    this.unitCodes.push(code);
    this.unitNames.push(code);
    this.unitPaths.push(path);
    this.unitKinds.push(kind);
    this.setUnitAttrs(u, kind === 'school' ? schoolType : null, null, null);
    // Room in the ancestor arrays, grown by a quarter at a time (many unknown schools must not copy them each).
    for (const level of LEVELS) {
      const a = this.anc.get(level) ?? new Int32Array(0);
      if (u < a.length) continue;
      const next = new Int32Array(u + (u >> 2) + 1024).fill(-1);
      next.set(a);
      this.anc.set(level, next);
    }
    this.setAncestors(u);
    return u;
  }

  unitName(code: string): string | undefined {
    const u = this.unitIndex.get(code);
    return u === undefined ? undefined : this.unitNames[u];
  }

  // ---- rows ----

  /** Room for positions up to `n - 1` (grows by an eighth at least; new positions start empty). */
  reserve(n: number): void {
    if (n <= this.cap) return;
    const cap = Math.max(n, this.cap + (this.cap >> 3) + 4096);
    const grow = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    // Row columns live in shared memory: the scan workers read them in place.
    this.state = grow(this.state, (k) => sharedArray(Uint8Array, 1, k));
    this.unit = grow(this.unit, (k) => sharedArray(Uint32Array, 4, k));
    this.birth = grow(this.birth, (k) => new Int32Array(k));
    this.retireY = grow(this.retireY, (k) => new Uint16Array(k));
    this.entryYm = grow(this.entryYm, (k) => new Int32Array(k));
    this.sinceDate = grow(this.sinceDate, (k) => new Int32Array(k));
    for (const [k, a] of this.bytes)
      this.bytes.set(
        k,
        grow(a, (m) => sharedArray(Uint8Array, 1, m)),
      );
    for (const [k, a] of this.multi)
      this.multi.set(
        k,
        grow(a, (m) => sharedArray(Uint32Array, 4, m)),
      );
    for (const c of this.custom.values()) c.col = grow(c.col, (m) => new Uint16Array(m));
    this.cap = cap;
    this.cacheColumns();
  }

  /** Empties a position (its teacher's row died). */
  kill(pos: number): void {
    if (pos < this.size && this.state[pos] !== 0) {
      if (this.cubes || this.building) this.cubeAdd(pos, -1);
      this.state[pos] = 0;
      this.live--;
    }
  }

  /**
   * One line of `loadSql` (COPY text format, tab-separated, `\N` for null): pos, unit, province, school type,
   * active, sex, birth (yyyymmdd), retirement year, ethnicity, political status, highest education, title,
   * staff category, on establishment, person status, pay band, subjects, qualification types, custom (JSON),
   * staff source, school entry month (yyyymm), status effective date (yyyymmdd).
   */
  put(f: string[]): void {
    const pos = Number(f[0]);
    this.reserve(pos + 1);
    if (pos >= this.size) this.size = pos + 1;
    if ((this.cubes || this.building) && this.state[pos] !== 0) this.cubeAdd(pos, -1);
    const v = (s: string) => (s === '\\N' ? null : s.includes('\\') ? unescapeCopy(s) : s);
    const was = this.unit[pos];
    this.unit[pos] = this.unitOf(v(f[1]), v(f[2]), v(f[3]));
    if (this.groups && pos < this.groups.size) {
      // A grouped position: still listed under its group only if it was live and stays in that group.
      const anc = this.anc.get(this.groups.level)!;
      if (this.state[pos] === 0 || anc[was] !== anc[this.unit[pos]]) this.groups = null;
    }
    if (this.state[pos] === 0) this.live++;
    this.state[pos] = f[4] === '1' ? 2 : 1;
    for (let k = 0; k < BYTE_DIMS.length; k++)
      this.byteCols[k][pos] = this.byteDicts[k].id(v(k === 0 ? f[5] : f[8 + k - 1]));
    this.birth[pos] = Number(f[6]) || 0;
    this.retireY[pos] = Number(f[7]) || 0;
    for (let k = 0; k < MULTI_DIMS.length; k++) {
      let mask = 0;
      const s = v(f[16 + k]);
      if (s) for (const c of s.split(',')) mask |= 1 << (this.multiDicts[k].id(c) - 1);
      this.multiCols[k][pos] = mask >>> 0;
    }
    const custom = v(f[18]);
    for (const c of this.custom.values()) c.col[pos] = 0;
    if (custom) {
      const suffix = this.qualifyCustom ? `_${(v(f[2]) ?? '').slice(0, 2)}` : '';
      for (const [raw, value] of Object.entries(JSON.parse(custom) as Record<string, unknown>)) {
        if (value === null || value === undefined || typeof value === 'object') continue;
        const key = raw + suffix;
        let c = this.custom.get(key);
        if (!c) {
          c = { dict: new Dict(65536), col: new Uint16Array(this.cap) };
          this.custom.set(key, c);
        }
        c.col[pos] = c.dict.id(String(value));
      }
    }
    this.bytes.get('staffSource')![pos] = this.dicts.get('staffSource')!.id(f.length > 19 ? v(f[19]) : null);
    this.entryYm[pos] = f.length > 20 ? Number(v(f[20]) ?? 0) || 0 : 0;
    this.sinceDate[pos] = f.length > 21 ? Number(v(f[21]) ?? 0) || 0 : 0;
    this.band(pos);
    if (this.cubes || this.building) this.cubeAdd(pos, 1);
  }

  /** Age and retirement bands of one row at the reference date. */
  private band(pos: number): void {
    const ref = this.refDate;
    const b = this.birth[pos];
    const ages = this.bytes.get('ageBand')!;
    if (b === 0 || ref === 0) ages[pos] = 0;
    else {
      const age = ageOf(ref, b);
      let k = AGE_BANDS.length - 1;
      while (k > 0 && age < AGE_BANDS[k].from) k--;
      ages[pos] = k + 1;
    }
    const y = this.retireY[pos];
    const refYear = Math.floor(ref / 10000);
    const r = this.dicts.get('retireYear')!;
    this.bytes.get('retireYear')![pos] =
      y === 0 || ref === 0 ? 0 : r.id(y < refYear ? 'past' : y > refYear + RETIRE_HORIZON_YEARS ? 'later' : String(y));
    // The twelve months up to the reference date (dimensions.ts): slot 1 is '1', slot 2 is '0', 0 not recorded.
    const e = this.entryYm[pos];
    const months = (ym: number) => Math.floor(ym / 100) * 12 + (ym % 100) - 1;
    const back = months(Math.floor(ref / 100)) - (e === 0 ? 0 : months(e));
    this.bytes.get('newEntrant')![pos] = e === 0 || ref === 0 ? 0 : back >= 0 && back < 12 ? 1 : 2;
    const d = this.sinceDate[pos];
    this.bytes.get('leftThisYear')![pos] = d === 0 || ref === 0 ? 0 : d > ref - 10000 && d <= ref ? 1 : 2;
  }

  /** Sets the date the bands are for (the refresh's asOf); recomputes every row's bands when it changes. */
  setReferenceDate(date: Date): void {
    const ref = date.getFullYear() * 10000 + (date.getMonth() + 1) * 100 + date.getDate();
    if (ref === this.refDate) return;
    this.dropCubes();
    const yearChanged = Math.floor(ref / 10000) !== Math.floor(this.refDate / 10000);
    this.refDate = ref;
    if (yearChanged)
      this.dicts.set(
        'retireYear',
        new Dict(256, [
          'past',
          ...Array.from({ length: RETIRE_HORIZON_YEARS + 1 }, (_, i) => String(Math.floor(ref / 10000) + i)),
          'later',
        ]),
      );
    for (let i = 0; i < this.size; i++) if (this.state[i] !== 0) this.band(i);
  }

  // ---- queries ----

  private access(dim: string): Access | null {
    const byte = this.bytes.get(dim as ByteDim);
    if (byte) return { col: byte, map: null, dict: this.dicts.get(dim)!, multi: false };
    if ((UNIT_DIMS as readonly string[]).includes(dim))
      return { col: this.unit, map: this.unitAttr.get(dim as UnitDim)!, dict: this.dicts.get(dim)!, multi: false };
    if (dim === 'titleLevel') {
      const levels = this.dicts.get('titleLevel')!;
      const levelOf = new Uint8Array(256);
      this.dicts.get('title')!.codes.forEach((t, i) => {
        levelOf[i] = t === null ? 0 : levels.id(TITLE_LEVEL_OF_TITLE[t] ?? null);
      });
      return { col: this.bytes.get('title')!, map: levelOf, dict: levels, multi: false };
    }
    const m = this.multi.get(dim as MultiDim);
    if (m) return { col: m, map: null, dict: this.dicts.get(dim)!, multi: true };
    const c = this.custom.get(dim);
    if (c) return { col: c.col, map: null, dict: c.dict, multi: false };
    return null;
  }

  /** Counts by the query's level and dimensions, and the number of people passing its filters in its scope. */
  query(q: EngineQuery, denseMax = DENSE_MAX): { rows: EngineRow[]; total: number; tooManyRows?: boolean } {
    const fromCube = this.cubeQuery(q, denseMax);
    this.lastAnswer = fromCube ? 'cubes' : 'scan';
    if (fromCube) return fromCube;
    const scan = this.prepare(q, denseMax);
    scan.run(0, scan.size);
    return scan.finish();
  }

  /**
   * The same, in slices of `slice` positions with the event loop free between them (other requests and
   * the sync consumer go on during a long scan). The caller keeps the engine unchanged meanwhile.
   */
  async queryAsync(
    q: EngineQuery,
    slice = 1 << 21,
  ): Promise<{ rows: EngineRow[]; total: number; tooManyRows?: boolean; via: 'cubes' | 'scan' }> {
    const fromCube = this.cubeQuery(q);
    this.lastAnswer = fromCube ? 'cubes' : 'scan';
    if (fromCube) return { ...fromCube, via: 'cubes' };
    const scan = this.prepare(q);
    // A long folded scan is split with the scan workers: each counts its part of the positions, this
    // thread the last part (in slices), and their counts are added (a worker that fails: its part here).
    const pool = this.scanPool;
    const f = scan.folded;
    const split =
      pool &&
      pool.threads > 0 &&
      f &&
      scan.size >= this.parallelMin &&
      f.dense.length <= PARALLEL_DENSE_MAX &&
      isShared(f.parts)
        ? pool.threads + 1
        : 1;
    const bound = (k: number) => Math.round((scan.size * k) / split);
    const others = Array.from({ length: split - 1 }, (_, k) =>
      pool!
        .run(k, f!.shape, f!.parts, f!.dense.length, bound(k), bound(k + 1))
        .then((r) => f!.add(r.dense, r.passed))
        .catch(() => scan.run(bound(k), bound(k + 1))),
    );
    for (let from = bound(split - 1); from < scan.size; from += slice) {
      scan.run(from, Math.min(scan.size, from + slice));
      if (from + slice < scan.size) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(others);
    return { ...scan.finish(), via: 'scan' };
  }

  // ---- pre-aggregated cubes (issue 17) ----

  /** How the last question was answered (from the cubes, or by a scan of the rows). */
  lastAnswer: 'cubes' | 'scan' | null = null;
  /** Which loop the last scan ran: the folded one of {@link fastScan}, or the general one. */
  lastScan: 'folded' | 'general' | null = null;
  private cubes: CubeSet | null = null;
  /** Zero- and one-dimension cubes per county (a question by county, or in a county's scope). */
  private countyCubes: CubeSet | null = null;
  /** Every triple of dimensions per province (two dimensions and a filter on a third); built after the others. */
  private provinceCubes: CubeSet | null = null;
  private cubeStats: { builtMs: number; at: Date; provinceMs: number | null } | null = null;
  /**
   * The sets a build is filling, and the first position it has not yet read: a row written meanwhile below it
   * is taken out of and put back into these sets as into the built ones (above it the build reads it as it
   * is then). Null when no build runs; a unit reload or a new reference date stops the build.
   */
  private building: { sets: CubeSet[]; cursor: number } | null = null;

  /**
   * Live positions grouped by their unit's province (by city on a node of one province): a question the
   * cubes cannot answer in a province's scope reads that province's rows, not the nation's. Built after a
   * whole load (with the cubes) or on the first such scan, and kept across catch-ups: a position that
   * dies stays listed (a scan skips dead rows), positions born past `size` are read after the group's
   * (a scan skips rows out of scope), and only a row written again at an old position into another
   * group, a reborn position, a unit reload, or a tail past an eighth of the rows makes it built anew.
   */
  private groups: {
    /** One past the highest position grouped. */
    size: number;
    units: number;
    level: Level;
    start: Uint32Array;
    positions: Uint32Array;
  } | null = null;

  /** The positions of the group holding `scopePath` (null: the scope is above the grouping level, or unknown). */
  private positionGroup(scopePath: string): Uint32Array | null {
    const code = scopePath.split('/').filter(Boolean).pop();
    const s = code === undefined ? undefined : this.unitIndex.get(code);
    if (s === undefined) return null;
    if (
      !this.groups ||
      this.groups.units !== this.unitCodes.length ||
      this.size - this.groups.size > this.groups.size >> 3
    )
      this.groups = this.groupPositions();
    const { level, start, positions, size } = this.groups;
    const a = this.anc.get(level)![s];
    if (a < 0) return null;
    const own = positions.subarray(start[a], start[a + 1]);
    if (size === this.size) return own;
    const all = sharedArray(Uint32Array, 4, own.length + this.size - size);
    all.set(own);
    for (let i = size, k = own.length; i < this.size; i++, k++) all[k] = i;
    return all;
  }

  /** The output groups of the units, per level and scope, while the units stay as they are. */
  private readonly unitGroupCache = new Map<
    string,
    { units: number; version: number; ug: Int32Array; groupUnit: number[] }
  >();
  private unitsVersion = 0;

  /**
   * The output group of each unit in scope (-1: out of scope; 0: no unit at the level) and the unit of each
   * group. Kept per level and scope (a few of them) until the units change: at national there are ~380,000
   * units, and reading every unit's path for each question cost more than a filtered scan's own part.
   */
  private unitGroups(level: Level | null, scopePath: string | null): { ug: Int32Array; groupUnit: number[] } {
    const key = `${level}|${scopePath}`;
    const nUnits = this.unitCodes.length;
    const known = this.unitGroupCache.get(key);
    if (known && known.units === nUnits && known.version === this.unitsVersion) return known;
    const ug = new Int32Array(nUnits).fill(-1);
    const groupUnit: number[] = [-1];
    const groupOf = new Int32Array(nUnits).fill(-1);
    const anc = level ? this.anc.get(level)! : null;
    for (let u = 0; u < nUnits; u++) {
      if (scopePath !== null && !this.unitPaths[u].startsWith(scopePath)) continue;
      const a = anc ? anc[u] : -1;
      if (a < 0) {
        ug[u] = 0;
        continue;
      }
      if (groupOf[a] < 0) {
        groupOf[a] = groupUnit.length;
        groupUnit.push(a);
      }
      ug[u] = groupOf[a];
    }
    if (this.unitGroupCache.size >= 16) this.unitGroupCache.delete(this.unitGroupCache.keys().next().value!);
    const entry = { units: nUnits, version: this.unitsVersion, ug, groupUnit };
    this.unitGroupCache.set(key, entry);
    return entry;
  }

  /** Group builds so far (a test sees them kept across catch-ups). */
  groupBuilds = 0;

  private groupPositions(): NonNullable<typeof this.groups> {
    const units = this.unitCodes.length;
    const prov = this.anc.get('province')!;
    const provinces = new Set<number>();
    for (let u = 0; u < units; u++) if (prov[u] >= 0) provinces.add(prov[u]);
    const level: Level = provinces.size > 1 ? 'province' : 'city';
    const anc = this.anc.get(level)!;
    const st = this.state;
    const un = this.unit;
    // A counting sort by group: sizes, offsets, then positions in order within each group.
    const start = new Uint32Array(units + 1);
    for (let i = 0; i < this.size; i++) {
      if (st[i] === 0) continue;
      const a = anc[un[i]];
      if (a >= 0) start[a + 1]++;
    }
    for (let a = 0; a < units; a++) start[a + 1] += start[a];
    const next = start.slice(0, units);
    const positions = sharedArray(Uint32Array, 4, start[units]);
    for (let i = 0; i < this.size; i++) {
      if (st[i] === 0) continue;
      const a = anc[un[i]];
      if (a >= 0) positions[next[a]++] = i;
    }
    this.groupBuilds++;
    return { size: this.size, units, level, start, positions };
  }

  /**
   * The cubes held: how many, their bytes, and the last build (null: none; questions are scanned);
   * `provinceMs` null while the province set of triples is not (yet) built.
   */
  get cubeInfo(): {
    cubes: number;
    bytes: number;
    builtMs: number;
    at: Date;
    provinceMs: number | null;
    provinceCubes: number;
    provinceBytes: number;
  } | null {
    if (!this.cubes || !this.countyCubes || !this.cubeStats) return null;
    const bytesOf = (set: CubeSet | null) =>
      set ? set.list.reduce((b, c) => b + c.counts.byteLength, set.grainOfUnit.byteLength) : 0;
    const sets = [this.cubes, this.countyCubes, this.provinceCubes];
    return {
      cubes: sets.reduce((n, set) => n + (set?.list.length ?? 0), 0),
      bytes: sets.reduce((b, set) => b + bytesOf(set), 0),
      ...this.cubeStats,
      provinceCubes: this.provinceCubes?.list.length ?? 0,
      provinceBytes: bytesOf(this.provinceCubes),
    };
  }

  /** Whether the cubes of one and two dimensions are held (questions they answer are not scanned). */
  get hasCubes(): boolean {
    return this.cubes !== null;
  }

  /** Whether every cube set is held, the province set of triples too. */
  get cubesComplete(): boolean {
    return this.cubes !== null && this.provinceCubes !== null;
  }

  private dropCubes(): void {
    this.cubes = null;
    this.countyCubes = null;
    this.provinceCubes = null;
    this.cubeStats = null;
    this.building = null;
  }

  /**
   * Drops the province set of triples alone (the next build makes it again): before a catch-up of many rows,
   * each of which would otherwise be taken out of and put back into several hundred cubes.
   */
  dropProvinceCubes(): void {
    this.provinceCubes = null;
    if (this.cubeStats) this.cubeStats.provinceMs = null;
    if (this.building?.sets.some((set) => set.level === 'province')) this.building = null;
  }

  /**
   * Builds the cubes: the count of people by every dimension and every pair of dimensions (one multi-valued
   * at most), active or not, per city (or province without cities, or unit outside any province), and by
   * every dimension alone per county (or the city, province or unit above a school outside any county); then
   * (held from then on, answering while the next is built) every triple of dimensions per province that fits
   * `WIDE_CELLS_MAX`. Rows written meanwhile are followed. False when a unit reload or a new reference date
   * stopped it, or a value had no slot; the caller builds again after.
   */
  async buildCubes(slice = 1 << 16, turn = 1 << 21): Promise<boolean> {
    if (this.building) return false;
    if (!this.cubes) {
      const t0 = performance.now();
      if (this.size >= this.parallelMin) this.scanPool?.warm();
      const sets = await this.fillCubeSets([this.newCubeSet('city'), this.newCubeSet('county')], slice, turn);
      if (!sets) return false;
      [this.cubes, this.countyCubes] = sets;
      if (!this.groups) this.groups = this.groupPositions();
      this.cubeStats = { builtMs: Math.round(performance.now() - t0), at: new Date(), provinceMs: null };
    }
    if (!this.provinceCubes) {
      const t0 = performance.now();
      const sets = await this.fillCubeSets([this.newCubeSet('province')], slice, turn);
      if (!sets || !this.cubes || !this.cubeStats) return false;
      this.provinceCubes = sets[0];
      this.cubeStats.provinceMs = Math.round(performance.now() - t0);
    }
    return true;
  }

  /**
   * Counts every row into `sets`, `slice` rows at a time with the event loop free between groups of cubes
   * (`turn` rows counted into cubes a turn; 2 million: ~20–40 ms). A row written
   * meanwhile is followed (see `building`); null when the build was stopped or a value has no slot.
   */
  private async fillCubeSets(sets: CubeSet[], slice: number, turn: number): Promise<CubeSet[] | null> {
    const build = { sets, cursor: 0 };
    this.building = build;
    const live = () => this.building === build;
    // Column at a time: per slice, each cube dimension's values of the slice's rows, each row's grain and
    // activity, then one tight loop per cube (row at a time through 171 cubes was ~5× slower). Per set, the
    // slice's live rows are put in order of their cell block (a counting sort): each cube's counts are then
    // written one block after another, not at random over all of them (the province set's cubes are ~1 MiB).
    const n = slice;
    const column = (d: number) => (d < CUBE_FIRST_MULTI ? new Uint8Array(n) : new Uint32Array(n));
    const vals = CUBE_DIMS.map((_, d) => column(d));
    const gact = new Int32Array(n);
    const sorted = sets.map(() => ({ g: new Int32Array(n), v: CUBE_DIMS.map((_, d) => column(d)) }));
    let work = 0;
    try {
      for (let from = 0; from < this.size; from += slice) {
        const to = Math.min(this.size, from + slice);
        if (!this.cubeValues(sets[0].cards, vals, from, to)) return null;
        const grains = sets.map((set, k) => {
          this.cubeGrains(set, gact, from, to);
          return sortByBlock(gact, vals, to - from, sorted[k].g, sorted[k].v);
        });
        // From here a row written below `to` is changed in the sets as well: the slice's values are read.
        build.cursor = to;
        for (let k = 0; k < sets.length; k++)
          for (const c of sets[k].list) {
            const { g, v, len } = grains[k];
            cubeSlice(c, v, g, len);
            work += len;
            if (work >= turn) {
              work = 0;
              await new Promise((r) => setImmediate(r));
              if (!live()) return null;
            }
          }
      }
      return live() ? sets : null;
    } finally {
      if (live()) this.building = null;
    }
  }

  /** Each cube dimension's value of rows [from, to) into `vals`; false when a live row's value is beyond a cube's size. */
  private cubeValues(cards: number[], vals: (Uint8Array | Uint32Array)[], from: number, to: number): boolean {
    const st = this.state;
    const un = this.unit;
    for (let d = 0; d < CUBE_DIMS.length; d++) {
      const out = vals[d];
      if (d < CUBE_FIRST_UNIT) out.set(this.bytes.get(CUBE_DIMS[d] as ByteDim)!.subarray(from, to));
      else if (d < CUBE_FIRST_MULTI) {
        const attr = this.unitAttr.get(CUBE_DIMS[d] as UnitDim)!;
        for (let i = from; i < to; i++) out[i - from] = attr[un[i]];
      } else out.set(this.multi.get(CUBE_DIMS[d] as MultiDim)!.subarray(from, to));
      const card = cards[d];
      const multi = d >= CUBE_FIRST_MULTI;
      for (let k = 0; k < to - from; k++) {
        const v = out[k];
        if (st[from + k] !== 0 && (multi ? v !== 0 && 32 - Math.clz32(v) >= card : v >= card)) return false;
      }
    }
    return true;
  }

  /** Each row's cell block in `set`: grain × 2 + active (−1: no row at the position). */
  private cubeGrains(set: CubeSet, gact: Int32Array, from: number, to: number): void {
    const st = this.state;
    const un = this.unit;
    for (let i = from; i < to; i++) {
      const s = st[i];
      if (s === 0) {
        gact[i - from] = -1;
        continue;
      }
      const u = un[i];
      const known = u < set.grainOfUnit.length ? set.grainOfUnit[u] : -1;
      gact[i - from] = (known >= 0 ? known : this.grainOf(set, u)) * 2 + (s === 2 ? 1 : 0);
    }
  }

  /**
   * Grains: each city (county cubes: each county; a school outside any county: its city), each province
   * without a city level, and each unit outside any province (a central university).
   */
  private grainOf(set: CubeSet, u: number): number {
    if (u < set.grainOfUnit.length && set.grainOfUnit[u] >= 0) return set.grainOfUnit[u];
    if (u >= set.grainOfUnit.length) {
      const next = new Int32Array(u + (u >> 2) + 1024).fill(-1);
      next.set(set.grainOfUnit);
      set.grainOfUnit = next;
    }
    const county = set.level === 'county' ? (this.anc.get('county')![u] ?? -1) : -1;
    const city = set.level === 'province' ? -1 : (this.anc.get('city')![u] ?? -1);
    const prov = this.anc.get('province')![u] ?? -1;
    // The province set: every unit outside a province in one grain (-1), a question in such a unit's scope is not
    // answered from it.
    const g0 = county >= 0 ? county : city >= 0 ? city : prov >= 0 ? prov : set.level === 'province' ? -1 : u;
    let g = set.grainIndex.get(g0);
    if (g === undefined) {
      g = set.grainUnit.length;
      set.grainUnit.push(g0);
      set.grainIndex.set(g0, g);
      // Room for the new grain in every cube.
      for (const c of set.list) {
        const need = (g + 1) * 2 * c.block;
        if (need > c.counts.length) {
          const next = new Uint32Array(Math.max(need, c.counts.length * 2));
          next.set(c.counts);
          c.counts = next;
        }
      }
    }
    set.grainOfUnit[u] = g;
    return g;
  }

  /**
   * The cubes of a grain: per city every dimension and pair; per county every dimension alone; per province
   * every triple whose cells fit `WIDE_CELLS_MAX` (two dimensions and a filter on a third, or three).
   */
  private newCubeSet(level: CubeSet['level']): CubeSet {
    const cards = CUBE_DIMS.map((d) => Math.max(this.dicts.get(d)!.size, 1));
    const set: CubeSet = {
      level,
      cards,
      grainOfUnit: new Int32Array(0),
      grainUnit: [],
      grainIndex: new Map(),
      list: [],
      byKey: new Map(),
    };
    // The grains first (no cube yet to make room in), then each cube sized for them and two more: a node of one
    // province holds one grain's cells, not a nation's.
    for (let u = 0; u < this.unitCodes.length; u++) this.grainOf(set, u);
    const grains = set.grainUnit.length + 2;
    const add = (dims: number[]) => {
      const [cA, cB, cC] = [0, 1, 2].map((k) => (k < dims.length ? cards[dims[k]] : 1));
      const block = cA * cB * cC;
      const c: Cube = {
        a: dims[0] ?? -1,
        b: dims[1] ?? -1,
        c: dims[2] ?? -1,
        cA,
        cB,
        cC,
        block,
        counts: new Uint32Array(grains * 2 * block),
      };
      set.list.push(c);
      set.byKey.set(dims.join(','), c);
    };
    const multi = (...d: number[]) => d.filter((x) => x >= CUBE_FIRST_MULTI).length;
    if (level === 'province') {
      for (let a = 0; a < CUBE_DIMS.length; a++)
        for (let b = a + 1; b < CUBE_DIMS.length; b++)
          for (let c = b + 1; c < CUBE_DIMS.length; c++)
            if (multi(a, b, c) <= 1 && cards[a] * cards[b] * cards[c] <= WIDE_CELLS_MAX) add([a, b, c]);
    } else {
      add([]);
      for (let a = 0; a < CUBE_DIMS.length; a++) {
        add([a]);
        if (level === 'city') for (let b = a + 1; b < CUBE_DIMS.length; b++) if (multi(a, b) <= 1) add([a, b]);
      }
    }
    return set;
  }

  /** The cube slot of every cube dimension of row i (multi-valued: the bit mask). */
  private readonly rowVals = new Float64Array(CUBE_DIMS.length);

  private cubeAdd(pos: number, sign: 1 | -1): void {
    for (const set of [this.cubes, this.countyCubes, this.provinceCubes])
      if (set && !this.cubeRow(set, pos, sign)) return this.dropCubes();
    const b = this.building;
    if (b && pos < b.cursor) for (const set of b.sets) if (!this.cubeRow(set, pos, sign)) return this.dropCubes();
  }

  /** Adds (or removes) row i in every cube; false when a value is beyond a cube's dictionary size. */
  private cubeRow(set: CubeSet, i: number, sign: 1 | -1): boolean {
    const v = this.rowVals;
    const u = this.unit[i];
    for (let d = 0; d < CUBE_FIRST_UNIT; d++) v[d] = this.bytes.get(CUBE_DIMS[d] as ByteDim)![i];
    for (let d = CUBE_FIRST_UNIT; d < CUBE_FIRST_MULTI; d++) v[d] = this.unitAttr.get(CUBE_DIMS[d] as UnitDim)![u];
    for (let d = CUBE_FIRST_MULTI; d < CUBE_DIMS.length; d++) v[d] = this.multi.get(CUBE_DIMS[d] as MultiDim)![i];
    for (let d = 0; d < CUBE_FIRST_MULTI; d++) if (v[d] >= set.cards[d]) return false;
    for (let d = CUBE_FIRST_MULTI; d < CUBE_DIMS.length; d++)
      if (v[d] !== 0 && 32 - Math.clz32(v[d]) >= set.cards[d]) return false;
    const g = this.grainOf(set, u);
    const base = g * 2 + (this.state[i] === 2 ? 1 : 0);
    for (const c of set.list) {
      const off = base * c.block;
      if (c.c >= 0) {
        // Three dimensions (only c may be multi-valued).
        const at = off + v[c.a] * c.cB * c.cC + v[c.b] * c.cC;
        if (c.c < CUBE_FIRST_MULTI) c.counts[at + v[c.c]] += sign;
        else countMask(c.counts, at, v[c.c], sign);
        continue;
      }
      if (c.a < 0) {
        c.counts[off] += sign;
        continue;
      }
      const multiA = c.a >= CUBE_FIRST_MULTI;
      const multiB = c.b >= CUBE_FIRST_MULTI;
      if (!multiA && !multiB) c.counts[off + v[c.a] * c.cB + (c.b < 0 ? 0 : v[c.b])] += sign;
      // One multi-valued dimension: `a` alone (then cB = 1), or `b` with a scalar `a`.
      else countMask(c.counts, off + (multiA ? 0 : v[c.a] * c.cB), multiA ? v[c.a] : v[c.b], sign);
    }
    return true;
  }

  /**
   * A question answered from the cubes, or null when they cannot answer it exactly: up to two dimensions
   * between the groups and the filters (one multi-valued at most, filtered on one value at most), no custom
   * field, and a scope and level no finer than a city; or one dimension, and a scope and level no finer
   * than a county.
   */
  private cubeQuery(
    q: EngineQuery,
    denseMax = DENSE_MAX,
  ): { rows: EngineRow[]; total: number; tooManyRows?: boolean } | null {
    for (const set of [this.cubes, this.countyCubes, this.provinceCubes]) {
      const answer = set ? this.cubeSetQuery(set, q, denseMax) : null;
      if (answer) return answer;
    }
    return null;
  }

  private cubeSetQuery(
    set: CubeSet,
    q: EngineQuery,
    denseMax: number,
  ): { rows: EngineRow[]; total: number; tooManyRows?: boolean } | null {
    const levels: (Level | null)[] =
      set.level === 'province'
        ? [null, 'province']
        : set.level === 'city'
          ? [null, 'province', 'city']
          : [null, 'province', 'city', 'county'];
    if (!levels.includes(q.level)) return null;
    // Scope: the whole node, a province, a city (county cubes: or a county), or a grain of its own (a central university).
    if (q.scopePath !== null) {
      const parts = q.scopePath.split('/').filter(Boolean);
      const u = this.unitIndex.get(parts[parts.length - 1] ?? '');
      const grainAligned =
        parts.length === 1 ||
        (u !== undefined && (levels.includes(this.unitKinds[u] as Level) || set.grainUnit[this.grainOf(set, u)] === u));
      if (!grainAligned) return null;
    }
    // Each question dimension as a cube dimension (and a value map: titleLevel from title).
    const toCube = (dim: string): { d: number; map: Uint8Array | null; dict: Dict } | null => {
      if (dim === 'titleLevel') {
        const a = this.access('titleLevel')!;
        return { d: CUBE_DIMS.indexOf('title'), map: a.map, dict: a.dict };
      }
      const d = (CUBE_DIMS as readonly string[]).indexOf(dim);
      return d < 0 ? null : { d, map: null, dict: this.dicts.get(dim)! };
    };
    if (new Set(q.by).size !== q.by.length) return null;
    const by = q.by.map(toCube);
    const filters = q.filters.map((f) => ({ f, c: toCube(f.dim) }));
    if (by.some((b) => !b) || filters.some((x) => !x.c)) return null;
    const dims = [...new Set([...by.map((b) => b!.d), ...filters.map((x) => x.c!.d)])].sort((x, y) => x - y);
    const most = { province: 3, city: 2, county: 1 }[set.level];
    if (dims.length > most || dims.filter((d) => d >= CUBE_FIRST_MULTI).length > 1) return null;
    // The province set holds triples only: fewer dimensions are the city set's.
    if (set.level === 'province' && dims.length < 3) return null;
    const multiDim = dims.find((d) => d >= CUBE_FIRST_MULTI);
    const multiFiltered = filters.filter((x) => x.c!.d === multiDim);
    if (multiFiltered.some((x) => x.f.values.length > 1)) return null;
    const cube = set.byKey.get(dims.join(','));
    if (!cube) return null;

    // Groups of grains, as prepare() groups units.
    const groupUnit: number[] = [-1];
    const groupOf = new Map<number, number>();
    const gg = new Int32Array(set.grainUnit.length).fill(-1);
    const anc = q.level ? this.anc.get(q.level)! : null;
    const wholeNode = q.scopePath === null || q.scopePath.split('/').filter(Boolean).length === 1;
    for (let g = 0; g < set.grainUnit.length; g++) {
      const u = set.grainUnit[g];
      // The province set's grain of every unit outside a province (-1): in the whole node's scope only.
      if (u < 0 ? !wholeNode : q.scopePath !== null && !this.unitPaths[u].startsWith(q.scopePath)) continue;
      const a = anc && u >= 0 ? anc[u] : -1;
      if (!anc || a < 0) {
        gg[g] = 0;
        continue;
      }
      let k = groupOf.get(a);
      if (k === undefined) {
        k = groupUnit.length;
        groupUnit.push(a);
        groupOf.set(a, k);
      }
      gg[g] = k;
    }

    // Per cube dimension (position 0 = a, 1 = b, 2 = c): which slots pass the filters.
    const pos = (d: number) => (d === cube.a ? 0 : d === cube.b ? 1 : 2);
    const allowed: (Uint8Array | null)[] = [null, null, null];
    for (const { f, c } of filters) {
      const p = pos(c!.d);
      const card = [cube.cA, cube.cB, cube.cC][p];
      const ok = new Uint8Array(card);
      const want = new Set(f.values.map((v) => c!.dict.find(v)).filter((x) => x > 0));
      for (let s = 0; s < card; s++) if (want.has(c!.map ? c!.map[s] : s)) ok[s] = 1;
      if (allowed[p]) for (let s = 0; s < card; s++) ok[s] &= allowed[p]![s];
      allowed[p] = ok;
    }

    // Keys as in prepare(): group × span + Σ value × stride.
    const cards = by.map((b) => Math.max(b!.dict.size, 1));
    const strides: number[] = [];
    let span = 1;
    for (let d = by.length - 1; d >= 0; d--) {
      strides[d] = span;
      span *= cards[d];
    }
    const keySpace = groupUnit.length * span;
    const dense = keySpace <= denseMax ? new Uint32Array(keySpace) : null;
    const sparse = dense ? null : new CountTable();
    const byPos = by.map((b) => pos(b!.d));
    const byMap = by.map((b) => b!.map);
    const minAct = q.includeInactive ? 0 : 1;
    let total = 0;
    const people = multiDim !== undefined && multiFiltered.length === 0 ? null : 0;
    const vals = [0, 0, 0];
    const { cA, cB, cC } = cube;
    for (let g = 0; g < gg.length; g++) {
      const grp = gg[g];
      if (grp < 0) continue;
      for (let act = minAct; act <= 1; act++) {
        const off = (g * 2 + act) * cube.block;
        if (off >= cube.counts.length) continue;
        for (let x = 0; x < cA; x++) {
          if (allowed[0] && !allowed[0][x]) continue;
          for (let y = 0; y < cB; y++) {
            if (allowed[1] && !allowed[1][y]) continue;
            for (let z = 0; z < cC; z++) {
              const n = cube.counts[off + (x * cB + y) * cC + z];
              if (n === 0 || (allowed[2] && !allowed[2][z])) continue;
              if (people !== null) total += n;
              vals[0] = x;
              vals[1] = y;
              vals[2] = z;
              let key = grp * span;
              for (let k = 0; k < by.length; k++) {
                const s = vals[byPos[k]];
                key += (byMap[k] ? byMap[k]![s] : s) * strides[k];
              }
              if (dense) dense[key] += n;
              else sparse!.add(key, n);
            }
          }
        }
      }
    }
    if (people === null) {
      // Grouped by a multi-valued dimension without filtering it: people are counted without that dimension
      // (from any set that answers it: the province set holds triples only).
      const rest = this.cubeQuery(
        { ...q, by: [], level: null, filters: q.filters.filter((f) => toCube(f.dim)!.d !== multiDim) },
        denseMax,
      );
      if (!rest) return null;
      total = rest.total;
    }
    const rows: EngineRow[] = [];
    const max = q.maxRows ?? Infinity;
    const decode = (key: number, count: number) => {
      const g = Math.floor(key / span);
      const values = by.map((b, d) => b!.dict.codes[Math.floor(key / strides[d]) % cards[d]] ?? null);
      rows.push({ unit: q.level ? (groupUnit[g] >= 0 ? this.unitCodes[groupUnit[g]] : null) : null, values, n: count });
    };
    if (sparse && sparse.size > max) return { rows: [], total, tooManyRows: true };
    if (dense) {
      for (let k = 0; k < dense.length; k++) {
        if (dense[k] === 0) continue;
        if (rows.length >= max) return { rows: [], total, tooManyRows: true };
        decode(k, dense[k]);
      }
    } else sparse!.forEach(decode);
    return { rows, total };
  }

  /** A question compiled against the current columns: `run` counts a range of positions, `finish` decodes. */
  private prepare(
    q: EngineQuery,
    denseMax = DENSE_MAX,
  ): {
    size: number;
    run(from: number, to: number): void;
    finish(): { rows: EngineRow[]; total: number; tooManyRows?: boolean };
    /** A folded scan's loop and columns (a scan worker runs the same over a part), and how its counts are added. */
    folded?: {
      shape: ScanShape;
      parts: Omit<ScanParts, 'dense'>;
      dense: Uint32Array;
      add(counts: Uint32Array, passed: number): void;
    };
  } {
    const { ug, groupUnit } = this.unitGroups(q.level, q.scopePath);

    // Filters: the slots (or bit mask) each allows; a dimension nobody has a value of matches no one.
    const absent = new Uint8Array(1);
    const fAcc: Access[] = [];
    const fAllowed: Uint8Array[] = [];
    const fMask: number[] = [];
    const restrict = new Map<string, number>();
    for (const f of q.filters) {
      const a = this.access(f.dim) ?? { col: absent, map: null, dict: new Dict(2), multi: false };
      const slots = f.values.map((v) => a.dict.find(v)).filter((s) => s > 0);
      fAcc.push(a);
      if (a.multi) {
        const mask = slots.reduce((m, s) => (m | (1 << (s - 1))) >>> 0, 0);
        fMask.push(mask);
        fAllowed.push(absent);
        restrict.set(f.dim, mask);
      } else {
        const allowed = new Uint8Array(a.dict.size);
        for (const s of slots) allowed[s] = 1;
        fAllowed.push(allowed);
        fMask.push(0);
      }
    }

    // Group-by dimensions: mixed-radix key = group × Π cards + Σ slot × stride; multi-valued ones expand per value.
    const byAcc = q.by.map((d) => this.access(d) ?? { col: absent, map: null, dict: new Dict(2), multi: false });
    const cards = byAcc.map((a) => Math.max(a.dict.size, 1));
    const strides: number[] = [];
    let span = 1;
    for (let d = byAcc.length - 1; d >= 0; d--) {
      strides[d] = span;
      span *= cards[d];
    }
    const keySpace = groupUnit.length * span;
    const dense = keySpace <= denseMax ? new Uint32Array(keySpace) : null;
    const sparse = dense ? null : new CountTable();
    const scalar = byAcc.map((a, d) => ({ a, d })).filter((x) => !x.a.multi);
    const multis = byAcc.map((a, d) => ({ a, d, r: restrict.get(q.by[d]) ?? 0xffffffff })).filter((x) => x.a.multi);
    const sCol = scalar.map((x) => x.a.col);
    const sMap = scalar.map((x) => x.a.map);
    const sStride = scalar.map((x) => strides[x.d]);
    const fCol = fAcc.map((a) => (a.col === absent ? null : a.col));
    const fMap = fAcc.map((a) => a.map);
    const fMulti = fAcc.map((a) => a.multi);
    const nf = fAcc.length;
    const ns = scalar.length;
    const st = this.state;
    const un = this.unit;
    const minState = q.includeInactive ? 1 : 2;
    const add = (key: number) => {
      if (dense) dense[key]++;
      else sparse!.add(key);
    };
    const m0 = multis[0];
    const m1 = multis[1];
    let total = 0;
    // A scope below the grouping level reads its group's positions only (`positionGroup`).
    const group = q.scopePath !== null ? this.positionGroup(q.scopePath) : null;
    const fast = dense
      ? this.fastScan(q, { ug, span, strides, byAcc, fAcc, fAllowed, fMask, restrict, absent }, group, dense)
      : null;
    this.lastScan = fast ? 'folded' : 'general';
    const run = (from: number, to: number) => {
      for (let j = from; j < to; j++) {
        const i = group === null ? j : group[j];
        if (st[i] < minState) continue;
        const g = ug[un[i]];
        if (g < 0) continue;
        let pass = true;
        for (let f = 0; f < nf; f++) {
          const c = fCol[f];
          if (c === null) {
            pass = false;
            break;
          }
          const m = fMap[f];
          const v = m === null ? c[i] : m[c[i]];
          if (fMulti[f] ? (v & fMask[f]) === 0 : fAllowed[f][v] !== 1) {
            pass = false;
            break;
          }
        }
        if (!pass) continue;
        total++;
        let key = g * span;
        for (let d = 0; d < ns; d++) {
          const m = sMap[d];
          const c = sCol[d];
          key += (m === null ? c[i] : m[c[i]]) * sStride[d];
        }
        if (!m0) {
          add(key);
          continue;
        }
        let a = m0.a.col[i] & m0.r;
        do {
          const bitA = a & -a;
          const keyA = key + (a === 0 ? 0 : 32 - Math.clz32(bitA)) * strides[m0.d];
          if (!m1) add(keyA);
          else {
            let b = m1.a.col[i] & m1.r;
            do {
              const bitB = b & -b;
              add(keyA + (b === 0 ? 0 : 32 - Math.clz32(bitB)) * strides[m1.d]);
              b ^= bitB;
            } while (b !== 0);
          }
          a ^= bitA;
        } while (a !== 0);
      }
    };

    // Keys back to unit codes and value codes.
    const rows: EngineRow[] = [];
    const decode = (key: number, count: number) => {
      const g = Math.floor(key / span);
      const values = byAcc.map((a, d) => a.dict.codes[Math.floor(key / strides[d]) % cards[d]] ?? null);
      rows.push({ unit: q.level ? (groupUnit[g] >= 0 ? this.unitCodes[groupUnit[g]] : null) : null, values, n: count });
    };
    const finish = (): { rows: EngineRow[]; total: number; tooManyRows?: boolean } => {
      const max = q.maxRows ?? Infinity;
      if (sparse && sparse.size > max) return { rows: [], total, tooManyRows: true };
      if (dense) {
        for (let k = 0; k < keySpace; k++) {
          if (dense[k] === 0) continue;
          if (rows.length >= max) return { rows: [], total, tooManyRows: true };
          decode(k, dense[k]);
        }
      } else sparse!.forEach(decode);
      return { rows, total };
    };
    const size = group === null ? this.size : group.length;
    if (fast)
      return {
        size,
        run: (from: number, to: number) => {
          total += fast.scan(from, to);
        },
        finish,
        folded:
          fast.shape && fast.parts
            ? {
                shape: fast.shape,
                parts: fast.parts,
                dense: dense!,
                add: (counts: Uint32Array, passed: number) => {
                  for (let k = 0; k < counts.length; k++) dense![k] += counts[k];
                  total += passed;
                },
              }
            : undefined,
      };
    return { size, run, finish };
  }

  /**
   * The scan of {@link prepare} for the common questions (dense counts; byte columns, unit attributes and
   * at most one multi-valued dimension grouped by; no custom indicator): the unit's group, its attributes
   * grouped by and its attributes filtered on are folded into one key per unit before the scan, and every
   * other column read is a byte column (through a byte map where it has one), in a loop written for the
   * question's shape (`scanLoop`).
   * Returns the scan of a slice (adding to `dense`, answering how many passed), or null when the question
   * is not of that shape.
   */
  private fastScan(
    q: EngineQuery,
    p: {
      ug: Int32Array;
      span: number;
      strides: number[];
      byAcc: Access[];
      fAcc: Access[];
      fAllowed: Uint8Array[];
      fMask: number[];
      restrict: Map<string, number>;
      absent: Uint8Array;
    },
    group: Uint32Array | null,
    dense: Uint32Array,
  ): { scan: (from: number, to: number) => number; shape?: ScanShape; parts?: Omit<ScanParts, 'dense'> } | null {
    const isUnit = (a: Access) => a.col === this.unit;
    const isByte = (a: Access) => !a.multi && a.col instanceof Uint8Array;
    // Custom indicators (16-bit columns) take the general loop.
    if ([...p.fAcc, ...p.byAcc].some((a) => !isUnit(a) && !isByte(a) && !a.multi)) return null;
    const multiBy = p.byAcc.map((a, d) => ({ a, d })).filter((x) => x.a.multi);
    if (multiBy.length > 1) return null;
    if (p.byAcc.some((a) => a.col === p.absent)) return null;
    if (p.fAcc.some((a) => a.col === p.absent)) return { scan: () => 0 }; // a dimension nobody has a value of matches no one
    // One key per unit: its output group and its attributes' slots (−1: out of scope or filtered out).
    // In shared memory: the scan workers read it in place (~380,000 units at national).
    const nUnits = p.ug.length;
    const ukey = sharedArray(Int32Array, 4, nUnits);
    const ug = p.ug;
    const span = p.span;
    const unitF = p.fAcc.flatMap((a, f) => (isUnit(a) ? [{ map: a.map!, allowed: p.fAllowed[f] }] : []));
    const unitD = p.byAcc.flatMap((a, d) => (isUnit(a) ? [{ map: a.map!, stride: p.strides[d] }] : []));
    for (let u = 0; u < nUnits; u++) ukey[u] = ug[u] < 0 ? -1 : ug[u] * span;
    for (const { map, allowed } of unitF) for (let u = 0; u < nUnits; u++) if (allowed[map[u]] !== 1) ukey[u] = -1;
    for (const { map, stride } of unitD) for (let u = 0; u < nUnits; u++) if (ukey[u] >= 0) ukey[u] += map[u] * stride;
    const byteF = p.fAcc.map((a, f) => ({ a, f })).filter((x) => isByte(x.a));
    const multiF = p.fAcc.map((a, f) => ({ a, f })).filter((x) => x.a.multi);
    const byteD = p.byAcc.map((a, d) => ({ a, d })).filter((x) => isByte(x.a));
    const m = multiBy[0];
    const shape: ScanShape = {
      grouped: group !== null,
      byteFilterMaps: byteF.map((x) => x.a.map !== null),
      multiFilters: multiF.length,
      byteDimMaps: byteD.map((x) => x.a.map !== null),
      multi: m !== undefined,
    };
    const minState = q.includeInactive ? 1 : 2;
    const parts: Omit<ScanParts, 'dense'> = {
      st: this.state,
      un: this.unit,
      ukey,
      group,
      stateOk: Uint8Array.from([0, 1, 2, 3], (s) => (s >= minState ? 1 : 0)),
      fc: byteF.map((x) => x.a.col as Uint8Array),
      fm: byteF.map((x) => x.a.map),
      fa: byteF.map((x) => {
        const allowed = new Uint8Array(256);
        allowed.set(p.fAllowed[x.f].subarray(0, 256));
        return allowed;
      }),
      mc: multiF.map((x) => x.a.col),
      mk: multiF.map((x) => p.fMask[x.f]),
      dc: byteD.map((x) => x.a.col as Uint8Array),
      dm: byteD.map((x) => x.a.map),
      ds: byteD.map((x) => p.strides[x.d]),
      mCol: m ? m.a.col : null,
      mRestrict: m ? (p.restrict.get(q.by[m.d]) ?? 0xffffffff) : 0,
      mStride: m ? p.strides[m.d] : 0,
    };
    return { scan: scanLoop(shape)({ ...parts, dense }), shape, parts };
  }
}

/**
 * One cube: counts by (grain, active, slot of dimension a, slot of b, slot of c), a, b and c indexes of
 * CUBE_DIMS (-1: none; then its size is 1). At most one of them is multi-valued.
 */
interface Cube {
  a: number;
  b: number;
  c: number;
  cA: number;
  cB: number;
  cC: number;
  /** Cells per grain and activity: cA × cB × cC. */
  block: number;
  counts: Uint32Array;
}

interface CubeSet {
  /**
   * The grain: city (every dimension and pair), county (every dimension alone), or province (every triple
   * of dimensions whose cells fit `WIDE_CELLS_MAX`; the units outside any province share one grain).
   */
  level: 'city' | 'county' | 'province';
  /** Each cube dimension's dictionary size when the set was built (a later code beyond it drops the set). */
  cards: number[];
  grainOfUnit: Int32Array;
  grainUnit: number[];
  grainIndex: Map<number, number>;
  list: Cube[];
  byKey: Map<string, Cube>;
}

/**
 * Adds the rows of a slice to one cube: `vals` holds each cube dimension's values of the slice's rows,
 * `gact` each row's cell block (grain × 2 + active; −1: none). As `cubeRow`, a person with several values
 * of the cube's multi-valued dimension counts once under each (once under "not recorded" with none).
 */
function cubeSlice(c: Cube, vals: (Uint8Array | Uint32Array)[], gact: Int32Array, len: number): void {
  if (c.c >= 0) return cubeSlice3(c, vals, gact, len);
  const counts = c.counts;
  const block = c.block;
  if (c.a < 0) {
    for (let k = 0; k < len; k++) if (gact[k] >= 0) counts[gact[k] * block]++;
    return;
  }
  const multiA = c.a >= CUBE_FIRST_MULTI;
  const multiB = c.b >= CUBE_FIRST_MULTI;
  if (!multiA && !multiB) {
    const va = vals[c.a];
    if (c.b < 0) {
      for (let k = 0; k < len; k++) if (gact[k] >= 0) counts[gact[k] * block + va[k]]++;
      return;
    }
    const vb = vals[c.b];
    const cB = c.cB;
    for (let k = 0; k < len; k++) if (gact[k] >= 0) counts[gact[k] * block + va[k] * cB + vb[k]]++;
    return;
  }
  // One multi-valued dimension: `a` alone (then cB = 1), or `b` with a scalar `a`.
  const m = vals[multiA ? c.a : c.b];
  const other = multiA ? null : vals[c.a];
  const cB = c.cB;
  for (let k = 0; k < len; k++) {
    const g = gact[k];
    if (g < 0) continue;
    countMask(counts, g * block + (other ? other[k] * cB : 0), m[k]);
  }
}

/** The live rows of a slice (`gact` ≥ 0) in order of their cell block, their values with them, into `outGact` / `outVals`. */
function sortByBlock(
  gact: Int32Array,
  vals: (Uint8Array | Uint32Array)[],
  len: number,
  outGact: Int32Array,
  outVals: (Uint8Array | Uint32Array)[],
): { g: Int32Array; v: (Uint8Array | Uint32Array)[]; len: number } {
  let max = -1;
  for (let k = 0; k < len; k++) if (gact[k] > max) max = gact[k];
  const start = new Int32Array(max + 2);
  for (let k = 0; k < len; k++) if (gact[k] >= 0) start[gact[k] + 1]++;
  for (let b = 0; b <= max; b++) start[b + 1] += start[b];
  const live = start[max + 1];
  const order = new Int32Array(live);
  for (let k = 0; k < len; k++) if (gact[k] >= 0) order[start[gact[k]]++] = k;
  for (let j = 0; j < live; j++) outGact[j] = gact[order[j]];
  for (let d = 0; d < vals.length; d++) {
    const src = vals[d];
    const dst = outVals[d];
    for (let j = 0; j < live; j++) dst[j] = src[order[j]];
  }
  return { g: outGact, v: outVals, len: live };
}

/** `cubeSlice` for a cube of three dimensions (the province set), at most one of them multi-valued. */
function cubeSlice3(c: Cube, vals: (Uint8Array | Uint32Array)[], gact: Int32Array, len: number): void {
  const counts = c.counts;
  const block = c.block;
  const va = vals[c.a];
  const vb = vals[c.b];
  const vc = vals[c.c];
  const sA = c.cB * c.cC;
  const sB = c.cC;
  // Dimensions are in CUBE_DIMS order, multi-valued ones last: only c can be multi-valued.
  if (c.c < CUBE_FIRST_MULTI) {
    for (let k = 0; k < len; k++) {
      const g = gact[k];
      if (g >= 0) counts[g * block + va[k] * sA + vb[k] * sB + vc[k]]++;
    }
    return;
  }
  for (let k = 0; k < len; k++) {
    const g = gact[k];
    if (g < 0) continue;
    countMask(counts, g * block + va[k] * sA + vb[k] * sB, vc[k]);
  }
}

/**
 * Counts a person once under each value of a multi-valued bit mask (slot = bit + 1), once in slot 0 with
 * none; `sign` -1 takes them out again.
 */
function countMask(counts: Uint32Array, base: number, mask: number, sign = 1): void {
  if (mask === 0) {
    counts[base] += sign;
    return;
  }
  let bits = mask;
  do {
    const bit = bits & -bits;
    counts[base + 32 - Math.clz32(bit)] += sign;
    bits = (bits ^ bit) >>> 0;
  } while (bits !== 0);
}

/**
 * Counts by integer key (< 2^53) in an open-addressing table of typed arrays: for key spaces too large
 * for a dense array (e.g. every county × four dimensions), without a JS Map's per-entry cost.
 */
export class CountTable {
  private keys: Float64Array;
  private counts: Uint32Array;
  private shift: number;
  private used = 0;

  /** Distinct keys counted. */
  get size(): number {
    return this.used;
  }

  constructor(bits = 16) {
    this.keys = new Float64Array(1 << bits).fill(-1);
    this.counts = new Uint32Array(1 << bits);
    this.shift = 32 - bits;
  }

  add(key: number, n = 1): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let h = Math.imul((key | 0) ^ Math.imul((key / 4294967296) | 0, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
    for (;;) {
      const k = keys[h];
      if (k === key) {
        this.counts[h] += n;
        return;
      }
      if (k === -1) {
        keys[h] = key;
        this.counts[h] = n;
        if (++this.used * 2 > keys.length) this.grow();
        return;
      }
      h = (h + 1) & mask;
    }
  }

  forEach(f: (key: number, count: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== -1) f(this.keys[i], this.counts[i]);
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    const bits = 32 - this.shift + 1;
    this.keys = new Float64Array(1 << bits).fill(-1);
    this.counts = new Uint32Array(1 << bits);
    this.shift = 32 - bits;
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1) this.add(keys[i], counts[i]);
  }
}

/** COPY text format escapes (`\\`, `\t`, `\n`, `\r`, …). */
function unescapeCopy(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', v: '\v' })[c] ?? c);
}

import { INDICATOR_SET_BY_SCHOOL_TYPE, TITLE_LEVEL_OF_TITLE } from '@tmis/core-indicators';
import { AGE_BANDS, RETIRE_HORIZON_YEARS } from './dimensions.js';

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
const LEVELS: readonly Level[] = ['province', 'city', 'county', 'school'];

const ageOf = (ref: number, birth: number) => Math.floor((ref - birth) / 10000);

export class FactEngine {
  /** Rows: capacity, and one past the highest position loaded. */
  private cap = 0;
  size = 0;
  /** 0: no row at this position (dead, or a gap), 1: inactive person, 2: active person. */
  private state = new Uint8Array(0);
  private unit = new Uint32Array(0);
  private bytes = new Map<ByteDim | 'ageBand' | 'retireYear', Uint8Array>();
  private birth = new Int32Array(0);
  private retireY = new Uint16Array(0);
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
  constructor(private readonly qualifyCustom = false) {
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
    this.dicts.set('titleLevel', new Dict(256));
    this.dicts.set('subject', new Dict(33));
    this.dicts.set('qualificationType', new Dict(33));
    for (const d of [...BYTE_DIMS, 'ageBand', 'retireYear'] as const) this.bytes.set(d, new Uint8Array(0));
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
    let b = this.state.byteLength + this.unit.byteLength + this.birth.byteLength + this.retireY.byteLength;
    for (const c of this.bytes.values()) b += c.byteLength;
    for (const c of this.multi.values()) b += c.byteLength;
    for (const c of this.custom.values()) b += c.col.byteLength;
    return b;
  }

  // ---- units ----

  /** (Re)loads the unit table; a unit keeps its slot across reloads (rows refer to it). */
  setUnits(rows: UnitRow[]): void {
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
    this.state = grow(this.state, (k) => new Uint8Array(k));
    this.unit = grow(this.unit, (k) => new Uint32Array(k));
    this.birth = grow(this.birth, (k) => new Int32Array(k));
    this.retireY = grow(this.retireY, (k) => new Uint16Array(k));
    for (const [k, a] of this.bytes)
      this.bytes.set(
        k,
        grow(a, (m) => new Uint8Array(m)),
      );
    for (const [k, a] of this.multi)
      this.multi.set(
        k,
        grow(a, (m) => new Uint32Array(m)),
      );
    for (const c of this.custom.values()) c.col = grow(c.col, (m) => new Uint16Array(m));
    this.cap = cap;
    this.cacheColumns();
  }

  /** Empties a position (its teacher's row died). */
  kill(pos: number): void {
    if (pos < this.size && this.state[pos] !== 0) {
      this.state[pos] = 0;
      this.live--;
    }
  }

  /**
   * One line of `loadSql` (COPY text format, tab-separated, `\N` for null): pos, unit, province, school type,
   * active, sex, birth (yyyymmdd), retirement year, ethnicity, political status, highest education, title,
   * staff category, on establishment, person status, pay band, subjects, qualification types, custom (JSON).
   */
  put(f: string[]): void {
    const pos = Number(f[0]);
    this.reserve(pos + 1);
    if (pos >= this.size) this.size = pos + 1;
    const v = (s: string) => (s === '\\N' ? null : s.includes('\\') ? unescapeCopy(s) : s);
    this.unit[pos] = this.unitOf(v(f[1]), v(f[2]), v(f[3]));
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
    this.band(pos);
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
  }

  /** Sets the date the bands are for (the refresh's asOf); recomputes every row's bands when it changes. */
  setReferenceDate(date: Date): void {
    const ref = date.getFullYear() * 10000 + (date.getMonth() + 1) * 100 + date.getDate();
    if (ref === this.refDate) return;
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
  ): Promise<{ rows: EngineRow[]; total: number; tooManyRows?: boolean }> {
    const scan = this.prepare(q);
    for (let from = 0; from < scan.size; from += slice) {
      scan.run(from, Math.min(scan.size, from + slice));
      if (from + slice < scan.size) await new Promise((r) => setImmediate(r));
    }
    return scan.finish();
  }

  /** A question compiled against the current columns: `run` counts a range of positions, `finish` decodes. */
  private prepare(
    q: EngineQuery,
    denseMax = DENSE_MAX,
  ): {
    size: number;
    run(from: number, to: number): void;
    finish(): { rows: EngineRow[]; total: number; tooManyRows?: boolean };
  } {
    // Units: the output group of each unit in scope (-1: out of scope; 0: no unit at the level).
    const nUnits = this.unitCodes.length;
    const ug = new Int32Array(nUnits).fill(-1);
    const groupUnit: number[] = [-1];
    const groupOf = new Map<number, number>();
    const anc = q.level ? this.anc.get(q.level)! : null;
    for (let u = 0; u < nUnits; u++) {
      if (q.scopePath !== null && !this.unitPaths[u].startsWith(q.scopePath)) continue;
      if (!anc) {
        ug[u] = 0;
        continue;
      }
      const a = anc[u];
      if (a < 0) {
        ug[u] = 0;
        continue;
      }
      let g = groupOf.get(a);
      if (g === undefined) {
        g = groupUnit.length;
        groupUnit.push(a);
        groupOf.set(a, g);
      }
      ug[u] = g;
    }

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
    const run = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
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
        for (let k = 0; k < dense.length; k++) {
          if (dense[k] === 0) continue;
          if (rows.length >= max) return { rows: [], total, tooManyRows: true };
          decode(k, dense[k]);
        }
      } else sparse!.forEach(decode);
      return { rows, total };
    };
    return { size: this.size, run, finish };
  }
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

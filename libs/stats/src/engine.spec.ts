import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CountTable, Dict, FactEngine, OVERFLOW_CODE, type EngineQuery } from './engine.js';
import { ScanPool } from './scan-pool.js';

/** A `loadSql` line: pos, unit, province, school type, active, sex, birth, retirement year, ethnicity, political status, education, title, staff category, on establishment, person status, pay band, subjects, qualifications, custom. */
function line(
  pos: number,
  o: {
    unit: string;
    active?: boolean;
    sex?: string;
    birth?: number;
    retire?: number;
    title?: string;
    subjects?: string;
    quals?: string;
    custom?: Record<string, unknown>;
    status?: string;
  },
): string[] {
  const n = (v: string | undefined) => v ?? '\\N';
  return [
    String(pos),
    o.unit,
    '110000',
    '\\N',
    o.active === false ? '0' : '1',
    n(o.sex),
    String(o.birth ?? 0),
    String(o.retire ?? 0),
    '01',
    '13',
    '21',
    n(o.title),
    '11',
    '1',
    n(o.status ?? '01'),
    '\\N',
    o.subjects ?? '',
    o.quals ?? '',
    o.custom ? JSON.stringify(o.custom) : '\\N',
  ];
}

function engine(): FactEngine {
  const e = new FactEngine();
  e.setReferenceDate(new Date(2026, 10, 29));
  e.setUnits([
    {
      code: '110000',
      kind: 'province',
      path: '/110000/',
      name: '北京市',
      schoolType: null,
      urbanRural: null,
      sponsor: null,
    },
    {
      code: '110100',
      kind: 'city',
      path: '/110000/110100/',
      name: '市辖区',
      schoolType: null,
      urbanRural: null,
      sponsor: null,
    },
    {
      code: '110101',
      kind: 'county',
      path: '/110000/110100/110101/',
      name: '东城区',
      schoolType: null,
      urbanRural: null,
      sponsor: null,
    },
    {
      code: '110102',
      kind: 'county',
      path: '/110000/110100/110102/',
      name: '西城区',
      schoolType: null,
      urbanRural: null,
      sponsor: null,
    },
    {
      code: 'S1',
      kind: 'school',
      path: '/110000/110100/110101/S1/',
      name: '一小',
      schoolType: '21',
      urbanRural: '111',
      sponsor: '1',
    },
    {
      code: 'S2',
      kind: 'school',
      path: '/110000/110100/110102/S2/',
      name: '二中',
      schoolType: '31',
      urbanRural: '112',
      sponsor: '2',
    },
  ]);
  e.put(line(0, { unit: 'S1', sex: '1', birth: 19700101, retire: 2030, title: '012', subjects: '01,02', quals: '2' }));
  e.put(line(1, { unit: 'S1', sex: '2', birth: 19960615, retire: 2051, title: '013', subjects: '01' }));
  e.put(line(2, { unit: 'S2', sex: '2', birth: 19800301, title: '011', subjects: '', custom: { x_band: 'A' } }));
  e.put(line(3, { unit: 'S2', sex: '1', active: false, status: '05', subjects: '03' }));
  // A school national does not know yet: counted in its province, in no city or county.
  e.put(line(5, { unit: 'S9', sex: '1', birth: 19650101, retire: 2025, title: '012', subjects: '02' }));
  return e;
}

const q = (o: Partial<EngineQuery>): EngineQuery => ({
  by: [],
  level: null,
  scopePath: null,
  filters: [],
  includeInactive: false,
  ...o,
});
const table = (r: { rows: { unit: string | null; values: (string | null)[]; n: number }[] }) =>
  Object.fromEntries(r.rows.map((x) => [[x.unit, ...x.values].join('|'), x.n]));

describe('statistics engine', () => {
  it('counts active people by a dimension, and by unit level with unknown units unassigned', () => {
    const e = engine();
    assert.deepEqual(table(e.query(q({ by: ['sex'] }))), { '|1': 2, '|2': 2 });
    assert.equal(e.query(q({ by: ['sex'] })).total, 4);
    assert.deepEqual(table(e.query(q({ by: ['schoolType'], level: 'county' }))), {
      '110101|21': 2,
      '110102|31': 1,
      '|': 1,
    });
    assert.deepEqual(table(e.query(q({ level: 'province' }))), { '110000': 4 });
    assert.equal(e.query(q({ includeInactive: true })).total, 5);
  });

  it('multi-valued dimensions count a person once per value, and once as not recorded without one', () => {
    const e = engine();
    assert.deepEqual(table(e.query(q({ by: ['subject'] }))), { '|01': 2, '|02': 2, '|': 1 });
    assert.deepEqual(table(e.query(q({ by: ['subject', 'qualificationType'] }))), {
      '|01|2': 1,
      '|02|2': 1,
      '|01|': 1,
      '|02|': 1,
      '||': 1,
    });
    // Filtered on the same dimension: only the asked values, and people having any of them.
    const r = e.query(q({ by: ['subject'], filters: [{ dim: 'subject', values: ['02'] }] }));
    assert.deepEqual(table(r), { '|02': 2 });
    assert.equal(r.total, 2);
  });

  it('scopes by path, filters, derived dimensions and bands at the reference date', () => {
    const e = engine();
    assert.equal(e.query(q({ scopePath: '/110000/110100/110101/' })).total, 2);
    assert.deepEqual(table(e.query(q({ by: ['titleLevel'], filters: [{ dim: 'sex', values: ['1'] }] }))), { '|2': 2 });
    assert.deepEqual(table(e.query(q({ by: ['ageBand'] }))), { '|55': 1, '|60': 1, '|30': 1, '|45': 1 });
    assert.deepEqual(table(e.query(q({ by: ['retireYear'] }))), { '|2030': 1, '|later': 1, '|past': 1, '|': 1 });
    assert.deepEqual(table(e.query(q({ by: ['x_band'] }))), { '|A': 1, '|': 3 });
    assert.equal(e.query(q({ filters: [{ dim: 'title', values: ['999'] }] })).total, 0);
    assert.equal(e.query(q({ filters: [{ dim: 'nothing', values: ['1'] }] })).total, 0);
  });

  it('a dead position stops counting and a reborn row counts where it is now', () => {
    const e = engine();
    assert.equal(e.rows, 5);
    e.kill(1);
    e.kill(1);
    assert.equal(e.rows, 4);
    e.put(line(6, { unit: 'S2', sex: '2', birth: 19960615, title: '013', subjects: '01' }));
    assert.deepEqual(table(e.query(q({ level: 'county' }))), { '110101': 1, '110102': 2, '': 1 });
    // Units move without touching rows: S1 now under 西城区.
    e.setUnits([
      {
        code: 'S1',
        kind: 'school',
        path: '/110000/110100/110102/S1/',
        name: '一小',
        schoolType: '21',
        urbanRural: '111',
        sponsor: '1',
      },
    ]);
    assert.deepEqual(table(e.query(q({ level: 'county' }))), { '110102': 3, '': 1 });
  });

  it('counts in a hash table when the key space is too large for an array, with the same answer', () => {
    const e = engine();
    for (const by of [
      ['sex'],
      ['ethnicity', 'title', 'subject', 'politicalStatus'],
      ['subject', 'qualificationType', 'sex'],
    ]) {
      const wide = q({ by, level: 'school', includeInactive: true });
      const dense = e.query(wide);
      const hashed = e.query(wide, 1);
      assert.deepEqual(table(hashed), table(dense), by.join());
      assert.equal(hashed.total, 5);
    }
    // Past maxRows, no rows but the flag (both ways of counting).
    for (const dm of [undefined, 1]) {
      const capped = e.query(q({ by: ['subject'], level: 'school', maxRows: 2 }), dm);
      assert.deepEqual([capped.rows.length, capped.tooManyRows, capped.total], [0, true, 4]);
    }
  });

  it('the count table keeps every key exactly, across growth and keys above 2^32', () => {
    const t = new CountTable(2);
    const want = new Map<number, number>();
    for (let i = 0; i < 5000; i++) {
      const key = (i % 1700) * 4294967311 + (i % 7);
      t.add(key);
      want.set(key, (want.get(key) ?? 0) + 1);
    }
    const got = new Map<number, number>();
    t.forEach((k, c) => got.set(k, c));
    assert.deepEqual(
      [...got].sort((a, b) => a[0] - b[0]),
      [...want].sort((a, b) => a[0] - b[0]),
    );
  });

  it('dictionaries give 0 to null and share one overflow slot past their capacity', () => {
    const d = new Dict(4);
    assert.equal(d.id(null), 0);
    assert.deepEqual([d.id('a'), d.id('b'), d.id('c'), d.id('d'), d.id('a')], [1, 2, 3, 3, 1]);
    assert.equal(d.codes[3], OVERFLOW_CODE);
  });
});

describe('statistics engine: cubes (issue 17) answer exactly as the scan', () => {
  /** A deterministic pseudo-random generator (the same rows every run). */
  function rng(seed: number) {
    let x = seed;
    return (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
  }
  const units = [
    { code: '110000', kind: 'province', path: '/000000/110000/' },
    { code: '110100', kind: 'city', path: '/000000/110000/110100/' },
    { code: '110101', kind: 'county', path: '/000000/110000/110100/110101/' },
    { code: '440000', kind: 'province', path: '/000000/440000/' },
    { code: '440100', kind: 'city', path: '/000000/440000/440100/' },
    { code: '440300', kind: 'city', path: '/000000/440000/440300/' },
    { code: '440106', kind: 'county', path: '/000000/440000/440100/440106/' },
    { code: '440304', kind: 'county', path: '/000000/440000/440300/440304/' },
    { code: 'A1', kind: 'school', path: '/000000/110000/110100/110101/A1/', schoolType: '21', urbanRural: '111' },
    { code: 'B1', kind: 'school', path: '/000000/440000/440100/440106/B1/', schoolType: '31', urbanRural: '220' },
    { code: 'B2', kind: 'school', path: '/000000/440000/440300/440304/B2/', schoolType: '21', urbanRural: '121' },
    // A central university: outside every province.
    { code: 'U1', kind: 'school', path: '/000000/U1/', schoolType: '41', urbanRural: '111' },
  ].map((u) => ({ schoolType: null, urbanRural: null, sponsor: '1', name: u.code, ...u }));
  const rowLine = (r: (n: number) => number, pos: number) => {
    const pick = <T>(a: T[]) => a[r(a.length)];
    const l = line(pos, {
      unit: pick(['A1', 'B1', 'B2', 'U1', 'Z9']),
      active: r(10) > 0,
      sex: pick(['1', '2', undefined]),
      birth: 19600101 + r(40) * 10000 + 101,
      retire: 2020 + r(30),
      title: pick(['011', '012', '013', '999', undefined]),
      subjects: pick(['', '01', '02', '01,03', '02,04']),
      quals: pick(['', '1', '2,3']),
      status: pick(['01', '02', '05']),
    });
    l[2] = l[1] === 'U1' ? '000000' : l[1] === 'A1' ? '110000' : '440000';
    l[8] = pick(['01', '02', '\\N']); // ethnicity
    l[10] = pick(['14', '21', '31']); // highest education
    return l;
  };
  const questions: EngineQuery[] = [
    q({}),
    q({ by: ['sex'] }),
    q({ by: ['sex'], includeInactive: true }),
    q({ by: ['ageBand', 'sex'] }),
    q({ by: ['titleLevel'], level: 'province' }),
    q({ by: ['title'], level: 'city', scopePath: '/000000/440000/' }),
    q({ by: ['subject'], level: 'province' }),
    q({ by: ['subject', 'sex'], level: 'city' }),
    q({ by: ['retireYear', 'subject'], filters: [{ dim: 'retireYear', values: ['2026', '2027', '2028'] }] }),
    q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }] }),
    q({ by: ['schoolType'], scopePath: '/000000/' }),
    q({ by: ['sex'], scopePath: '/000000/U1/' }),
    q({ by: ['subject'], filters: [{ dim: 'subject', values: ['01'] }], level: 'province' }),
    q({ by: ['sex'], filters: [{ dim: 'personStatus', values: ['05'] }], includeInactive: true }),
    q({ by: ['qualificationType'], filters: [{ dim: 'sex', values: ['2'] }] }),
    q({ by: ['highestEducation', 'indicatorSet'], level: 'city' }),
    q({ by: ['ethnicity'], filters: [{ dim: 'titleLevel', values: ['2', '3'] }] }),
    // By county, or in a county's scope: one dimension from the county cubes, two scanned.
    q({ by: ['subject'], level: 'county' }),
    q({ by: ['sex'], level: 'county', scopePath: '/000000/440000/' }),
    q({ by: ['titleLevel'], level: 'county', includeInactive: true }),
    q({ by: ['title'], scopePath: '/000000/440000/440100/440106/' }),
    q({ by: [], filters: [{ dim: 'subject', values: ['02'] }], level: 'county' }),
    q({ by: ['sex'], filters: [{ dim: 'title', values: ['012'] }], level: 'county' }),
    q({ by: ['subject', 'sex'], scopePath: '/000000/440000/440300/440304/' }),
    // Three dimensions (two and a filter on a third), nationally or by province: the province set of triples.
    q({ by: ['subject', 'sex'], level: 'province', filters: [{ dim: 'title', values: ['012', '013'] }] }),
    q({ by: ['sex', 'titleLevel', 'subject'], level: 'province', scopePath: '/000000/440000/' }),
    q({
      by: ['qualificationType'],
      filters: [
        { dim: 'sex', values: ['2'] },
        { dim: 'titleLevel', values: ['2'] },
      ],
    }),
    q({ by: ['ethnicity', 'sex'], filters: [{ dim: 'subject', values: ['01'] }], includeInactive: true }),
    q({ by: ['schoolType', 'ageBand', 'urbanRural'], level: 'province', includeInactive: true }),
    q({
      by: ['sex'],
      filters: [
        { dim: 'personStatus', values: ['05'] },
        { dim: 'retireYear', values: ['2030'] },
      ],
    }),
    // The root's scope holds the central university (the province set's grain of the units outside a province).
    q({ by: ['schoolType', 'sex'], filters: [{ dim: 'title', values: ['011', '012'] }], scopePath: '/000000/' }),
    // Three dimensions by city, in a city's or a central university's scope, or four: scanned.
    q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }], level: 'city' }),
    q({ by: ['urbanRural', 'sex', 'title'], scopePath: '/000000/440000/440100/' }),
    q({ by: ['urbanRural', 'sex', 'title'], scopePath: '/000000/U1/' }),
    q({ by: ['urbanRural', 'sex', 'title', 'ethnicity'] }),
  ];
  /**
   * What the cubes answer: two dimensions by province or city, one by county (or in a county's scope), three
   * nationally or by province (in the node's or a province's scope).
   */
  const fromCubes = (question: EngineQuery) => {
    const dims = new Set(
      [...question.by, ...question.filters.map((f) => f.dim)].map((d) => (d === 'titleLevel' ? 'title' : d)),
    ).size;
    const depth = question.scopePath?.split('/').filter(Boolean).length ?? 0;
    const county = question.level === 'county' || depth > 3;
    const central = question.scopePath === '/000000/U1/';
    if (dims === 3) return !central && depth <= 2 && question.level !== 'city' && question.level !== 'county';
    return dims <= (county ? 1 : 2);
  };
  const sorted = (a: { rows: { unit: string | null; values: (string | null)[]; n: number }[]; total: number }) => ({
    total: a.total,
    rows: table(a),
  });

  it('random rows: every question from the cubes equals the scan, after a build and after catch-ups', async () => {
    const r = rng(17);
    const make = () => {
      const e = new FactEngine(true);
      e.setReferenceDate(new Date(2026, 10, 29));
      e.setUnits(units);
      return e;
    };
    const withCubes = make();
    const scanOnly = make();
    const lines = Array.from({ length: 3000 }, (_, i) => rowLine(r, i));
    for (const l of lines) {
      withCubes.put(l);
      scanOnly.put(l);
    }
    assert.equal(await withCubes.buildCubes(1000), true);
    assert.ok(withCubes.hasCubes);
    for (const question of questions) {
      assert.deepEqual(sorted(withCubes.query(question)), sorted(scanOnly.query(question)), JSON.stringify(question));
      // Two dimensions and a filter on a third: three dimensions, scanned.
      assert.equal(withCubes.lastAnswer, fromCubes(question) ? 'cubes' : 'scan', JSON.stringify(question));
    }
    // By school, or four dimensions: scanned.
    withCubes.query(q({ by: ['sex'], level: 'school' }));
    assert.equal(withCubes.lastAnswer, 'scan');
    withCubes.query(q({ by: ['sex', 'title', 'ethnicity', 'schoolType'] }));
    assert.equal(withCubes.lastAnswer, 'scan');
    // A catch-up: rows die, new rows are born (also in a unit neither knew), and the cubes follow.
    for (let k = 0; k < 400; k++) {
      const pos = r(3000);
      withCubes.kill(pos);
      scanOnly.kill(pos);
    }
    for (let pos = 3000; pos < 3500; pos++) {
      const l = rowLine(r, pos);
      withCubes.put(l);
      scanOnly.put(l);
    }
    assert.ok(withCubes.hasCubes, 'the cubes are maintained, not dropped, by a catch-up');
    for (const question of questions)
      assert.deepEqual(sorted(withCubes.query(question)), sorted(scanOnly.query(question)), JSON.stringify(question));
    // A new code the cubes have no slot for drops them (the next build takes it in); answers stay exact.
    withCubes.put(line(3600, { unit: 'A1', sex: '9' }));
    scanOnly.put(line(3600, { unit: 'A1', sex: '9' }));
    assert.equal(withCubes.hasCubes, false);
    assert.deepEqual(sorted(withCubes.query(q({ by: ['sex'] }))), sorted(scanOnly.query(q({ by: ['sex'] }))));
  });

  it('the folded scan (unit attributes in one key per unit, byte columns) answers as the general loop', () => {
    const r = rng(23);
    const e = new FactEngine(true);
    e.setReferenceDate(new Date(2026, 10, 29));
    e.setUnits(units);
    for (let pos = 0; pos < 4000; pos++) {
      const l = rowLine(r, pos);
      if (r(7) === 0) l[18] = JSON.stringify({ x_band: ['a', 'b', 'c'][r(3)] });
      e.put(l);
    }
    for (let k = 0; k < 300; k++) e.kill(r(4000));
    const more: EngineQuery[] = [
      ...questions,
      q({ by: ['sex', 'schoolType', 'onEstablishment'] }),
      q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'schoolType', values: ['21'] }] }),
      q({
        by: ['sex'],
        filters: [
          { dim: 'urbanRural', values: ['111', '121'] },
          { dim: 'subject', values: ['01', '04'] },
        ],
      }),
      q({ by: ['titleLevel', 'subject'], level: 'city', filters: [{ dim: 'qualificationType', values: ['3'] }] }),
      q({ by: ['sex', 'title', 'subject', 'urbanRural'], includeInactive: true }),
      q({ by: ['sex'], level: 'school', scopePath: '/000000/440000/' }),
      q({ by: ['ethnicity'], filters: [{ dim: 'noSuchDimension', values: ['1'] }] }),
      q({ by: ['sex'], filters: [{ dim: 'sex', values: ['7'] }] }),
    ];
    let folded = 0;
    for (const question of more) {
      const a = sorted(e.query(question));
      if (e.lastAnswer === 'scan' && e.lastScan === 'folded') folded++;
      assert.deepEqual(a, sorted(e.query(question, 0)), JSON.stringify(question));
      assert.equal(e.lastScan, 'general');
    }
    // Two multi-valued dimensions and a custom indicator take the general loop (answers compared above too).
    e.query(q({ by: ['subject', 'qualificationType'] }));
    assert.equal(e.lastScan, 'general');
    e.query(q({ by: ['x_band_44', 'sex'] }));
    assert.equal(e.lastScan, 'general');
    assert.ok(folded >= more.length - 2, `${folded} of ${more.length} questions took the folded scan`);
  });

  it('a long scan shared with scan workers answers as this thread alone; a worker that fails costs no answer', async () => {
    const r = rng(31);
    const pool = new ScanPool(2);
    const failing = new (class extends ScanPool {
      override run(): Promise<{ dense: Uint32Array; passed: number }> {
        return Promise.reject(new Error('a worker that died'));
      }
    })(1);
    const make = (p: ScanPool) => {
      const e = new FactEngine(true, p, 1);
      e.setReferenceDate(new Date(2026, 10, 29));
      e.setUnits(units);
      return e;
    };
    const shared = make(pool);
    const broken = make(failing);
    for (let pos = 0; pos < 5000; pos++) {
      const l = rowLine(r, pos);
      shared.put(l);
      broken.put(l);
    }
    for (let k = 0; k < 300; k++) {
      const pos = r(5000);
      shared.kill(pos);
      broken.kill(pos);
    }
    const asked = [
      ...questions,
      q({ by: ['sex', 'schoolType', 'onEstablishment'] }),
      q({ by: ['titleLevel', 'subject'], level: 'city', filters: [{ dim: 'qualificationType', values: ['3'] }] }),
      q({ by: ['sex', 'title', 'subject', 'urbanRural'], includeInactive: true }),
      q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }], scopePath: '/000000/440000/' }),
    ];
    let split = 0;
    for (const question of asked) {
      const want = sorted(shared.query(question));
      const before = pool.jobs;
      assert.deepEqual(sorted(await shared.queryAsync(question)), want, JSON.stringify(question));
      if (shared.lastScan === 'folded') {
        assert.equal(pool.jobs - before, 2, `two parts scanned by the workers: ${JSON.stringify(question)}`);
        split++;
      }
      assert.deepEqual(sorted(await broken.queryAsync(question)), want, `failing worker: ${JSON.stringify(question)}`);
    }
    assert.ok(split >= asked.length - 2, `${split} of ${asked.length} questions were shared with the workers`);
  });

  it('a scan in a province, city or county scope counts as the national scan by that level, across changes', () => {
    const r = rng(29);
    const e = new FactEngine(true);
    e.setReferenceDate(new Date(2026, 10, 29));
    e.setUnits(units);
    for (let i = 0; i < 3000; i++) e.put(rowLine(r, i));
    const scopes: [EngineQuery['level'], string, string][] = [
      ['province', '440000', '/000000/440000/'],
      ['province', '110000', '/000000/110000/'],
      ['city', '440100', '/000000/440000/440100/'],
      ['county', '440304', '/000000/440000/440300/440304/'],
    ];
    // Questions the cubes do not answer (three dimensions): scanned.
    const asked = [
      q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }] }),
      q({ by: ['sex', 'title', 'ethnicity'], includeInactive: true }),
    ];
    const check = () => {
      for (const [level, code, scopePath] of scopes)
        for (const base of asked) {
          const national = e.query({ ...base, level });
          const want = national.rows.filter((x) => x.unit === code).map((x) => ({ ...x, unit: null }));
          const got = e.query({ ...base, scopePath });
          assert.equal(e.lastAnswer, 'scan');
          assert.deepEqual(table(got), table({ rows: want }), `${scopePath} ${JSON.stringify(base)}`);
          assert.equal(
            got.total,
            want.reduce((t, x) => t + x.n, 0),
          );
          assert.ok(got.total > 0, `${scopePath}: someone in scope`);
        }
    };
    check();
    // Rows die and are born past the end (more than an eighth: the groups are built anew).
    const killed: number[] = [];
    for (let k = 0; k < 400; k++) killed.push(r(3000));
    for (const pos of killed) e.kill(pos);
    for (let pos = 3000; pos < 3600; pos++) e.put(rowLine(r, pos));
    check();
    // A few born past the end, rows dying, a row written again in its group: the groups are kept (the
    // new positions are read after them).
    const live = Array.from({ length: 3000 }, (_, i) => i).find((i) => !killed.includes(i))!;
    const same = rowLine(r, live);
    same[1] = 'B2';
    same[2] = '440000';
    e.put(same);
    check();
    const builds = e.groupBuilds;
    for (let pos = 3600; pos < 3800; pos++) e.put(rowLine(r, pos));
    for (let k = 0; k < 100; k++) e.kill(3000 + r(800));
    same[5] = same[5] === '1' ? '2' : '1';
    e.put(same);
    check();
    assert.equal(e.groupBuilds, builds, 'kept across the catch-up');
    // A row written again into another province, and reborn positions: answers stay exact.
    const moved = rowLine(r, live);
    moved[1] = 'A1';
    moved[2] = '110000';
    e.put(moved);
    check();
    assert.equal(e.groupBuilds, builds + 1, 'built anew after a row moved to another group');
    for (const pos of killed.slice(0, 50)) e.put(rowLine(r, pos));
    check();
    assert.equal(e.groupBuilds, builds + 2, 'built anew after a reborn position');
  });

  it('a unit reload that moves a school to another province moves its people in every scope and level', () => {
    const r = rng(37);
    const e = new FactEngine(true);
    e.setReferenceDate(new Date(2026, 10, 29));
    e.setUnits(units);
    for (let i = 0; i < 2000; i++) e.put(rowLine(r, i));
    const asked = (scopePath: string | null, level: EngineQuery['level']) =>
      e.query(q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }], scopePath, level }));
    const before44 = asked('/000000/440000/', null).total;
    const before11 = asked('/000000/110000/', null).total;
    const byProvince = asked(null, 'province');
    const b2 = asked('/000000/440000/440300/440304/B2/', null).total;
    assert.ok(b2 > 0);
    // B2 moves under Beijing's county (same code, new path and ancestors).
    e.setUnits(units.map((u) => (u.code === 'B2' ? { ...u, path: '/000000/110000/110100/110101/B2/' } : u)));
    assert.equal(asked('/000000/440000/', null).total, before44 - b2);
    assert.equal(asked('/000000/110000/', null).total, before11 + b2);
    const after = asked(null, 'province');
    const sum = (a: typeof after, code: string) => a.rows.filter((x) => x.unit === code).reduce((t, x) => t + x.n, 0);
    assert.equal(sum(after, '440000'), sum(byProvince, '440000') - b2);
    assert.equal(sum(after, '110000'), sum(byProvince, '110000') + b2);
  });

  it('a build follows the rows written while it runs; a unit reload stops it', async () => {
    const r = rng(3);
    const e = new FactEngine();
    const scanOnly = new FactEngine();
    for (const x of [e, scanOnly]) {
      x.setReferenceDate(new Date(2026, 10, 29));
      x.setUnits(units);
    }
    const both = (f: (x: FactEngine) => void) => [e, scanOnly].forEach(f);
    for (let i = 0; i < 2000; i++) {
      const l = rowLine(r, i);
      both((x) => x.put(l));
    }
    // Slices of 100 rows: between the build's turns, rows die, are written again (before and after the
    // slice it reads) and are born past the end, in both sets' builds (the province set is built second).
    const build = e.buildCubes(100, 2000);
    let turns = 0;
    while (!e.cubesComplete && turns < 10_000) {
      await new Promise((res) => setImmediate(res));
      turns++;
      const pos = r(2300);
      if (turns % 3 === 0) both((x) => x.kill(pos));
      else {
        const l = rowLine(r, pos);
        both((x) => x.put(l));
      }
    }
    assert.equal(await build, true);
    assert.ok(turns > 20, `the build yielded ${turns} times`);
    assert.ok(e.cubesComplete && (e.cubeInfo?.provinceCubes ?? 0) > 100, JSON.stringify(e.cubeInfo));
    for (const question of questions) {
      assert.deepEqual(sorted(e.query(question)), sorted(scanOnly.query(question)), JSON.stringify(question));
      assert.equal(e.lastAnswer, fromCubes(question) ? 'cubes' : 'scan', JSON.stringify(question));
    }
    // Dropped alone (before a large catch-up), the province set is built again by the next build.
    e.dropProvinceCubes();
    assert.ok(e.hasCubes && !e.cubesComplete);
    const three = q({ by: ['urbanRural', 'sex'], filters: [{ dim: 'title', values: ['012'] }] });
    e.query(three);
    assert.equal(e.lastAnswer, 'scan');
    assert.equal(await e.buildCubes(), true);
    assert.deepEqual(sorted(e.query(three)), sorted(scanOnly.query(three)));
    assert.equal(e.lastAnswer, 'cubes');
    // A unit reload during a build stops it (the units' grains may have changed); the next build starts over.
    const again = new FactEngine();
    again.setReferenceDate(new Date(2026, 10, 29));
    again.setUnits(units);
    for (let i = 0; i < 2000; i++) again.put(rowLine(r, i));
    const stopped = again.buildCubes(100, 2000);
    again.setUnits(units);
    assert.equal(await stopped, false);
    assert.equal(again.hasCubes, false);
    assert.equal(await again.buildCubes(100), true);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CountTable, Dict, FactEngine, OVERFLOW_CODE, type EngineQuery } from './engine.js';

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

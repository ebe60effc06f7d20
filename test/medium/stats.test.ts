import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { Role } from '@tmis/access';
import { makeIdNumber } from '@tmis/core-indicators';
import type { OrgUnitEntity } from '@tmis/org';
import { SyncIngestService } from '@tmis/sync-ingest';
import { TestNode, unique } from '../support/test-node.js';

/**
 * Statistics against a hand-computed population. Every figure is counted inside this file's own city
 * (and its two counties), so other test files' teachers on the shared database never change them.
 * Age bands and retirement years depend on today's date: they are computed here with the documented
 * rules (docs/statistics.md) and compared with what the database computed.
 */

type P = {
  school: 0 | 1 | 2;
  sex: '1' | '2';
  birth: string;
  eth: string;
  pol: string;
  edu: string;
  title?: string;
  cat: string;
  onEst: boolean;
  subjects?: string[];
  quals: string[];
  pay?: number;
  status?: string;
};

// S0: county A, primary (21); S1: county A, senior secondary (34); S2: county B, kindergarten (11), village, private.
const PEOPLE: P[] = [
  {
    school: 0,
    sex: '1',
    birth: '1965-03-10',
    eth: '01',
    pol: '01',
    edu: '21',
    title: '012',
    cat: '11',
    onEst: true,
    subjects: ['02'],
    quals: ['2'],
    pay: 120000,
  },
  {
    school: 0,
    sex: '2',
    birth: '1972-05-20',
    eth: '01',
    pol: '13',
    edu: '21',
    title: '013',
    cat: '11',
    onEst: true,
    subjects: ['01'],
    quals: ['2'],
    pay: 90000,
  },
  {
    school: 0,
    sex: '2',
    birth: '1990-07-01',
    eth: '03',
    pol: '03',
    edu: '14',
    title: '014',
    cat: '11',
    onEst: true,
    subjects: ['01', '02'],
    quals: ['2', '3'],
    pay: 70000,
  },
  {
    school: 0,
    sex: '1',
    birth: '1988-02-14',
    eth: '01',
    pol: '13',
    edu: '21',
    cat: '12',
    onEst: false,
    subjects: ['03'],
    quals: [],
  },
  {
    school: 0,
    sex: '2',
    birth: '1962-09-01',
    eth: '01',
    pol: '01',
    edu: '31',
    title: '012',
    cat: '11',
    onEst: true,
    subjects: ['02'],
    quals: ['2'],
    pay: 110000,
    status: '05',
  },
  {
    school: 1,
    sex: '1',
    birth: '1970-11-11',
    eth: '11',
    pol: '01',
    edu: '11',
    title: '011',
    cat: '11',
    onEst: true,
    subjects: ['04'],
    quals: ['4'],
    pay: 160000,
  },
  {
    school: 1,
    sex: '2',
    birth: '1985-04-04',
    eth: '01',
    pol: '13',
    edu: '14',
    title: '012',
    cat: '11',
    onEst: true,
    subjects: ['02', '04'],
    quals: ['4'],
    pay: 130000,
  },
  {
    school: 1,
    sex: '1',
    birth: '1995-12-12',
    eth: '01',
    pol: '03',
    edu: '21',
    title: '999',
    cat: '11',
    onEst: true,
    subjects: ['03'],
    quals: ['4'],
    pay: 60000,
  },
  {
    school: 1,
    sex: '2',
    birth: '1968-01-20',
    eth: '01',
    pol: '01',
    edu: '21',
    title: '012',
    cat: '13',
    onEst: true,
    subjects: [],
    quals: [],
    pay: 100000,
  },
  {
    school: 2,
    sex: '2',
    birth: '1998-03-03',
    eth: '01',
    pol: '03',
    edu: '31',
    title: '015',
    cat: '11',
    onEst: true,
    quals: ['1'],
    pay: 50000,
  },
  {
    school: 2,
    sex: '2',
    birth: '1993-08-08',
    eth: '08',
    pol: '13',
    edu: '21',
    title: '014',
    cat: '11',
    onEst: false,
    quals: ['1'],
    pay: 55000,
  },
  {
    school: 2,
    sex: '1',
    birth: '1980-10-10',
    eth: '01',
    pol: '13',
    edu: '31',
    title: '014',
    cat: '55',
    onEst: false,
    quals: [],
  },
];
const ACTIVE = PEOPLE.filter((p) => !p.status);

/** The documented rules, for the date-dependent dimensions. */
function ageBand(birth: string, today = new Date()): string {
  const [y, m, d] = birth.split('-').map(Number);
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age -= 1;
  return age < 25 ? '00' : age >= 60 ? '60' : String(Math.floor(age / 5) * 5);
}
function retireDate(sex: string, birth: string): string {
  const [y, m, d] = birth.split('-').map(Number);
  const [baseAge, reformYear] = sex === '1' ? [60, 1965] : [55, 1970];
  const delay = y < reformYear ? 0 : Math.min(36, Math.floor(((y - reformYear) * 12 + m - 1) / 4) + 1);
  const months = (y + baseAge) * 12 + (m - 1) + delay;
  return `${Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
function retireBand(sex: string, birth: string): string {
  const y = Number(retireDate(sex, birth).slice(0, 4));
  const now = new Date().getFullYear();
  return y < now ? 'past' : y > now + 10 ? 'later' : String(y);
}
const tally = (keys: (string | null)[]) =>
  keys.reduce<Record<string, number>>((m, k) => ({ ...m, [String(k)]: (m[String(k)] ?? 0) + 1 }), {});

function recordOf(p: P, idNumber: string): Record<string, unknown> {
  const year = Number(p.birth.slice(0, 4));
  return {
    basic: {
      name: `统计${String.fromCharCode(0x4e00 + randomInt(0, 2000))}`,
      sex: p.sex,
      nationality: 'CHN',
      ethnicity: p.eth,
      idType: '1',
      idNumber,
      birthDate: p.birth,
      politicalStatus: p.pol,
      workStartMonth: `${year + 20}-09`,
      schoolEntryMonth: `${year + 21}-09`,
      staffCategory: p.cat,
      onEstablishment: p.onEst,
      ...(p.onEst ? {} : { employmentForm: '1' }),
      personStatus: p.status ?? '01',
      ...(p.status ? { statusSince: '2022-09-01' } : {}),
    },
    education: [
      {
        startMonth: `${year + 18}-09`,
        endMonth: `${year + 22}-07`,
        schoolName: '师范大学',
        educationLevel: p.edu,
        isHighest: true,
      },
    ],
    ...(p.title ? { professionalTitle: [{ title: p.title, startMonth: `${year + 25}-09` }] } : {}),
    ...(p.subjects
      ? {
          teaching: p.subjects.map((s) => ({
            schoolYear: '2025-2026',
            semester: '1',
            subject: s,
            grade: '七年级',
            weeklyHours: 10,
          })),
        }
      : {}),
    qualification: p.quals.map((q) => ({ qualificationType: q })),
    ...(p.pay
      ? {
          payBenefits: [
            { year: 2024, annualPay: p.pay - 5000 },
            { year: 2025, annualPay: p.pay },
          ],
        }
      : {}),
  };
}

/** An ID number for the person's birth date and sex (odd sequence = male), unused so far. */
const idFor = (p: P) =>
  makeIdNumber('110101', p.birth.replace(/-/g, ''), randomInt(0, 499) * 2 + (p.sex === '1' ? 1 : 0));

/** A table's rows as `{ "v1|v2": count }` (unit code first when broken down by level). */
const cellsOf = (body: {
  rows: { unit?: { code: string | null }; values: Record<string, { code: string | null }>; count: number | null }[];
  by: { key: string }[];
}) =>
  Object.fromEntries(
    body.rows.map((r) => [
      [...(r.unit ? [r.unit.code] : []), ...body.by.map((d) => r.values[d.key].code)].map(String).join('|'),
      r.count,
    ]),
  );

describe('statistics (provincial node): figures, scope, small cells, pay, freshness, exports', () => {
  let t: TestNode;
  let city: OrgUnitEntity;
  const counties: OrgUnitEntity[] = [];
  const schools: OrgUnitEntity[] = [];
  const ids: string[] = [];
  let provinceAdmin: string;
  let cityAdmin: string;
  let cityQuery: string;
  let countyQuery: string;
  let schoolAdmins: string[];

  const get = (token: string, path: string) => t.api('GET', path, { token });
  const breakdown = (token: string, params: Record<string, string>) =>
    get(token, `/stats/breakdown?${new URLSearchParams(params)}`);
  const refresh = async () => {
    const r = await t.api('POST', '/stats/refresh', { token: provinceAdmin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11', STATS_REFRESH_SECONDS: '0' });
    city = await t.newCity();
    counties.push(await t.newCounty(city), await t.newCounty(city));
    schools.push(
      await t.newSchool(counties[0], '21'),
      await t.newSchool(counties[0], '34'),
      // Created with its attributes (not updated behind the nodes' backs: another test file's node on
      // this shared database may compute these teachers' facts with the units it has read).
      await t.newSchool(counties[1], '11', { urbanRural: '220', sponsor: '2' }),
    );
    provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
    cityAdmin = await t.tokenFor(await t.account(city, Role.InfoAdmin));
    cityQuery = await t.tokenFor(await t.account(city, Role.Query));
    countyQuery = await t.tokenFor(await t.account(counties[0], Role.Query));
    schoolAdmins = await Promise.all(schools.map(async (s) => t.tokenFor(await t.account(s, Role.InfoAdmin))));
    for (const p of PEOPLE) {
      for (let attempt = 0; ; attempt++) {
        const r = await t.api('POST', '/teachers', {
          token: schoolAdmins[p.school],
          body: { unitId: schools[p.school].id, record: recordOf(p, idFor(p)) },
        });
        if (r.status === 409 && attempt < 20) continue; // the random ID number was taken by another test
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids.push(r.body.id);
        break;
      }
    }
    await refresh();
  });
  after(() => t?.close());

  it('the statutory retirement date follows the documented rule (men 60, women 55, raised gradually from 2025)', async () => {
    const cases: [string, string, string][] = [
      ['1', '1964-12-31', '2024-12-31'],
      ['1', '1965-03-10', '2025-04-10'],
      ['1', '1965-05-01', '2025-07-01'],
      ['1', '1976-09-01', '2039-09-01'],
      ['1', '1990-01-01', '2053-01-01'],
      ['2', '1969-12-01', '2024-12-01'],
      ['2', '1972-05-20', '2028-01-20'],
      ['2', '1981-09-01', '2039-09-01'],
      ['9', '1980-01-01', ''],
    ];
    for (const [sex, birth, expected] of cases) {
      const [{ d }] = await t.db.query(`SELECT to_char(tmis_retirement_date($1, $2::date), 'YYYY-MM-DD') AS d`, [
        sex,
        birth,
      ]);
      assert.equal(d ?? '', expected, `${sex} ${birth}`);
      if (expected) assert.equal(retireDate(sex, birth), expected);
    }
  });

  it('every single dimension matches the hand count (active people), with zh and en labels', async () => {
    const expected: Record<string, Record<string, number>> = {
      sex: { 1: 5, 2: 6 },
      schoolType: { 21: 4, 34: 4, 11: 3 },
      indicatorSet: { 'primary-secondary': 8, kindergarten: 3 },
      urbanRural: { 111: 8, 220: 3 },
      sponsor: { 1: 8, 2: 3 },
      ethnicity: { '01': 8, '03': 1, 11: 1, '08': 1 },
      politicalStatus: { '01': 3, 13: 5, '03': 3 },
      highestEducation: { 21: 6, 14: 2, 11: 1, 31: 2 },
      title: { '012': 3, '013': 1, '014': 3, '011': 1, 999: 1, '015': 1, null: 1 },
      titleLevel: { 1: 1, 2: 3, 3: 1, 4: 3, 5: 1, 9: 1, null: 1 },
      staffCategory: { 11: 8, 12: 1, 13: 1, 55: 1 },
      onEstablishment: { 1: 8, 0: 3 },
      personStatus: { '01': 11 },
      // multi-valued: once per subject / qualification type; the total still counts people
      subject: { '01': 2, '02': 3, '03': 2, '04': 2, null: 4 },
      qualificationType: { 1: 2, 2: 3, 3: 1, 4: 3, null: 3 },
      payBand: { P1: 2, P2: 2, P3: 1, P4: 1, P5: 2, P6: 1, null: 2 },
      ageBand: tally(ACTIVE.map((p) => ageBand(p.birth))),
      retireYear: tally(ACTIVE.map((p) => retireBand(p.sex, p.birth))),
    };
    for (const [dim, want] of Object.entries(expected)) {
      const r = await breakdown(cityAdmin, { by: dim, unit: city.id });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.source, 'facts', dim);
      assert.equal(r.body.total, 11, dim);
      assert.deepEqual(cellsOf(r.body), Object.fromEntries(Object.entries(want).map(([k, v]) => [k, v])), dim);
      for (const row of r.body.rows) assert.ok(row.values[dim].zh && row.values[dim].en, `${dim} labels`);
    }
    const sex = await breakdown(cityAdmin, { by: 'sex', unit: city.id });
    assert.deepEqual(
      sex.body.rows.map((r: { values: { sex: unknown } }) => r.values.sex),
      [
        { code: '1', zh: '男', en: 'Male' },
        { code: '2', zh: '女', en: 'Female' },
      ],
    );
    assert.deepEqual(sex.body.by, [{ key: 'sex', zh: '性别', en: 'Sex' }]);
    const title = await breakdown(cityAdmin, { by: 'title', unit: city.id });
    assert.deepEqual(title.body.rows.at(-1).values.title, { code: null, zh: '未填报', en: 'Not recorded' });
  });

  it('pairs, filters, unit levels, three dimensions, school level and inactive people', async () => {
    const pair = await breakdown(cityAdmin, { by: 'sex,schoolType', unit: city.id });
    assert.equal(pair.body.source, 'facts');
    assert.deepEqual(cellsOf(pair.body), { '1|11': 1, '1|21': 2, '1|34': 2, '2|11': 2, '2|21': 2, '2|34': 2 });
    const sexSubject = await breakdown(cityAdmin, { by: 'sex,subject', unit: city.id });
    assert.deepEqual(cellsOf(sexSubject.body), {
      '1|02': 1,
      '1|03': 2,
      '1|04': 1,
      '1|null': 1,
      '2|01': 2,
      '2|02': 2,
      '2|04': 1,
      '2|null': 3,
    });
    const subjQual = await breakdown(cityAdmin, { by: 'subject,qualificationType', unit: city.id });
    assert.deepEqual(cellsOf(subjQual.body), {
      '01|2': 2,
      '01|3': 1,
      '02|2': 2,
      '02|3': 1,
      '02|4': 1,
      '03|4': 1,
      '03|null': 1,
      '04|4': 2,
      'null|1': 2,
      'null|null': 2,
    });
    const filtered = await breakdown(cityAdmin, { by: 'sex', filter: 'title:012', unit: city.id });
    assert.equal(filtered.body.source, 'facts');
    assert.deepEqual(cellsOf(filtered.body), { 1: 1, 2: 2 });
    assert.equal(filtered.body.total, 3);
    assert.deepEqual(filtered.body.filters[0].values, [{ code: '012', zh: '高级教师', en: 'Senior teacher' }]);
    // a subject filter counts people teaching it (with two subjects: teaching either)
    const maths = await breakdown(cityAdmin, { by: 'sex', filter: 'subject:02', unit: city.id });
    assert.deepEqual([maths.body.source, maths.body.total, cellsOf(maths.body)], ['facts', 3, { 1: 1, 2: 2 }]);
    const twoSubjects = await breakdown(cityAdmin, { by: 'sex', filter: 'subject:01|02', unit: city.id });
    assert.deepEqual(
      [twoSubjects.body.source, twoSubjects.body.total, cellsOf(twoSubjects.body)],
      ['facts', 4, { 1: 1, 2: 3 }],
    );

    const byCounty = await breakdown(cityAdmin, { by: 'onEstablishment', level: 'county', unit: city.id });
    assert.equal(byCounty.body.source, 'facts');
    assert.deepEqual(cellsOf(byCounty.body), {
      [`${counties[0].code}|1`]: 7,
      [`${counties[0].code}|0`]: 1,
      [`${counties[1].code}|1`]: 1,
      [`${counties[1].code}|0`]: 2,
    });
    // the factory's county codes are random: find the county's row by its code
    assert.deepEqual(
      byCounty.body.rows.find((r: { unit: { code: string } }) => r.unit.code === counties[0].code).unit,
      { code: counties[0].code, zh: counties[0].name, en: counties[0].name },
    );
    const byCity = await breakdown(cityAdmin, { level: 'city', unit: city.id });
    assert.deepEqual(cellsOf(byCity.body), { [city.code]: 11 });

    const three = await breakdown(cityAdmin, { by: 'sex,schoolType,onEstablishment', unit: city.id });
    assert.equal(three.body.source, 'facts');
    assert.deepEqual(cellsOf(three.body), {
      '1|11|0': 1,
      '1|21|1': 1,
      '1|21|0': 1,
      '1|34|1': 2,
      '2|11|1': 1,
      '2|11|0': 1,
      '2|21|1': 2,
      '2|34|1': 2,
    });
    assert.equal(three.body.total, 11);
    const bySchool = await breakdown(cityAdmin, { by: 'subject', level: 'school', unit: counties[0].id });
    assert.equal(bySchool.body.source, 'facts');
    assert.deepEqual(cellsOf(bySchool.body), {
      [`${schools[0].code}|01`]: 2,
      [`${schools[0].code}|02`]: 2,
      [`${schools[0].code}|03`]: 1,
      [`${schools[1].code}|02`]: 1,
      [`${schools[1].code}|03`]: 1,
      [`${schools[1].code}|04`]: 2,
      [`${schools[1].code}|null`]: 1,
    });
    const inactive = await breakdown(cityAdmin, { by: 'personStatus', includeInactive: 'true', unit: city.id });
    assert.deepEqual(
      [inactive.body.source, inactive.body.total, cellsOf(inactive.body)],
      ['facts', 12, { '01': 11, '05': 1 }],
    );
    const retired = await breakdown(cityAdmin, { by: 'sex', filter: 'personStatus:05', unit: city.id });
    assert.deepEqual([retired.body.source, cellsOf(retired.body)], ['facts', { 2: 1 }]);
  });

  it('named indicators: age pyramid, education and title structure, subject supply by region, retirements in the next N years; mobility answered by the transfers lib', async () => {
    const pyramid = await get(cityAdmin, `/stats/age-pyramid?unit=${city.id}`);
    assert.deepEqual(cellsOf(pyramid.body), tally(ACTIVE.map((p) => `${ageBand(p.birth)}|${p.sex}`)));
    const edu = await get(cityAdmin, `/stats/education-structure?unit=${city.id}`);
    assert.deepEqual(cellsOf(edu.body), { 11: 1, 14: 2, 21: 6, 31: 2 });
    const titles = await get(cityAdmin, `/stats/title-structure?unit=${city.id}`);
    assert.deepEqual(cellsOf(titles.body), { 1: 1, 2: 3, 3: 1, 4: 3, 5: 1, 9: 1, null: 1 });
    const supply = await get(cityAdmin, `/stats/subject-supply?unit=${city.id}`);
    assert.equal(supply.body.level, 'county');
    assert.deepEqual(cellsOf(supply.body), {
      [`${counties[0].code}|01`]: 2,
      [`${counties[0].code}|02`]: 3,
      [`${counties[0].code}|03`]: 2,
      [`${counties[0].code}|04`]: 2,
      [`${counties[0].code}|null`]: 1,
      [`${counties[1].code}|null`]: 3,
    });
    const soon = await get(cityAdmin, `/stats/retirements?years=10&unit=${city.id}`);
    assert.equal(soon.status, 200, JSON.stringify(soon.body));
    const now = new Date().getFullYear();
    const wanted = ACTIVE.filter((p) => {
      const b = retireBand(p.sex, p.birth);
      return /^\d+$/.test(b) && Number(b) < now + 10;
    });
    assert.deepEqual(
      cellsOf(soon.body),
      tally(
        wanted.flatMap((p) =>
          (p.subjects?.length ? p.subjects : [null]).map(
            (s) => `${counties[p.school === 2 ? 1 : 0].code}|${retireBand(p.sex, p.birth)}|${s}`,
          ),
        ),
      ),
    );
    assert.ok(soon.body.notes[0].zh.includes('退休'));
    const mobility = await get(cityQuery, '/stats/mobility');
    // Mobility (libs/transfers) answers from the transfer cases: this city has none.
    assert.equal(mobility.status, 200, JSON.stringify(mobility.body));
    assert.deepEqual(mobility.body.totals, {
      transfersIn: 0,
      transfersOut: 0,
      rotationsIn: 0,
      rotationsOut: 0,
      transfersWithin: 0,
    });
  });

  it('scope: a county query user reads its county only; another county, the city or a level above is 403; teachers are refused', async () => {
    const own = await breakdown(countyQuery, { by: 'schoolType' });
    assert.equal(own.status, 200);
    assert.deepEqual([own.body.total, cellsOf(own.body)], [8, { 21: 4, 34: 4 }]);
    assert.equal(own.body.scope.code, counties[0].code);
    for (const params of [
      { by: 'sex', unit: counties[1].id },
      { by: 'sex', unit: city.id },
      { by: 'sex', level: 'city' },
      { by: 'sex', level: 'province' },
    ] as Record<string, string>[]) {
      const r = await breakdown(countyQuery, params);
      assert.equal(r.status, 403, JSON.stringify(params));
      assert.match(r.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.ok(['OUT_OF_SCOPE', 'STATS_LEVEL_ABOVE_SCOPE'].includes(r.body.code), r.body.code);
    }
    const province = await breakdown(countyQuery, { by: 'sex', unit: (await t.province_()).id });
    assert.equal(province.body.code, 'OUT_OF_SCOPE');
    const teacher = await t.tokenFor(await t.account(schools[0], Role.Teacher));
    assert.equal((await breakdown(teacher, { by: 'sex' })).status, 403);
    assert.equal((await t.api('POST', '/stats/refresh', { token: cityAdmin })).body.code, 'STATS_REFRESH_NOT_ALLOWED');
    assert.equal((await breakdown(cityAdmin, { by: 'shoeSize' })).body.code, 'STATS_UNKNOWN_DIMENSION');
  });

  it('small cells: suppressed for query users on ethnicity and below county level, exact for information administrators', async () => {
    const q = await breakdown(cityQuery, { by: 'ethnicity', unit: city.id });
    assert.equal(q.body.suppression.applied, true);
    assert.deepEqual(cellsOf(q.body), { '01': 8, '03': null, '08': null, 11: null });
    assert.equal(q.body.rows.filter((r: { suppressed: boolean }) => r.suppressed).length, 3);
    assert.equal(q.body.total, 11);
    const admin = await breakdown(cityAdmin, { by: 'ethnicity', unit: city.id });
    assert.equal(admin.body.suppression.applied, false);
    assert.deepEqual(cellsOf(admin.body), { '01': 8, '03': 1, '08': 1, 11: 1 });
    // one dimension at county grain: not personal enough to suppress
    const plain = await breakdown(cityQuery, { by: 'sex', unit: city.id });
    assert.deepEqual([plain.body.suppression.applied, cellsOf(plain.body)], [false, { 1: 5, 2: 6 }]);
    // school level: the 4 primary-school teachers of county A are hidden, and so is the 4 next to it
    const schoolsQ = await breakdown(cityQuery, { by: 'schoolType', level: 'school', unit: counties[0].id });
    assert.equal(schoolsQ.body.suppression.applied, true);
    assert.ok(
      schoolsQ.body.rows.every((r: { count: number | null; suppressed: boolean }) => r.count === null && r.suppressed),
    );
    assert.match(schoolsQ.body.suppression.rule.en, /1 to 4 people/);
  });

  it('pay bands: information administrators only; query users are refused', async () => {
    assert.equal((await breakdown(cityQuery, { by: 'payBand', unit: city.id })).body.code, 'STATS_PAY_NOT_ALLOWED');
    const viaRoute = await get(cityQuery, `/stats/pay-bands?unit=${city.id}`);
    assert.equal(viaRoute.status, 403);
    assert.equal(viaRoute.body.code, 'STATS_PAY_NOT_ALLOWED');
    assert.equal((await breakdown(cityQuery, { by: 'sex', filter: 'payBand:P1' })).status, 403);
    const dims = await get(cityQuery, '/stats/dimensions');
    assert.ok(!dims.body.some((d: { key: string }) => d.key === 'payBand'));
    const pay = await get(cityAdmin, `/stats/pay-bands?unit=${city.id}&level=county`);
    assert.deepEqual(cellsOf(pay.body), {
      [`${counties[0].code}|P2`]: 2,
      [`${counties[0].code}|P3`]: 1,
      [`${counties[0].code}|P4`]: 1,
      [`${counties[0].code}|P5`]: 2,
      [`${counties[0].code}|P6`]: 1,
      [`${counties[0].code}|null`]: 1,
      [`${counties[1].code}|P1`]: 2,
      [`${counties[1].code}|null`]: 1,
    });
  });

  it('exports: CSV and xlsx parse back to the same figures and labels', async () => {
    const json = await breakdown(cityAdmin, { by: 'sex,subject', level: 'county', unit: city.id });
    const csv = await fetch(
      `${t.url}/stats/breakdown?${new URLSearchParams({ by: 'sex,subject', level: 'county', unit: city.id, format: 'csv' })}`,
      { headers: { authorization: `Bearer ${cityAdmin}` } },
    );
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(
      csv.headers.get('content-disposition') ?? '',
      /attachment; filename="breakdown-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const text = (await csv.text()).replace(/^\ufeff/, '');
    const [header, ...lines] = text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    assert.deepEqual(header, [
      'unit_code',
      'unit_zh',
      'unit_en',
      'sex_code',
      'sex_zh',
      'sex_en',
      'subject_code',
      'subject_zh',
      'subject_en',
      'count',
      'suppressed',
    ]);
    const fromCsv = Object.fromEntries(lines.map((l) => [[l[0], l[3], l[6] || 'null'].join('|'), Number(l[9])]));
    assert.deepEqual(fromCsv, cellsOf(json.body));
    assert.ok(lines.some((l) => l[4] === '女' && l[5] === 'Female' && l[7] === '语文' && l[8] === 'Chinese'));

    const xlsx = await fetch(
      `${t.url}/stats/breakdown?${new URLSearchParams({ by: 'sex,subject', level: 'county', unit: city.id, format: 'xlsx' })}`,
      { headers: { authorization: `Bearer ${cityAdmin}` } },
    );
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type') ?? '', /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const sheet = wb.getWorksheet('data')!;
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    assert.deepEqual(rows[0], header);
    const fromXlsx = Object.fromEntries(rows.slice(1).map((l) => [[l[0], l[3], l[6] ?? 'null'].join('|'), l[9]]));
    assert.deepEqual(fromXlsx, cellsOf(json.body));
    const about: unknown[][] = [];
    wb.getWorksheet('about')!.eachRow((row) => about.push((row.values as unknown[]).slice(1)));
    assert.deepEqual(
      about.find((r) => r[0] === 'asOf'),
      ['asOf', json.body.asOf],
    );
  });

  it("custom indicators of the province are dimensions on its node (read from the facts, labelled with the province's codes)", async () => {
    const key = `x_stat${unique().replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 40);
    const def = {
      key,
      zh: '乡村教师类别',
      en: 'Rural teacher class',
      type: 'code',
      codes: [
        { code: 'A', zh: '甲类', en: 'Class A' },
        { code: 'B', zh: '乙类', en: 'Class B' },
      ],
      subSet: 'basic',
      requiredIn: [],
      owner: 'school',
      sensitivity: 'normal',
    };
    assert.equal((await t.api('POST', '/custom-fields', { token: provinceAdmin, body: def })).status, 201);
    for (const [i, v] of [
      [9, 'A'],
      [10, 'A'],
      [11, 'B'],
    ] as const) {
      const cur = await get(schoolAdmins[2], `/teachers/${ids[i]}`);
      const r = await t.api('PATCH', `/teachers/${ids[i]}`, {
        token: schoolAdmins[2],
        body: { version: cur.body.version, changes: { basic: { [key]: v } } },
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    await refresh();
    const r = await breakdown(cityAdmin, { by: key, unit: city.id });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'facts');
    assert.deepEqual(cellsOf(r.body), { A: 2, B: 1, null: 8 });
    assert.deepEqual(r.body.rows[0].values[key], { code: 'A', zh: '甲类', en: 'Class A' });
    const filtered = await breakdown(cityAdmin, { by: 'sex', filter: `${key}:A`, unit: city.id });
    assert.deepEqual(cellsOf(filtered.body), { 2: 2 });
  });

  it('freshness: a changed record changes no figure until the refresh; then it does, and asOf moves on', async () => {
    const before = await breakdown(cityAdmin, { by: 'politicalStatus', unit: city.id });
    assert.deepEqual(cellsOf(before.body), { '01': 3, '03': 3, 13: 5 });
    const cur = await get(schoolAdmins[0], `/teachers/${ids[3]}`);
    const upd = await t.api('PATCH', `/teachers/${ids[3]}`, {
      token: schoolAdmins[0],
      body: { version: cur.body.version, changes: { basic: { politicalStatus: '01' } } },
    });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    const stale = await breakdown(cityAdmin, { by: 'politicalStatus', unit: city.id });
    assert.deepEqual([cellsOf(stale.body), stale.body.asOf], [{ '01': 3, '03': 3, 13: 5 }, before.body.asOf]);
    const fresh0 = await get(cityQuery, '/stats/freshness');
    assert.equal(new Date(fresh0.body.asOf).toISOString(), before.body.asOf);
    const done = await refresh();
    assert.equal(done.status, 'ok');
    // Only the teachers written since the last refresh are recomputed (other test files write on this database too).
    assert.equal(done.mode, 'incremental');
    assert.ok(done.factRows >= 12 && done.changedRows >= 1 && done.changedRows < done.factRows, JSON.stringify(done));
    const after_ = await breakdown(cityAdmin, { by: 'politicalStatus', unit: city.id });
    assert.deepEqual(cellsOf(after_.body), { '01': 4, '03': 3, 13: 4 });
    assert.ok(new Date(after_.body.asOf) > new Date(before.body.asOf));
    const fresh = await get(cityQuery, '/stats/freshness');
    assert.equal(new Date(fresh.body.asOf).toISOString(), after_.body.asOf);
    assert.equal(fresh.body.lastRefresh.trigger, 'manual');
    // two refreshes at once are serialised, both succeed
    const both = await Promise.all([
      t.api('POST', '/stats/refresh', { token: provinceAdmin }),
      t.api('POST', '/stats/refresh', { token: provinceAdmin }),
    ]);
    assert.deepEqual(
      both.map((b) => b.body.status),
      ['ok', 'ok'],
    );
    assert.notEqual(both[0].body.id, both[1].body.id);
  });

  it('a full rebuild, or one after a crash emptied the unlogged facts, gives the same figures; the node reloads them into memory', async () => {
    const before = await breakdown(cityAdmin, { by: 'sex,subject', level: 'county', unit: city.id });
    const full = await t.api('POST', '/stats/refresh?full=true', { token: provinceAdmin });
    assert.deepEqual([full.status, full.body.mode, full.body.generation], [200, 'full', full.body.id]);
    const afterFull = await breakdown(cityAdmin, { by: 'sex,subject', level: 'county', unit: city.id });
    assert.deepEqual(cellsOf(afterFull.body), cellsOf(before.body));
    const info = await get(provinceAdmin, '/stats/freshness');
    assert.equal(info.body.memory.refreshId, full.body.id);
    assert.ok(info.body.memory.rows >= 12 && info.body.memory.bytes > 0, JSON.stringify(info.body.memory));
    // What a crash does to an unlogged table; the next refresh rebuilds instead of changing nothing.
    await t.db.query(`TRUNCATE stat_fact`);
    const rebuilt = await refresh();
    assert.ok(Number(rebuilt.generation) > Number(full.body.id), JSON.stringify(rebuilt));
    assert.deepEqual(
      cellsOf((await breakdown(cityAdmin, { by: 'sex,subject', level: 'county', unit: city.id })).body),
      cellsOf(before.body),
    );
    assert.equal((await t.api('POST', '/stats/refresh?full=yes', { token: provinceAdmin })).status, 400);
  });
});

describe('statistics (national node): the roll-up of national_teacher joined to the schools', () => {
  let n: TestNode;
  before(async () => {
    n = await TestNode.start('national', { STATS_REFRESH_SECONDS: '0' });
  });
  after(() => n?.close());

  it('counts reported records by school, derived from the record as on the province; a county user sees its county', async () => {
    const county = await n.newCounty();
    const school = await n.newSchool(county, '34');
    const other = await n.newSchool(await n.newCounty(), '21');
    const people: (P & { unit: OrgUnitEntity })[] = [
      { ...PEOPLE[0], unit: school },
      { ...PEOPLE[2], unit: school },
      { ...PEOPLE[6], unit: school },
      { ...PEOPLE[3], unit: school },
      { ...PEOPLE[4], unit: school },
      { ...PEOPLE[1], unit: other },
    ];
    // Through the real ingest path (the message a province's outbox relay publishes), without a broker.
    const ingest = n.node.app.get(SyncIngestService);
    const band = `x_band${randomInt(100000, 999999)}`;
    // Sequences after the province's head here (other files share this database); a jump beyond the head of
    // more than SEQUENCE_WINDOW would be refused as absurd.
    const [{ head }] = await n.db.query(
      `SELECT COALESCE(max(max_sequence), 0)::bigint AS head FROM sync_progress WHERE province_code = '11'`,
    );
    const base = Number(head) + 1_000_000 + randomInt(0, 8_000_000);
    for (const [i, p] of people.entries()) {
      const record = recordOf(p, idFor(p));
      const payload = {
        teacherId: randomUUID(),
        unitCode: p.unit.code,
        idType: '1',
        idNumber: (record.basic as { idNumber: string }).idNumber,
        name: '统计',
        personStatus: p.status ?? '01',
        reportedVersion: 1,
        record,
        catalogueVersion: '2026.1',
        custom: i < 2 ? { [band]: 'A' } : {},
      };
      const outcome = await ingest.apply(
        JSON.stringify({
          schemaVersion: 2,
          eventId: randomUUID(),
          provinceCode: '11',
          sequence: base + i,
          type: 'teacher.upserted',
          key: payload.teacherId,
          occurredAt: new Date().toISOString(),
          payload,
        }),
      );
      assert.equal(outcome, 'applied');
    }
    // The province's custom indicator, as its relay publishes it.
    const defs = {
      definitions: [
        {
          key: band,
          zh: '类别',
          en: 'Band',
          type: 'code',
          subSet: 'basic',
          codes: [{ code: 'A', zh: '甲类', en: 'Class A' }],
          version: 1,
          status: 'active',
        },
      ],
    };
    const sent = await ingest.apply(
      JSON.stringify({
        schemaVersion: 2,
        eventId: randomUUID(),
        provinceCode: '11',
        sequence: base + 100,
        type: 'custom-fields.changed',
        key: 'custom-fields',
        occurredAt: new Date().toISOString(),
        payload: defs,
      }),
    );
    assert.equal(sent, 'applied');
    const ministry = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.InfoAdmin));
    const r = await n.api('POST', '/stats/refresh', { token: ministry });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'national_teacher+teacher');
    const countyQuery = await n.tokenFor(await n.account(county, Role.Query));
    const get = (by: string) => n.api('GET', `/stats/breakdown?by=${by}`, { token: countyQuery });
    const sub = await get('sex,subject');
    assert.equal(sub.status, 200, JSON.stringify(sub.body));
    assert.equal(sub.body.total, 4);
    assert.deepEqual(cellsOf(sub.body), { '1|02': 1, '1|03': 1, '2|01': 1, '2|02': 2, '2|04': 1 });
    assert.deepEqual(cellsOf((await get('highestEducation')).body), { 14: 2, 21: 2 });
    assert.deepEqual(cellsOf((await get('title')).body), { '012': 2, '014': 1, null: 1 });
    assert.deepEqual(cellsOf((await get('schoolType')).body), { 34: 4 });
    assert.deepEqual(cellsOf((await get('onEstablishment')).body), { 0: 1, 1: 3 });
    assert.deepEqual(cellsOf((await get('qualificationType')).body), { 2: 2, 3: 1, 4: 1, null: 1 });
    const minCounty = await n.api('GET', `/stats/breakdown?by=sex&level=county&unit=${(await n.province_()).id}`, {
      token: ministry,
    });
    assert.equal(cellsOf(minCounty.body)[`${county.code}|2`], 2);
    const inactive = await n.api('GET', `/stats/breakdown?by=personStatus&includeInactive=true`, {
      token: countyQuery,
    });
    assert.deepEqual(cellsOf(inactive.body), { '01': 4, '05': 1 });
    assert.equal(
      (await n.api('GET', `/stats/breakdown?by=sex&unit=${(await n.province_()).id}`, { token: countyQuery })).status,
      403,
    );
    // The province's custom indicator is a dimension at national, qualified by the province.
    const dims = await n.api('GET', '/stats/dimensions', { token: countyQuery });
    const dim = dims.body.find((d: { key: string }) => d.key === `${band}_11`);
    assert.ok(
      dim && dim.custom && dim.en.startsWith('Band ('),
      JSON.stringify(dims.body.filter((d: { custom: boolean }) => d.custom)),
    );
    const custom = await get(`${band}_11`);
    assert.equal(custom.status, 200, JSON.stringify(custom.body));
    assert.deepEqual(cellsOf(custom.body), { A: 2, null: 2 });
    assert.deepEqual(custom.body.rows[0].values[`${band}_11`], { code: 'A', zh: '甲类', en: 'Class A' });
  });
});

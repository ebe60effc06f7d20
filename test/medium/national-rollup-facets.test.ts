import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { SyncIngestService } from '@tmis/sync-ingest';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

type Rec = Record<string, unknown>;
const pick = <T>(xs: readonly T[]): T => xs[randomInt(0, xs.length)];

/** What a ministry user filters on, as the record says it (the expected values, by construction). */
interface Person {
  id: string;
  province: string;
  unit: OrgUnitEntity;
  status: string;
  category: string;
  title: string | null;
  education: string;
  subjects: string[];
  qualifications: string[];
  removed: boolean;
  /** 进本校年月 (YYYY-MM), 人员状态生效日期 (YYYY-MM-DD, or none), 教职工来源. */
  entry: string;
  since: string | null;
  source: string;
}

const ym = (d: Date) => d.toISOString().slice(0, 7);
const monthsAgo = (n: number) => {
  const d = new Date();
  d.setUTCDate(15);
  d.setUTCMonth(d.getUTCMonth() - n);
  return ym(d);
};
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const SUBJECTS = ['01', '02', '03', '05'];
const TITLES = ['011', '012', '013'];
const QUALIFICATIONS = ['1', '2', '3'];
const EDUCATIONS = ['14', '21', '31'];

/** A record whose derived values are `p`'s, with history that must not count (an ended title, last year's subject, a lower degree). */
function recordOf(p: Person): Rec {
  return validRecord({
    basic: {
      staffCategory: p.category,
      personStatus: p.status,
      workStartMonth: '2005-09',
      schoolEntryMonth: p.entry,
      staffSource: p.source,
      ...(p.since ? { statusSince: p.since } : {}),
    },
    professionalTitle: [
      { title: pick(TITLES), startMonth: '2005-09', endMonth: '2012-08' },
      ...(p.title ? [{ title: p.title, startMonth: '2012-09' }] : []),
    ],
    education: [
      { startMonth: '2000-09', endMonth: '2003-07', schoolName: '某校', educationLevel: '41', isHighest: false },
      {
        startMonth: '2003-09',
        endMonth: '2007-07',
        schoolName: '某大学',
        educationLevel: p.education,
        isHighest: true,
      },
    ],
    teaching: [
      { schoolYear: '2024-2025', semester: '1', subject: '99', grade: '七年级', weeklyHours: 10 },
      ...p.subjects.map((subject) => ({
        schoolYear: '2025-2026',
        semester: '1',
        subject,
        grade: '七年级',
        weeklyHours: 6,
      })),
    ],
    qualification: p.qualifications.map((qualificationType, i) => ({
      qualificationType,
      certificateNumber: `${randomInt(1e8, 1e9)}${i}`,
      subject: '02',
    })),
  });
}

/**
 * Issue 17: the national search's person filters (subject, title, qualification type, highest education,
 * staff category) come from a narrow index kept beside `national_teacher` by triggers (migration
 * 1767850000000). Whatever path a search takes, its pages must hold exactly the records whose current
 * values match, in (unit code, teacher id) order — after records are reported, changed, moved and removed
 * through the real ingest — and the index must equal the records' values.
 */
describe('national search: person filters over the facet index stay exact through the ingest', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let n: TestNode;
  let admin: string;
  const people: Person[] = [];
  const schools: OrgUnitEntity[] = [];
  let city: OrgUnitEntity;
  let county: OrgUnitEntity;
  const seq: Record<string, number> = { '11': 1, '12': 1 };

  const send = (province: string, type: string, key: string, payload: unknown) =>
    n.node.app.get(SyncIngestService).apply(
      JSON.stringify({
        schemaVersion: 2,
        eventId: randomUUID(),
        provinceCode: province,
        sequence: seq[province]++,
        type,
        key,
        occurredAt: new Date().toISOString(),
        payload,
      }),
    );
  const report = async (p: Person, version: number) => {
    const record = recordOf(p);
    const outcome = await send(p.province, 'teacher.upserted', p.id, {
      teacherId: p.id,
      unitCode: p.unit.code,
      idType: '1',
      idNumber: idOf(record),
      name: (record.basic as Rec).name,
      personStatus: p.status,
      reportedVersion: version,
      record,
      catalogueVersion: '2026.1',
      custom: {},
    });
    assert.equal(outcome, 'applied', JSON.stringify(p));
  };
  const randomPerson = (id: string, province: string, unit: OrgUnitEntity): Person => ({
    id,
    province,
    unit,
    status: randomInt(0, 6) === 0 ? '05' : '01',
    category: pick(['11', '11', '12']),
    title: randomInt(0, 5) === 0 ? null : pick(TITLES),
    education: pick(EDUCATIONS),
    subjects: [...new Set([pick(SUBJECTS), ...(randomInt(0, 3) === 0 ? [pick(SUBJECTS)] : [])])],
    qualifications: [...new Set(Array.from({ length: randomInt(0, 3) }, () => pick(QUALIFICATIONS)))],
    removed: false,
    // Around the year's edges: this month, 11 and 12 months ago, and long ago.
    entry: pick([monthsAgo(0), monthsAgo(1), monthsAgo(11), monthsAgo(12), monthsAgo(13), '2010-09']),
    since: pick([null, daysAgo(0), daysAgo(200), daysAgo(364), daysAgo(366), daysAgo(800)]),
    source: pick(['1', '2', '3']),
  });

  before(async () => {
    db = await isolatedDatabase('facets');
    n = await TestNode.start('national', { DATABASE_URL: db.url, STATS_REFRESH_SECONDS: '0' });
    // Province 11: two counties of one city (one school each, of two types) and a school in another city; province 12: two schools.
    city = await n.newCity();
    county = await n.newCounty(city);
    schools.push(await n.newSchool(county, '21'), await n.newSchool(await n.newCounty(city), '31'));
    schools.push(await n.newSchool(undefined, '21'));
    const n12 = new (TestNode as unknown as new (...a: unknown[]) => TestNode)(n.node, 'national', '12');
    schools.push(await n12.newSchool(undefined, '21'), await n12.newSchool(undefined, '31'));
    for (let i = 0; i < 60; i++) {
      const unit = schools[i % schools.length];
      people.push(randomPerson(randomUUID(), unit.code.slice(2, 4), unit));
    }
    for (const p of people) await report(p, 1);
    admin = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.InfoAdmin));
  });
  after(async () => {
    await n?.close();
    await db?.drop();
  });

  /** Every page of a search (pages of 4), checking the order. */
  const all = async (qs: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let last: [string, string] | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const r: { status: number; body: any } = await n.api(
        'GET',
        `/national/teachers?limit=4&${qs}${cursor ? `&cursor=${cursor}` : ''}`,
        { token: admin },
      );
      assert.equal(r.status, 200, `${qs}: ${JSON.stringify(r.body)}`);
      for (const item of r.body.items as { unitCode: string; teacherId: string }[]) {
        if (last)
          assert.ok(
            last[0] < item.unitCode || (last[0] === item.unitCode && last[1] < item.teacherId),
            `${qs}: keyset order`,
          );
        last = [item.unitCode, item.teacherId];
        ids.push(item.teacherId);
      }
      cursor = r.body.nextCursor;
      if (!cursor) return ids;
    }
    throw new Error('too many pages');
  };

  /** Every filter (and some pairs) nationally, in a province, a city, a county, a school type, with and without the people who left. */
  const checkAll = async () => {
    const values: [string, string, (p: Person) => boolean][] = [
      ...SUBJECTS.map((v): [string, string, (p: Person) => boolean] => ['subject', v, (p) => p.subjects.includes(v)]),
      ...TITLES.map((v): [string, string, (p: Person) => boolean] => ['title', v, (p) => p.title === v]),
      ...QUALIFICATIONS.map((v): [string, string, (p: Person) => boolean] => [
        'qualificationType',
        v,
        (p) => p.qualifications.includes(v),
      ]),
      ...EDUCATIONS.map((v): [string, string, (p: Person) => boolean] => [
        'highestEducation',
        v,
        (p) => p.education === v,
      ]),
      ['staffCategory', '12', (p) => p.category === '12'],
      ['subject', '99', () => false], // last school year's subject only
    ];
    const scopes: [string, (p: Person) => boolean][] = [
      ['', () => true],
      ['province=12', (p) => p.province === '12'],
      [`unitId=${city.id}`, (p) => p.unit.id === schools[0].id || p.unit.id === schools[1].id],
      [`unitId=${county.id}`, (p) => p.unit.id === schools[0].id],
      ['schoolType=31', (p) => p.unit.schoolType === '31'],
      ['province=11&personStatus=05', (p) => p.province === '11' && p.status === '05'],
    ];
    let checked = 0;
    for (const [key, value, has] of values)
      for (const [scope, inScope] of scopes) {
        const inactiveToo = randomInt(0, 2) === 0 && !scope.includes('personStatus');
        const qs = `${key}=${value}${scope ? `&${scope}` : ''}${inactiveToo ? '&includeInactive=true' : ''}`;
        const expected = people
          .filter(
            (p) =>
              !p.removed &&
              has(p) &&
              inScope(p) &&
              (inactiveToo || scope.includes('personStatus') || p.status !== '05'),
          )
          .map((p) => p.id)
          .sort();
        assert.deepEqual((await all(qs)).sort(), expected, qs);
        checked++;
      }
    // Two filters at once.
    for (let i = 0; i < 8; i++) {
      const s = pick(SUBJECTS);
      const t = pick(TITLES);
      const expected = people
        .filter((p) => !p.removed && p.status !== '05' && p.subjects.includes(s) && p.title === t)
        .map((p) => p.id)
        .sort();
      assert.deepEqual((await all(`subject=${s}&title=${t}`)).sort(), expected, `subject ${s} title ${t}`);
    }
    assert.equal(checked, values.length * scopes.length);
    // The index is exactly the records' values (nothing stale, nothing twice).
    const [{ stale, missing, twice }] = (await n.db.query(`
      WITH want AS (SELECT f AS facet, province_code, unit_code, teacher_id, active, person_status
                      FROM national_teacher, unnest(tmis_record_facets(record)) f WHERE NOT removed),
           have AS (SELECT facet, province_code, unit_code, teacher_id, active, person_status FROM national_teacher_facet)
      SELECT (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) x)::int AS stale,
             (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) x)::int AS missing,
             (SELECT count(*) - count(DISTINCT (facet, teacher_id)) FROM have)::int AS twice`)) as {
      stale: number;
      missing: number;
      twice: number;
    }[];
    assert.deepEqual({ stale, missing, twice }, { stale: 0, missing: 0, twice: 0 });
  };

  it('as reported: every filter in every scope finds exactly the matching records, paged in order', async () => {
    await checkAll();
  });

  it('after changes, moves, people leaving and removals through the ingest: still exact', async () => {
    for (let i = 0; i < people.length; i++) {
      const p = people[i];
      if (i % 4 === 0) {
        // New values (and for some a move to another school of the same province).
        const fresh = randomPerson(p.id, p.province, p.unit);
        const sameProvince = schools.filter((s) => s.code.slice(2, 4) === p.province);
        people[i] = { ...fresh, unit: i % 8 === 0 ? pick(sameProvince) : p.unit };
        await report(people[i], 2);
      } else if (i % 4 === 1) {
        people[i] = { ...p, status: p.status === '05' ? '01' : '05' };
        await report(people[i], 2);
      } else if (i % 4 === 2 && i % 3 === 0) {
        // The first removed record is a full-time teacher who entered and left this year: a removed record counts nowhere.
        if (i === 6) {
          const left = { ...p, category: '11', status: '05', entry: monthsAgo(0), since: daysAgo(0) };
          await report(left, 2);
          people[i] = left;
        }
        assert.equal(
          await send(p.province, 'teacher.removed', p.id, {
            teacherId: p.id,
            unitCode: p.unit.code,
            reason: 'left the system',
          }),
          'applied',
        );
        people[i] = { ...people[i], removed: true };
      } else if (i % 4 === 3) {
        await report(p, 2); // the same values again: nothing changes
      }
    }
    await checkAll();
  });

  it('the yearly report: new entrants and leavers of the year; each sheet’s totals equal the breakdowns and the records', async () => {
    const r = await n.api('POST', '/stats/refresh', { token: admin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const res = await fetch(`${n.url}/stats/reports/teachers`, { headers: { authorization: `Bearer ${admin}` } });
    assert.equal(res.status, 200);
    const asOf = new Date(res.headers.get('x-stats-as-of')!);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = (name: string) => {
      const ws = wb.getWorksheet(name);
      assert.ok(ws, name);
      const rows: unknown[][] = [];
      ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      const codes = rows[4].slice(2).map(String);
      const body = rows.slice(5, rows.findIndex((l) => String(l[0]).startsWith('总计')) + 1);
      return { codes, body, total: Number(body[body.length - 1][1]) };
    };
    // The definitions (dimensions.ts), computed here from the records at the report's reference date.
    const refMonths = asOf.getFullYear() * 12 + asOf.getMonth();
    const refDay = asOf.getFullYear() * 10000 + (asOf.getMonth() + 1) * 100 + asOf.getDate();
    const entered = (p: Person) => {
      const back = refMonths - (Number(p.entry.slice(0, 4)) * 12 + Number(p.entry.slice(5, 7)) - 1);
      return back >= 0 && back < 12;
    };
    const leftInYear = (p: Person) => {
      if (!p.since) return false;
      const d = Number(p.since.replaceAll('-', ''));
      return d > refDay - 10000 && d <= refDay;
    };
    const live = people.filter((p) => !p.removed && p.category === '11');
    const cases: [string, string, string, Person[]][] = [
      ['专任教师增加', 'staffSource', 'staffCategory:11,newEntrant:1', live.filter(entered)],
      [
        '专任教师减少',
        'personStatus',
        'staffCategory:11,personStatus:05,leftThisYear:1',
        live.filter((p) => p.status === '05' && leftInYear(p)),
      ],
    ];
    for (const [name, dim, filter, expected] of cases) {
      const { codes, body, total } = sheet(name);
      const b = (
        await n.api('GET', `/stats/breakdown?by=schoolType,${dim}&filter=${filter}&includeInactive=true`, {
          token: admin,
        })
      ).body;
      assert.equal(total, b.total, name);
      assert.equal(total, expected.length, `${name}: the records say ${expected.length}`);
      for (const row of b.rows) {
        const line = body.find((l) => String(l[0]).endsWith(`(${row.values.schoolType.code})`))!;
        assert.equal(
          line[2 + codes.indexOf(String(row.values[dim].code))],
          row.count,
          `${name} ${JSON.stringify(row.values)}`,
        );
      }
      // Each cell from the records too (school type × column value).
      for (const p of expected) {
        const value = dim === 'staffSource' ? p.source : p.status;
        const count = expected.filter(
          (x) => x.unit.schoolType === p.unit.schoolType && (dim === 'staffSource' ? x.source : x.status) === value,
        ).length;
        const line = body.find((l) => String(l[0]).endsWith(`(${p.unit.schoolType})`))!;
        assert.equal(line[2 + codes.indexOf(value)], count, `${name}: ${p.unit.schoolType} × ${value}`);
      }
      assert.equal(
        body.slice(0, -1).reduce((sum, l) => sum + Number(l[1]), 0),
        total,
        `${name}: rows add up`,
      );
    }
    // The edges are exercised: someone entered exactly twelve months before the reference month and is not new.
    assert.ok(people.some((p) => !entered(p)) && people.some(entered));
  });
});

import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role, type Actor } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { NationalSearchService, SyncIngestService } from '@tmis/sync-ingest';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

const pick = <T>(xs: readonly T[]): T => xs[randomInt(0, xs.length)];

interface Person {
  id: string;
  province: string;
  unit: OrgUnitEntity;
  name: string;
  status: string;
  removed: boolean;
}

/** Statuses: in post (01), rarer ones still counted active (02), and people who left (04, 05). */
const STATUSES = ['01', '01', '01', '02', '04', '05'];
const ACTIVE = new Set(['01', '02', '03']);
/** Name prefixes the search is asked for (each person's name begins with one of them). */
const SURNAMES = ['王', '李', '欧阳'];

/**
 * Issue 17: searches by region, school type, status and name prefix — no person filter — read their
 * page's keys from the scope index (province, unit code, teacher id) or, for a status other than in post,
 * from the partial status index (migration 1767930000000), per province, then the page's records. Whatever
 * the scope, the pages must hold exactly the matching records in (unit code, teacher id) order, also after
 * status changes, moves and removals through the ingest, and the search must take that path.
 */
describe('national search: region, school type, status and name from the scope index stay exact', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let n: TestNode;
  let admin: string;
  let ministry: Actor;
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
    const record = validRecord({ basic: { name: p.name, personStatus: p.status } });
    const outcome = await send(p.province, 'teacher.upserted', p.id, {
      teacherId: p.id,
      unitCode: p.unit.code,
      idType: '1',
      idNumber: idOf(record),
      name: p.name,
      personStatus: p.status,
      reportedVersion: version,
      record,
      catalogueVersion: '2026.1',
      custom: {},
    });
    assert.equal(outcome, 'applied', JSON.stringify(p));
  };
  const randomPerson = (id: string, unit: OrgUnitEntity): Person => ({
    id,
    province: unit.code.slice(2, 4),
    unit,
    name: `${pick(SURNAMES)}${String.fromCharCode(0x4e00 + randomInt(0, 500))}`,
    status: pick(STATUSES),
    removed: false,
  });

  before(async () => {
    db = await isolatedDatabase('scope');
    n = await TestNode.start('national', { DATABASE_URL: db.url, STATS_REFRESH_SECONDS: '0' });
    // Province 11: a city with two counties (schools of types 21 and 31) and a school in another city; province 12: two schools.
    city = await n.newCity();
    county = await n.newCounty(city);
    schools.push(await n.newSchool(county, '21'), await n.newSchool(county, '31'));
    schools.push(await n.newSchool(await n.newCounty(city), '31'), await n.newSchool(undefined, '21'));
    const n12 = new (TestNode as unknown as new (...a: unknown[]) => TestNode)(n.node, 'national', '12');
    schools.push(await n12.newSchool(undefined, '21'), await n12.newSchool(undefined, '31'));
    for (let i = 0; i < 70; i++) people.push(randomPerson(randomUUID(), schools[i % schools.length]));
    for (const p of people) await report(p, 1);
    const top = await n.unitByCode('000000');
    admin = await n.tokenFor(await n.account(top, Role.InfoAdmin));
    ministry = {
      accountId: randomUUID(),
      sessionId: 'test',
      role: Role.InfoAdmin,
      unitId: top.id,
      unitPath: top.path,
      unitLevel: top.level,
      mustChangePassword: false,
    };
  });
  after(async () => {
    await n?.close();
    await db?.drop();
  });

  /** Every page of a search (pages of 4), checking the keyset order. */
  const all = async (qs: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let last: [string, string] | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const r: { status: number; body: { items: { unitCode: string; teacherId: string }[]; nextCursor: string } } =
        await n.api('GET', `/national/teachers?limit=4&${qs}${cursor ? `&cursor=${cursor}` : ''}`, { token: admin });
      assert.equal(r.status, 200, `${qs}: ${JSON.stringify(r.body)}`);
      for (const item of r.body.items) {
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

  const checkAll = async () => {
    const inCity = (p: Person) => p.unit.path.startsWith(city.path);
    const scopes: [string, (p: Person) => boolean][] = [
      ['province=11', (p) => p.province === '11'],
      ['province=12', (p) => p.province === '12'],
      [`unitId=${city.id}`, inCity],
      [`unitId=${county.id}`, (p) => p.unit.path.startsWith(county.path)],
      [`unitId=${schools[1].id}`, (p) => p.unit.id === schools[1].id],
      ['province=11&schoolType=31', (p) => p.province === '11' && p.unit.schoolType === '31'],
      ['province=12&schoolType=21', (p) => p.province === '12' && p.unit.schoolType === '21'],
      [`unitId=${city.id}&schoolType=21`, (p) => inCity(p) && p.unit.schoolType === '21'],
    ];
    const statuses: [string, (p: Person) => boolean][] = [
      ['', (p) => ACTIVE.has(p.status)],
      ['includeInactive=true', () => true],
      ...['01', '02', '04', '05', '03'].map((s): [string, (p: Person) => boolean] => [
        `personStatus=${s}`,
        (p) => p.status === s,
      ]),
    ];
    const names: [string, (p: Person) => boolean][] = [
      ['', () => true],
      ...SURNAMES.map((s): [string, (p: Person) => boolean] => [
        `name=${encodeURIComponent(s)}`,
        (p) => p.name.startsWith(s),
      ]),
    ];
    const asked = [
      ...scopes.flatMap(([scope, inScope]) =>
        statuses.map(([status, has]): [string, (p: Person) => boolean] => [
          [scope, status].filter(Boolean).join('&'),
          (p) => inScope(p) && has(p),
        ]),
      ),
      // Names within a scope, with and without a status.
      ...names.flatMap(([name, has]) =>
        [scopes[0], scopes[2], scopes[5]].map(([scope, inScope]): [string, (p: Person) => boolean] => [
          [scope, name, pick(['', 'personStatus=05'])].filter(Boolean).join('&'),
          (p) => inScope(p) && has(p),
        ]),
      ),
      // The whole population by status: every province's page, merged.
      ...['05', '04', '02'].map((s): [string, (p: Person) => boolean] => [`personStatus=${s}`, (p) => p.status === s]),
    ];
    for (const [qs, matches] of asked) {
      const statusAsked = /personStatus=(\d+)/.exec(qs)?.[1];
      const inactiveToo = qs.includes('includeInactive');
      const expected = people
        .filter(
          (p) =>
            !p.removed && matches(p) && (statusAsked ? p.status === statusAsked : inactiveToo || ACTIVE.has(p.status)),
        )
        .map((p) => p.id)
        .sort();
      assert.deepEqual((await all(qs)).sort(), expected, qs);
      // The path: page keys from the scope indexes (which index the planner takes on 70 records is its
      // choice; the bench prints the plans at scale).
      const plan = await n.node.app
        .get(NationalSearchService)
        .explain(ministry, { ...Object.fromEntries(new URLSearchParams(qs)), limit: 4 });
      assert.equal(plan.path, 'scope', qs);
    }
  };

  it('as reported: every region, school type, status and name prefix finds exactly the matching records, in order', async () => {
    await checkAll();
  });

  it('after status changes, moves, and removals through the ingest: still exact', async () => {
    for (let i = 0; i < people.length; i++) {
      const p = people[i];
      if (i % 3 === 0) {
        people[i] = { ...p, status: p.status === '05' ? '01' : '05' };
        await report(people[i], 2);
      } else if (i % 5 === 1) {
        const sameProvince = schools.filter((s) => s.code.slice(2, 4) === p.province && s.id !== p.unit.id);
        people[i] = { ...p, unit: pick(sameProvince) };
        await report(people[i], 2);
      } else if (i % 7 === 2) {
        const outcome = await send(p.province, 'teacher.removed', p.id, {
          teacherId: p.id,
          unitCode: p.unit.code,
          reason: 'left the system',
        });
        assert.equal(outcome, 'applied');
        people[i] = { ...p, removed: true };
      }
    }
    await checkAll();
  });

  it('a query user: the same pages, ID numbers masked', async () => {
    const query = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.Query));
    const r = await n.api('GET', '/national/teachers?province=11&personStatus=05&includeInactive=true&limit=500', {
      token: query,
    });
    assert.equal(r.status, 200);
    const expected = people.filter((p) => !p.removed && p.province === '11' && p.status === '05').map((p) => p.id);
    assert.deepEqual(r.body.items.map((x: { teacherId: string }) => x.teacherId).sort(), expected.sort());
    for (const item of r.body.items as { idNumber: string }[]) assert.match(item.idNumber, /\*/);
  });
});

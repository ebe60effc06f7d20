import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { isolatedDatabase, TEST_PASSWORD, TestNode, unique } from '../support/test-node.js';

describe('sessions: lockout that tells nothing, password change, password rules', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11', LOCKOUT_THRESHOLD: '3', LOCKOUT_MINUTES: '10' });
  });
  after(() => t.close());

  const login = (username: string, password: string) => t.api('POST', '/auth/login', { body: { username, password } });
  const shape = (r: { status: number; body: Record<string, unknown> }) => ({
    status: r.status,
    code: r.body.code,
    title: r.body.title,
    titleZh: r.body.titleZh,
    detail: r.body.detail,
    keys: Object.keys(r.body)
      .filter((k) => k !== 'correlationId' && k !== 'lockedUntil')
      .sort(),
    locked: typeof r.body.lockedUntil === 'string',
  });

  it('an unknown user name answers exactly as a known one, and locks after as many failures', async () => {
    const county = await t.newCounty();
    const known = await t.account(county, Role.Query);
    const unknown = `nobody.${unique()}`;
    for (let i = 1; i <= 4; i++) {
      const k = await login(known.username, `Wrong#${i}pass`);
      const u = await login(unknown, `Wrong#${i}pass`);
      assert.deepEqual(shape(u), shape(k), `attempt ${i}`);
      assert.equal(k.status, i < 3 ? 401 : 423, `attempt ${i}`);
    }
    // Locked either way, even with the right password of the known account.
    assert.deepEqual(shape(await login(unknown, TEST_PASSWORD)), shape(await login(known.username, TEST_PASSWORD)));
  });

  it('wrong current passwords on the password-change route count toward lockout, which ends the sessions', async () => {
    const county = await t.newCounty();
    const acct = await t.account(county, Role.InfoAdmin);
    const token = await t.tokenFor(acct);
    const other = await t.tokenFor(acct);
    const change = (currentPassword: string) =>
      t.api('POST', '/auth/password', { token, body: { currentPassword, newPassword: 'Fresh#Pass2027' } });
    assert.equal((await change('Wrong#1pass')).status, 401);
    assert.equal((await change('Wrong#2pass')).status, 401);
    const third = await change('Wrong#3pass');
    assert.equal(third.status, 423);
    assert.equal(third.body.code, 'AUTH_ACCOUNT_LOCKED');
    assert.equal((await t.api('GET', '/auth/me', { token: other })).status, 401, 'every session ended');
    assert.equal((await login(acct.username, TEST_PASSWORD)).status, 423, 'the login is locked too');
    const [row] = await t.db.query(`SELECT password_hash FROM account WHERE id = $1`, [acct.id]);
    assert.ok(row.password_hash, 'the password is unchanged');
  });

  it('passwords equal to or containing the user name, or common ones, are refused with a clear error', async () => {
    const county = await t.newCounty();
    const admin = await t.tokenFor(await t.account(county, Role.SysAdmin));
    const create = (username: string, initialPassword: string) =>
      t.api('POST', '/accounts', {
        token: admin,
        body: {
          unitId: county.id,
          role: Role.Query,
          username,
          realName: '王',
          idNumber: t.idNumber(),
          initialPassword,
        },
      });
    const name = `Zhang.${unique()}`.slice(0, 30);
    for (const [pw, code] of [
      [`${name}`, 'AUTH_PASSWORD_CONTAINS_USERNAME'],
      [`${name.toLowerCase()}#1`, 'AUTH_PASSWORD_CONTAINS_USERNAME'],
      ['Password1!', 'AUTH_PASSWORD_COMMON'],
      ['P@ssw0rd', 'AUTH_PASSWORD_COMMON'],
      ['Qwerty123!', 'AUTH_PASSWORD_COMMON'],
      ['Iloveyou#2026', 'AUTH_PASSWORD_COMMON'],
      ['short1!', 'AUTH_WEAK_PASSWORD'],
    ] as const) {
      const r = await create(name, pw);
      assert.equal(r.status, 400, `${pw}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, pw);
      assert.equal(r.body.errors[0].path, 'initialPassword');
      assert.ok(r.body.title && r.body.titleZh);
    }
    assert.equal(await t.count(`SELECT count(*) FROM account WHERE username = $1`, [name.toLowerCase()]), 0);
    assert.equal((await create(name, 'Blue#Harbor2026')).status, 201, 'a good password is accepted');

    const acct = await t.account(county, Role.Query);
    const token = await t.tokenFor(acct);
    const r = await t.api('POST', '/auth/password', {
      token,
      body: { currentPassword: TEST_PASSWORD, newPassword: `${acct.username}#A1` },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.code, 'AUTH_PASSWORD_CONTAINS_USERNAME');
    assert.equal(r.body.errors[0].path, 'newPassword');
  });
});

describe('failed-login throttling across user names and addresses, shared by every process of a node', () => {
  // Two instances of one node on one database (as behind a load balancer): the counts are in
  // PostgreSQL, so what one instance counted, the other refuses. Its own database, so that no other
  // test file's failures count toward the node-wide limit.
  let db: { url: string; drop(): Promise<void> };
  let a: TestNode;
  let b: TestNode;
  before(async () => {
    db = await isolatedDatabase('throttle');
    const env = {
      PROVINCE_CODE: '11',
      DATABASE_URL: db.url,
      TRUSTED_PROXIES: '127.0.0.1',
      LOGIN_FAILURES_PER_ADDRESS: '6',
      LOGIN_FAILURES_GLOBAL: '10',
      LOGIN_THROTTLE_WINDOW_SECONDS: '120',
    };
    a = await TestNode.start('provincial', env);
    b = await TestNode.start('provincial', env);
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
  });

  const from = (t: TestNode, address: string, username: string, password = 'Wrong#pass1') =>
    t.api('POST', '/auth/login', { body: { username, password }, headers: { 'x-forwarded-for': address } });

  it('per address, then node-wide, across both instances: 429 with the rate-limit headers', async () => {
    const county = await a.newCounty();
    const acct = await a.account(county, Role.Query);
    // A wrong current password on the password-change route of one instance counts too.
    const other = await a.account(county, Role.Query);
    const wrongChange = await a.api('POST', '/auth/password', {
      token: await a.login(other.username),
      body: { currentPassword: 'Wrong#pass1', newPassword: 'Another#Pass2026' },
      headers: { 'x-forwarded-for': '198.51.100.200' },
    });
    assert.ok(wrongChange.status >= 400 && wrongChange.status < 500, JSON.stringify(wrongChange.body));
    const changeCounted = await b.db.query(`SELECT hits FROM rate_limit_counter WHERE key = $1`, [
      'login-fail:addr:198.51.100.200',
    ]);
    assert.equal(changeCounted[0]?.hits, 1, 'counted in the shared table, seen by the other instance');
    // Six different names from one address, alternating instances: no single name locks, and no
    // instance alone saw six failures, but the address is throttled on both.
    for (let i = 0; i < 6; i++)
      assert.equal((await from(i % 2 ? b : a, '203.0.113.7', `guess.${i}.${unique()}`)).status, 401);
    for (const t of [a, b]) {
      const refused = await from(t, '203.0.113.7', acct.username, TEST_PASSWORD);
      assert.equal(refused.status, 429, 'even a right password is not checked while throttled');
      assert.equal(refused.body.code, 'AUTH_TOO_MANY_ATTEMPTS');
      assert.ok(refused.body.titleZh);
      assert.equal(refused.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      const retry = Number(refused.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 120, `Retry-After ${retry}`);
      assert.equal(refused.headers.get('ratelimit-limit'), '6');
      assert.equal(refused.headers.get('ratelimit-remaining'), '0');
      assert.equal(refused.headers.get('ratelimit-reset'), String(retry));
      assert.equal(refused.headers.get('ratelimit-policy'), '6;w=120');
    }
    // The refusals wrote no session and counted nothing more.
    const sessions = await a.db.query(
      `SELECT count(*)::int AS n FROM auth_session s JOIN account x ON x.id = s.account_id WHERE x.username = $1`,
      [acct.username],
    );
    assert.equal(sessions[0].n, 0);
    const counted = await a.db.query(
      `SELECT sum(hits)::int AS n FROM rate_limit_counter WHERE key = 'login-fail:addr:203.0.113.7'`,
    );
    assert.equal(counted[0].n, 6);
    // Another address may still log in, on either instance.
    assert.equal((await from(b, '198.51.100.1', acct.username, TEST_PASSWORD)).status, 200);
    // Node-wide: 1 + 6 so far; three more from other addresses, on the other instance, reach ten.
    for (let i = 0; i < 3; i++) assert.equal((await from(b, `198.51.100.${10 + i}`, `x${i}.${unique()}`)).status, 401);
    for (const t of [a, b]) {
      const global = await from(t, '192.0.2.50', acct.username, TEST_PASSWORD);
      assert.equal(global.status, 429);
      assert.equal(global.headers.get('ratelimit-limit'), '10');
      assert.equal(global.headers.get('ratelimit-policy'), '10;w=120');
    }
  });
});

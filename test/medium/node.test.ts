import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { ConfigError, loadConfig } from '@tmis/common';
import { NATIONAL_ROLE, NodeConfig, prepareRuntime, PROVINCIAL_ROLE } from '@tmis/server';
import { TEST_PASSWORD, TestNode, testDatabaseUrl, METRICS_AUTH } from '../support/test-node.js';

describe('a node: health, API docs, errors, configuration', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('national');
  });
  after(() => t.close());

  it('GET /health reports the database', async () => {
    const r = await t.api('GET', '/health', { headers: METRICS_AUTH });
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'up');
    assert.equal(r.body.node, 'national');
    assert.equal(r.body.details.database.status, 'up');
    assert.equal(r.body.details.database.migrations >= 1, true);
  });

  it('GET /metrics shows the password hash queue (depth, waits, refusals)', async () => {
    const r = await t.api('GET', '/metrics', { headers: METRICS_AUTH });
    assert.equal(r.status, 200);
    for (const g of ['queue_depth', 'running', 'concurrency', 'waited_total', 'wait_ms_max', 'rejected_total'])
      assert.match(String(r.body), new RegExp(`^tmis_password_hash_${g} \\d+$`, 'm'), g);
  });

  it('serves OpenAPI at /docs and /docs-json', async () => {
    const json = await t.api('GET', '/docs-json');
    assert.equal(json.status, 200);
    for (const p of ['/auth/login', '/accounts', '/units/{id}/subtree', '/audit']) assert.ok(json.body.paths[p], p);
    const html = await t.api('GET', '/docs');
    assert.equal(html.status, 200);
    assert.match(String(html.body), /swagger/i);
  });

  it('answers unknown routes and malformed bodies with problem+json and echoes a well-formed correlation id', async () => {
    const r = await t.api('GET', '/no/such/route', { headers: { 'x-correlation-id': 'abc-123' } });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(r.body.code, 'ROUTE_NOT_FOUND');
    assert.equal(r.body.correlationId, 'abc-123');
    assert.equal(r.headers.get('x-correlation-id'), 'abc-123');
    // The node's own time for the answer, at any log level (benchmarks read it).
    assert.match(r.headers.get('server-timing') ?? '', /^app;dur=\d+\.\d$/);
    const evil = await t.api('GET', '/no/such/route', { headers: { 'x-correlation-id': '<script>alert(1)</script>' } });
    assert.notEqual(evil.body.correlationId, '<script>alert(1)</script>');
    const bad = await t.api('POST', '/auth/login', { raw: '{"username": "a", "password":' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.title, 'The request is not valid');
    assert.equal(bad.body.titleZh, '请求数据校验未通过');
    const big = await t.api('POST', '/auth/login', {
      raw: JSON.stringify({ username: 'x'.repeat(200_000), password: 'y' }),
    });
    assert.equal(big.status, 413);
  });

  it("the ministry's system administrator hands out each province's system administrator; a central university hangs under the ministry", async () => {
    const ministry = await t.unitByCode('000000');
    const moe = await t.tokenFor(
      await t.account(ministry, Role.SysAdmin, { username: `moe${Date.now()}` }).catch(async () => {
        // the ministry has one system administrator; reuse it when another file created it
        const [row] = await t.db.query(
          `SELECT username FROM account WHERE unit_id = $1 AND role = 'sysadmin' AND status = 'active'`,
          [ministry.id],
        );
        return { username: row.username, password: TEST_PASSWORD } as never;
      }),
    );
    const xpcc = await t.unitByCode('660000');
    const created = await t.api('POST', '/accounts', {
      token: moe,
      body: {
        unitId: xpcc.id,
        role: 'sysadmin',
        username: `xpcc${Date.now()}`,
        realName: '兵团管理员',
        idNumber: t.idNumber(),
        initialPassword: TEST_PASSWORD,
      },
    });
    assert.ok(
      created.status === 201 || (created.status === 409 && created.body.code === 'ACCOUNT_SYSADMIN_EXISTS'),
      JSON.stringify(created.body),
    );
    const dongcheng = await t.unitByCode('110101');
    const tooDeep = await t.api('POST', '/accounts', {
      token: moe,
      body: {
        unitId: dongcheng.id,
        role: 'sysadmin',
        username: `deep${Date.now()}`,
        realName: '越级',
        idNumber: t.idNumber(),
        initialPassword: TEST_PASSWORD,
      },
    });
    assert.equal(tooDeep.status, 403);
    const code = `4111${String(Date.now()).slice(-6)}`;
    const uni = await t.api('POST', '/units', {
      token: moe,
      body: { kind: 'school', parentId: ministry.id, code, name: '部属大学', urbanRural: '111', sponsor: '1' },
    });
    assert.equal(uni.status, 201, JSON.stringify(uni.body));
    assert.equal(uni.body.central, true);
    assert.equal(uni.body.indicatorSet, 'undergraduate');
    assert.equal(uni.body.path, `/000000/${code}/`);
  });

  it('configuration is validated at boot with a message naming each bad variable', async () => {
    assert.equal(loadConfig(NodeConfig, { DB_MIGRATE_ON_START: 'false' }).DB_MIGRATE_ON_START, false);
    assert.equal(loadConfig(NodeConfig, { DB_MIGRATE_ON_START: 'no' }).DB_MIGRATE_ON_START, false);
    assert.equal(loadConfig(NodeConfig, { DB_MIGRATE_ON_START: 'true' }).DB_MIGRATE_ON_START, true);
    assert.equal(loadConfig(NodeConfig, {}).DB_MIGRATE_ON_START, true);
    assert.throws(() => loadConfig(NodeConfig, { DB_MIGRATE_ON_START: 'maybe' }), /DB_MIGRATE_ON_START/);
    assert.throws(
      () =>
        loadConfig(NodeConfig, {
          PORT: 'eighty',
          LOG_LEVEL: 'loud',
          DATABASE_URL: 'mysql://x',
          JWT_SECRET: 'short-secret-value',
        }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const msg = (e as Error).message;
        assert.ok(!msg.includes('short-secret-value'), 'secrets are never echoed');
        for (const v of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'JWT_SECRET']) assert.match(msg, new RegExp(v));
        assert.match(msg, /配置无效/);
        return true;
      },
    );
    await assert.rejects(
      prepareRuntime(PROVINCIAL_ROLE, {
        DATABASE_URL: testDatabaseUrl('provincial'),
        JWT_SECRET: 'x'.repeat(40),
        DB_MIGRATE_ON_START: 'false',
      }),
      /PROVINCE_CODE is required/,
    );
    await assert.rejects(
      prepareRuntime(PROVINCIAL_ROLE, {
        DATABASE_URL: testDatabaseUrl('provincial'),
        JWT_SECRET: 'x'.repeat(40),
        PROVINCE_CODE: '99',
      }),
      /PROVINCE_CODE must be a two-digit province prefix/,
    );
    await assert.rejects(
      prepareRuntime(NATIONAL_ROLE, { DATABASE_URL: testDatabaseUrl('national'), DB_MIGRATE_ON_START: 'false' }),
      /JWT_SECRET is required/,
    );
  });
});

describe('logs', () => {
  it('never contain passwords, tokens or ID numbers', async () => {
    const lines: string[] = [];
    let t: TestNode | undefined;
    try {
      t = await TestNode.start('provincial', { LOG_LEVEL: 'verbose' }, (line) => lines.push(line));
      const school = await t.newSchool();
      const teacher = await t.account(school, Role.Teacher);
      const login = await t.api('POST', '/auth/login', {
        body: { username: teacher.username, password: teacher.password },
      });
      await t.api('POST', '/auth/login', { body: { username: teacher.username, password: 'Wrong#Secret77' } });
      await t.api('GET', `/units/${school.id}?idNumber=${teacher.username}`, { token: login.body.accessToken });
      await t.api('POST', '/accounts', {
        token: login.body.accessToken,
        body: { idNumber: teacher.username, initialPassword: 'Leaky#Pass88' },
      });
      const all = lines.join('');
      assert.ok(all.includes('"level"'), 'verbose logs were written');
      assert.ok(all.includes('/auth/login'), 'requests are logged');
      for (const secret of [
        teacher.password,
        'Wrong#Secret77',
        'Leaky#Pass88',
        login.body.accessToken,
        login.body.refreshToken,
        teacher.username,
        teacher.username.toUpperCase(),
      ]) {
        assert.ok(!all.includes(secret), `log contains a secret: ${secret.slice(0, 6)}…`);
      }
    } finally {
      await t?.close();
    }
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { idOf, validRecord } from '../support/records.js';
import { isolatedDatabase, TestNode, type ApiResponse } from '../support/test-node.js';

type Body = Record<string, any>;

/** POST /oauth/token as a platform would: form-encoded (RFC 6749), JSON, or HTTP Basic. */
async function tokenRequest(
  node: TestNode,
  params: Record<string, string>,
  opts: { json?: boolean; basic?: [string, string] } = {},
): Promise<ApiResponse<Body>> {
  const headers: Record<string, string> = {
    'content-type': opts.json ? 'application/json' : 'application/x-www-form-urlencoded',
  };
  if (opts.basic)
    headers.authorization = `Basic ${Buffer.from(
      `${encodeURIComponent(opts.basic[0])}:${encodeURIComponent(opts.basic[1])}`,
    ).toString('base64')}`;
  const res = await fetch(`${node.url}/oauth/token`, {
    method: 'POST',
    headers,
    body: opts.json ? JSON.stringify(params) : new URLSearchParams(params).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function clientToken(node: TestNode, id: string, secret: string, scope?: string): Promise<string> {
  const r = await tokenRequest(node, {
    grant_type: 'client_credentials',
    client_id: id,
    client_secret: secret,
    ...(scope ? { scope } : {}),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

/** Waits until at least `seconds` remain in the current one-minute rate-limit window. */
async function freshWindow(seconds = 15): Promise<void> {
  const left = 60 - ((Date.now() / 1000) % 60);
  if (left < seconds) await sleep(left * 1000 + 200);
}

describe('API clients for third-party platforms (issue 16)', () => {
  let t: TestNode;
  let countyA: OrgUnitEntity;
  let countyB: OrgUnitEntity;
  let adminA: string;
  let adminB: string;
  let schoolAdminA: string;
  let schoolAId: string;
  let recA: Body;
  let recB: Body;

  const register = (token: string, body: Body) => t.api('POST', '/api-clients', { token, body });
  async function newClient(body: Body = {}, token = adminA): Promise<Body> {
    const r = await register(token, { name: `平台${Date.now()}`, scopes: ['teachers:read'], ...body });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }

  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11' });
    countyA = await t.newCounty();
    countyB = await t.newCounty();
    const schoolA = await t.newSchool(countyA);
    const schoolB = await t.newSchool(countyB);
    schoolAId = schoolA.id;
    adminA = await t.tokenFor(await t.account(countyA, Role.SysAdmin));
    adminB = await t.tokenFor(await t.account(countyB, Role.SysAdmin));
    schoolAdminA = await t.tokenFor(await t.account(schoolA, Role.InfoAdmin));
    const schoolAdminB = await t.tokenFor(await t.account(schoolB, Role.InfoAdmin));
    const a = await t.api('POST', '/teachers', {
      token: schoolAdminA,
      body: { unitId: schoolA.id, record: validRecord() },
    });
    const b = await t.api('POST', '/teachers', {
      token: schoolAdminB,
      body: { unitId: schoolB.id, record: validRecord() },
    });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    recA = a.body;
    recB = b.body;
  });
  after(() => t.close());

  it("registers a client in the administrator's subtree only; the secret is shown once and stored hashed", async () => {
    const c = await newClient({ scopes: ['teachers:read', 'stats:read'] });
    assert.match(c.id, /^[0-9a-f-]{36}$/);
    assert.match(c.clientSecret, /^tmis_[A-Za-z0-9_-]{43}$/);
    assert.equal(c.ownerUnitId, countyA.id);
    assert.deepEqual(c.scopes, ['stats:read', 'teachers:read']);
    assert.equal(c.status, 'active');
    assert.equal(c.secrets.length, 1);
    assert.equal(c.secrets[0].hint, `…${c.clientSecret.slice(-4)}`);
    const [row] = await t.db.query(`SELECT secret_hash FROM api_client_secret WHERE client_id = $1`, [c.id]);
    assert.equal(row.secret_hash, createHash('sha256').update(c.clientSecret).digest('hex'));
    const read = await t.api('GET', `/api-clients/${c.id}`, { token: adminA });
    assert.equal(read.status, 200);
    assert.equal(read.body.clientSecret, undefined, 'never shown again');
    assert.ok(!JSON.stringify(read.body).includes(c.clientSecret));

    // Another county's administrator neither registers for county A nor sees its clients.
    const cross = await register(adminB, { name: 'x', ownerUnitId: countyA.id, scopes: ['teachers:read'] });
    assert.equal(cross.status, 403);
    assert.equal(cross.body.code, 'OUT_OF_SCOPE');
    assert.equal((await t.api('GET', `/api-clients/${c.id}`, { token: adminB })).status, 403);
    const listB = await t.api('GET', '/api-clients', { token: adminB });
    assert.ok(!listB.body.items.some((x: Body) => x.id === c.id));
    assert.ok((await t.api('GET', '/api-clients', { token: adminA })).body.items.some((x: Body) => x.id === c.id));
    // Only system administrators register clients; unknown scopes are refused.
    assert.equal((await register(schoolAdminA, { name: 'x', scopes: ['teachers:read'] })).status, 403);
    const bad = await register(adminA, { name: 'x', scopes: ['teachers:write'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'scopes');
  });

  it('issues short-lived tokens by the client-credentials grant (form, JSON, HTTP Basic) and answers RFC 6749 errors', async () => {
    const c = await newClient({ scopes: ['teachers:read', 'stats:read'] });
    const grant = { grant_type: 'client_credentials' };
    const form = await tokenRequest(t, { ...grant, client_id: c.id, client_secret: c.clientSecret });
    assert.equal(form.status, 200, JSON.stringify(form.body));
    assert.equal(form.body.token_type, 'Bearer');
    assert.equal(form.body.expires_in, 600);
    assert.equal(form.body.scope, 'stats:read teachers:read');
    assert.equal(form.headers.get('cache-control'), 'no-store');
    const json = await tokenRequest(t, { ...grant, client_id: c.id, client_secret: c.clientSecret }, { json: true });
    assert.equal(json.status, 200);
    const basic = await tokenRequest(t, { ...grant, scope: 'stats:read' }, { basic: [c.id, c.clientSecret] });
    assert.equal(basic.status, 200);
    assert.equal(basic.body.scope, 'stats:read', 'a narrower scope on request');

    const wrong = await tokenRequest(t, { ...grant, client_id: c.id, client_secret: `${c.clientSecret}x` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.ok(wrong.headers.get('www-authenticate')?.startsWith('Basic'));
    const unknown = await tokenRequest(t, { ...grant }, { basic: ['00000000-0000-4000-8000-000000000000', 'x'] });
    assert.equal(unknown.body.error, 'invalid_client');
    assert.equal(
      (await tokenRequest(t, { grant_type: 'password', username: 'a', password: 'b' })).body.error,
      'unsupported_grant_type',
    );
    assert.equal(
      (await tokenRequest(t, { client_id: c.id, client_secret: c.clientSecret })).body.error,
      'invalid_request',
    );
    const scope = await tokenRequest(t, {
      ...grant,
      client_id: c.id,
      client_secret: c.clientSecret,
      scope: 'changes:read',
    });
    assert.equal(scope.status, 400);
    assert.equal(scope.body.error, 'invalid_scope');
    const both = await tokenRequest(t, { ...grant, client_id: c.id }, { basic: [c.id, c.clientSecret] });
    assert.equal(both.body.error, 'invalid_request');
  });

  it('reads within its owner unit and scopes; is refused another county, routes without its scope, and another node', async () => {
    const c = await newClient();
    const token = await clientToken(t, c.id, c.clientSecret);
    const mine = await t.api('GET', `/teachers/${recA.id}`, { token });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    // Without teachers:read:sensitive, ID numbers and contacts are masked and pay is left out.
    const real = recA.record.basic.idNumber as string;
    assert.notEqual(mine.body.record.basic.idNumber, real);
    assert.equal(mine.body.record.basic.idNumber, `${real.slice(0, 3)}${'*'.repeat(real.length - 7)}${real.slice(-4)}`);
    assert.notEqual(mine.body.record.contacts.mobile, recA.record.contacts.mobile);
    assert.match(mine.body.record.contacts.mobile, /\*/);

    const other = await t.api('GET', `/teachers/${recB.id}`, { token });
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'OUT_OF_SCOPE');
    assert.equal((await t.api('GET', `/teachers?unitId=${countyB.id}`, { token })).status, 403);
    const list = await t.api('GET', '/teachers?limit=200', { token });
    assert.equal(list.status, 200);
    const ids = list.body.items.map((x: Body) => x.id);
    assert.ok(ids.includes(recA.id) && !ids.includes(recB.id));
    // A query user may not search by ID number, and neither may a client without the sensitive scope.
    assert.equal((await t.api('GET', `/teachers?idNumber=${real}`, { token })).status, 403);

    // Routes that need another scope, and routes not open to clients at all.
    const stats = await t.api('GET', '/stats/freshness', { token });
    assert.equal(stats.status, 403);
    assert.equal(stats.body.code, 'INSUFFICIENT_SCOPE');
    assert.match(stats.headers.get('www-authenticate') ?? '', /insufficient_scope.*stats:read/);
    for (const [method, path] of [
      ['POST', '/teachers'],
      ['GET', '/accounts'],
      ['GET', '/audit'],
      ['GET', '/api-clients'],
      ['GET', `/teachers/${recA.id}/history`],
    ]) {
      const r = await t.api(method, path, { token, body: method === 'POST' ? {} : undefined });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.body.code, 'INSUFFICIENT_SCOPE', `${method} ${path}`);
    }

    // Its token means nothing to another province's node (another issuer).
    // (On a database of its own: the shared provincial test database holds province 11 only.)
    const db12 = await isolatedDatabase('clients12');
    const other12 = await TestNode.start('provincial', { PROVINCE_CODE: '12', DATABASE_URL: db12.url });
    try {
      const there = await other12.api('GET', '/teachers', { token });
      assert.equal(there.status, 401);
      assert.equal(there.body.code, 'UNAUTHENTICATED');
    } finally {
      await other12.close();
      await db12.drop();
    }
  });

  it('sees ID numbers and contacts unmasked only with teachers:read:sensitive', async () => {
    const c = await newClient({ scopes: ['teachers:read', 'teachers:read:sensitive'] });
    const token = await clientToken(t, c.id, c.clientSecret);
    const r = await t.api('GET', `/teachers/${recA.id}`, { token });
    assert.equal(r.status, 200);
    assert.equal(r.body.record.basic.idNumber, recA.record.basic.idNumber);
    assert.equal(r.body.record.contacts.mobile, recA.record.contacts.mobile);
    assert.equal((await t.api('GET', `/teachers?idNumber=${idOf(recA.record)}`, { token })).body.items.length, 1);
    // Pay statistics likewise: a stats client without the sensitive scope is refused them.
    const plainStats = await newClient({ scopes: ['stats:read'] });
    const ps = await t.api('GET', '/stats/pay-bands', {
      token: await clientToken(t, plainStats.id, plainStats.clientSecret),
    });
    assert.equal(ps.status, 403, JSON.stringify(ps.body));
    const fullStats = await newClient({ scopes: ['stats:read', 'teachers:read:sensitive'] });
    const fs = await t.api('GET', '/stats/pay-bands', {
      token: await clientToken(t, fullStats.id, fullStats.clientSecret),
    });
    assert.equal(fs.status, 200, JSON.stringify(fs.body));
    // The same client asking for a token without the sensitive scope reads masked again.
    const narrow = await clientToken(t, c.id, c.clientSecret, 'teachers:read');
    const masked = await t.api('GET', `/teachers/${recA.id}`, { token: narrow });
    assert.notEqual(masked.body.record.basic.idNumber, recA.record.basic.idNumber);
  });

  it('refuses a revoked secret, a revoked client and an expired client at once', async () => {
    const c = await newClient();
    const token = await clientToken(t, c.id, c.clientSecret);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token })).status, 200);
    const rs = await t.api('POST', `/api-clients/${c.id}/secrets/${c.secretId}/revoke`, { token: adminA });
    assert.equal(rs.status, 200, JSON.stringify(rs.body));
    assert.equal(rs.body.secrets[0].status, 'revoked');
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token })).status, 401, 'its token stops at once');
    const again = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: c.id,
      client_secret: c.clientSecret,
    });
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_client');
    assert.match(again.body.error_description, /revoked/);

    const d = await newClient();
    const dToken = await clientToken(t, d.id, d.clientSecret);
    assert.equal((await t.api('POST', `/api-clients/${d.id}/revoke`, { token: adminA })).body.status, 'revoked');
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token: dToken })).status, 401);
    assert.equal(
      (await tokenRequest(t, { grant_type: 'client_credentials', client_id: d.id, client_secret: d.clientSecret }))
        .status,
      401,
    );
    // Another county's administrator may not revoke county A's client.
    const e = await newClient({ expiresAt: new Date(Date.now() + 2500).toISOString() });
    assert.equal((await t.api('POST', `/api-clients/${e.id}/revoke`, { token: adminB })).status, 403);
    const eToken = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: e.id,
      client_secret: e.clientSecret,
    });
    assert.ok(eToken.body.expires_in <= 3, 'a token never outlives its client');
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token: eToken.body.access_token })).status, 200);
    await sleep(2700);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token: eToken.body.access_token })).status, 401);
    const late = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: e.id,
      client_secret: e.clientSecret,
    });
    assert.equal(late.status, 401);
    assert.match(late.body.error_description, /expired/);
    assert.equal((await t.api('GET', `/api-clients/${e.id}`, { token: adminA })).body.status, 'expired');
  });

  it('rotation: the old secret keeps working until the overlap deadline, then stops; the new one goes on', async () => {
    const c = await newClient();
    const oldToken = await clientToken(t, c.id, c.clientSecret);
    const rot = await t.api('POST', `/api-clients/${c.id}/secrets`, { token: adminA, body: { overlapSeconds: 2 } });
    assert.equal(rot.status, 201, JSON.stringify(rot.body));
    assert.notEqual(rot.body.clientSecret, c.clientSecret);
    const state = await t.api('GET', `/api-clients/${c.id}`, { token: adminA });
    const byId = Object.fromEntries(state.body.secrets.map((s: Body) => [s.id, s.status]));
    assert.deepEqual(byId, { [c.secretId]: 'expiring', [rot.body.secretId]: 'active' });
    // During the overlap both secrets get tokens and the old token still reads.
    await clientToken(t, c.id, c.clientSecret);
    const newToken = await clientToken(t, c.id, rot.body.clientSecret);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token: oldToken })).status, 200);
    await sleep(Math.max(0, new Date(rot.body.previousSecretsExpireAt).getTime() - Date.now()) + 300);
    const old = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: c.id,
      client_secret: c.clientSecret,
    });
    assert.equal(old.status, 401);
    assert.match(old.body.error_description, /rotated/);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token: oldToken })).status, 401);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token: newToken })).status, 200);
    await clientToken(t, c.id, rot.body.clientSecret);
  });

  it('calls only from the allowed source addresses', async () => {
    const bad = await register(adminA, { name: 'x', scopes: ['teachers:read'], allowedAddresses: ['10.0.0.0/33'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'allowedAddresses[0]');
    const far = await newClient({ allowedAddresses: ['203.0.113.0/24', '2001:db8::/32'] });
    assert.deepEqual(far.allowedAddresses, ['203.0.113.0/24', '2001:db8::/32']);
    const refused = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: far.id,
      client_secret: far.clientSecret,
    });
    assert.equal(refused.status, 401);
    assert.match(refused.body.error_description, /address/);
    const near = await newClient({ allowedAddresses: ['127.0.0.0/8', '::1'] });
    const token = await clientToken(t, near.id, near.clientSecret);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token })).status, 200);
    // Narrowing the addresses later refuses the tokens already issued.
    await t.db.query(`UPDATE api_client SET allowed_addresses = '{203.0.113.0/24}' WHERE id = $1`, [near.id]);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token })).status, 401);
  });

  it('answers 429 with the RateLimit headers and Retry-After past the limit', async () => {
    await freshWindow();
    const c = await newClient({ rateLimitPerMinute: 3 });
    const token = await clientToken(t, c.id, c.clientSecret); // 1 of 3
    const first = await t.api('GET', `/teachers/${recA.id}`, { token }); // 2 of 3
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-limit'), '3');
    assert.equal(first.headers.get('ratelimit-remaining'), '1');
    assert.equal(first.headers.get('ratelimit-policy'), '3;w=60');
    assert.ok(Number(first.headers.get('ratelimit-reset')) >= 1);
    assert.equal((await t.api('GET', `/teachers/${recA.id}`, { token })).headers.get('ratelimit-remaining'), '0');
    const over = await t.api('GET', `/teachers/${recA.id}`, { token });
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(over.body.code, 'RATE_LIMITED');
    assert.equal(over.headers.get('ratelimit-limit'), '3');
    assert.equal(over.headers.get('ratelimit-remaining'), '0');
    const retry = Number(over.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, String(retry));
    assert.equal(over.headers.get('ratelimit-reset'), String(retry));
    // The token endpoint counts against the same client limit.
    const tok = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: c.id,
      client_secret: c.clientSecret,
    });
    assert.equal(tok.status, 429);
    // Another client from the same address is not affected by this one's limit.
    const d = await newClient();
    assert.equal(
      (await t.api('GET', `/teachers/${recA.id}`, { token: await clientToken(t, d.id, d.clientSecret) })).status,
      200,
    );
  });

  it('Idempotency-Key: a retried POST creates one record and replays the first answer; another body is a 422', async () => {
    const record = validRecord();
    const unitId = schoolAId;
    const key = `k-${Date.now()}-${Math.random()}`;
    const send = (body: Body, k = key) =>
      t.api('POST', '/teachers', { token: schoolAdminA, body, headers: { 'Idempotency-Key': k } });
    // Two at once: the second waits for the first's transaction and replays its answer.
    const [one, two] = await Promise.all([send({ unitId, record }), send({ record, unitId })]);
    assert.equal(one.status, 201, JSON.stringify(one.body));
    assert.equal(two.status, 201, JSON.stringify(two.body));
    assert.equal(one.body.id, two.body.id);
    assert.equal([one, two].filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 1);
    const three = await send({ unitId, record });
    assert.equal(three.body.id, one.body.id);
    assert.equal(three.headers.get('idempotent-replayed'), 'true');
    assert.equal(await t.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 1);
    const changed = await send({ unitId, record: validRecord() });
    assert.equal(changed.status, 422);
    assert.equal(changed.body.code, 'IDEMPOTENCY_KEY_REUSED');
    // Keys belong to their caller: another account's same key is its own.
    const c1 = await t.api('POST', '/api-clients', {
      token: adminA,
      body: { name: 'idem', scopes: ['teachers:read'] },
      headers: { 'Idempotency-Key': key },
    });
    const c2 = await t.api('POST', '/api-clients', {
      token: adminA,
      body: { name: 'idem', scopes: ['teachers:read'] },
      headers: { 'Idempotency-Key': key },
    });
    assert.equal(c1.status, 201);
    assert.equal(c2.body.id, c1.body.id);
    assert.equal(c2.body.clientSecret, c1.body.clientSecret, 'the first answer, as it was');
    assert.equal(await t.count(`SELECT count(*) FROM api_client WHERE id = $1`, [c1.body.id]), 1);
    // A failed request keeps nothing: the same key may be retried once the body is right.
    const k2 = `k2-${Date.now()}`;
    assert.equal((await send({ unitId, record: { basic: {} } }, k2)).status, 400);
    const ok = await send({ unitId, record: validRecord() }, k2);
    assert.equal(ok.status, 201);
    const badKey = await send({ unitId }, 'bad key with spaces');
    assert.equal(badKey.status, 400);
    assert.equal(badKey.body.code, 'IDEMPOTENCY_KEY_INVALID');
  });

  it("audits every call under the client, readable by its owner unit and not by another county's", async () => {
    const c = await newClient({ name: 'audited platform' });
    const token = await clientToken(t, c.id, c.clientSecret);
    await t.api('GET', `/teachers/${recA.id}`, { token });
    await t.api('GET', `/teachers/${recB.id}`, { token });
    await t.api('GET', '/teachers?limit=200', { token });
    await t.api('GET', '/stats/freshness', { token });
    const trail = await t.api('GET', `/api-clients/${c.id}/audit`, { token: adminA });
    assert.equal(trail.status, 200, JSON.stringify(trail.body));
    const calls = trail.body.items.filter((r: Body) => r.action === 'api_client.call');
    assert.equal(calls.length, 4, JSON.stringify(trail.body.items));
    assert.ok(calls.every((r: Body) => r.actorClientId === c.id && r.actorAccountId === null));
    const read = calls.find((r: Body) => r.details.route === '/teachers/:id' && r.outcome === 'ok');
    assert.equal(read.targetId, recA.id);
    assert.deepEqual(read.details.records, [recA.id]);
    const refused = calls.find((r: Body) => r.details.route === '/teachers/:id' && r.outcome === 'refused');
    assert.equal(refused.targetId, recB.id);
    assert.equal(refused.details.code, 'OUT_OF_SCOPE');
    const listed = calls.find((r: Body) => r.details.route === '/teachers');
    assert.ok(listed.details.records.includes(recA.id));
    assert.ok(calls.some((r: Body) => r.details.route === '/stats/freshness' && r.outcome === 'refused'));
    assert.ok(trail.body.items.some((r: Body) => r.action === 'api_client.token' && r.outcome === 'ok'));
    const viaAudit = await t.api('GET', `/audit?actorClientId=${c.id}`, { token: adminA });
    assert.equal(viaAudit.body.items.length, trail.body.items.length);
    // Not for another county.
    assert.equal((await t.api('GET', `/api-clients/${c.id}/audit`, { token: adminB })).status, 403);
    assert.equal((await t.api('GET', `/audit?actorClientId=${c.id}`, { token: adminB })).body.items.length, 0);
  });
});

describe('API clients on the national node: a province-owned client reads its own province only', () => {
  let n: TestNode;
  let db: { url: string; drop(): Promise<void> };
  before(async () => {
    db = await isolatedDatabase('apiclients');
    n = await TestNode.start('national', { DATABASE_URL: db.url });
  });
  after(async () => {
    await n.close();
    await db.drop();
  });

  it("reads the province's roll-up and is refused another province's", async () => {
    const moe = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.SysAdmin));
    const p11 = await n.unitByCode('110000');
    const r = await n.api('POST', '/api-clients', {
      token: moe,
      body: { name: 'Beijing HR', ownerUnitId: p11.id, scopes: ['teachers:read'] },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const token = await clientToken(n, r.body.id, r.body.clientSecret);
    const own = await n.api('GET', '/sync/teachers?province=11', { token });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const other = await n.api('GET', '/sync/teachers?province=44', { token });
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'OUT_OF_SCOPE');
    assert.equal((await n.api('GET', '/sync/status', { token })).status, 403, 'sync status is not open to clients');
  });
});

describe('HTTP hygiene: /v1, deprecated aliases, security headers, CORS, body size, limits per address', () => {
  let plain: TestNode;
  let strict: TestNode;
  const ORIGIN = 'https://console.example.org';
  before(async () => {
    plain = await TestNode.start('provincial', { PROVINCE_CODE: '11' });
    strict = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      CORS_ORIGINS: `${ORIGIN}, https://hr.example.cn`,
      REQUEST_BODY_LIMIT_KB: '16',
      API_ADDRESS_RATE_LIMIT: '5',
    });
  });
  after(async () => {
    await plain.close();
    await strict.close();
  });

  it('serves the API under /v1; the unprefixed paths answer as deprecated aliases with Deprecation, Sunset and Link', async () => {
    const county = await plain.newCounty();
    const acct = await plain.account(county, Role.SysAdmin);
    const login = await plain.api('POST', '/v1/auth/login', {
      body: { username: acct.username, password: acct.password },
    });
    assert.equal(login.status, 200);
    assert.equal(login.headers.get('deprecation'), null);
    const token = login.body.accessToken;
    const v1 = await plain.api('GET', `/v1/units/${county.id}?x=1`, { token });
    assert.equal(v1.status, 200);
    assert.equal(v1.body.id, county.id);
    assert.equal(v1.headers.get('deprecation'), null);
    const old = await plain.api('GET', `/units/${county.id}?x=1`, { token });
    assert.equal(old.status, 200);
    assert.deepEqual(old.body, v1.body);
    assert.equal(old.headers.get('deprecation'), '@1796083200');
    assert.equal(old.headers.get('sunset'), 'Wed, 01 Dec 2027 00:00:00 GMT');
    assert.equal(old.headers.get('link'), `</v1/units/${county.id}>; rel="successor-version"`);
    // Operational routes are not versioned; the OpenAPI document names /v1 as its server.
    assert.equal((await plain.api('GET', '/health')).headers.get('deprecation'), null);
    const doc = await plain.api('GET', '/docs-json');
    assert.equal(doc.body.servers[0].url, '/v1');
    assert.equal(
      doc.body.components.securitySchemes['client-credentials'].flows.clientCredentials.tokenUrl,
      '/v1/oauth/token',
    );
    const keyed = (path: string, method: string) =>
      (doc.body.paths[path][method].parameters ?? []).some(
        (p: Body) => p.in === 'header' && p.name === 'Idempotency-Key',
      );
    assert.ok(keyed('/teachers', 'post') && keyed('/api-clients', 'post'), 'creating POSTs document Idempotency-Key');
    assert.ok(!keyed('/auth/login', 'post'), 'actions do not');
    const missing = await plain.api('GET', '/v1/no-such-route');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ROUTE_NOT_FOUND');
  });

  it('sends security headers on every answer (a strict CSP and no-store on the API, not on /docs)', async () => {
    for (const path of ['/v1/catalogue', '/health', '/v1/no-such-route']) {
      const r = await plain.api('GET', path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(r.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'", path);
      assert.equal(r.headers.get('cache-control'), 'no-store', path);
      assert.equal(r.headers.get('x-powered-by'), null, path);
    }
    const docs = await fetch(`${plain.url}/docs`);
    assert.equal(docs.status, 200);
    assert.equal(docs.headers.get('content-security-policy'), null, 'Swagger UI runs its own scripts');
    assert.equal(docs.headers.get('x-content-type-options'), 'nosniff');
  });

  it('answers no CORS by default, and only to the origins in CORS_ORIGINS', async () => {
    const preflight = (node: TestNode, origin: string) =>
      fetch(`${node.url}/v1/teachers`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
    const off = await preflight(plain, ORIGIN);
    assert.equal(off.headers.get('access-control-allow-origin'), null);
    const on = await preflight(strict, ORIGIN);
    assert.ok(on.status === 204 || on.status === 200, String(on.status));
    assert.equal(on.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(on.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/);
    assert.equal(on.headers.get('access-control-allow-credentials'), null);
    const get = await fetch(`${strict.url}/health`, { headers: { origin: 'https://hr.example.cn' } });
    assert.equal(get.headers.get('access-control-allow-origin'), 'https://hr.example.cn');
    assert.match(get.headers.get('access-control-expose-headers') ?? '', /RateLimit-Remaining/);
    const stranger = await preflight(strict, 'https://evil.example.com');
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
  });

  it('refuses a request body beyond REQUEST_BODY_LIMIT_KB with 413 problem+json (JSON and form)', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(20 * 1024), password: 'y' });
    const r = await strict.api('POST', '/v1/auth/login', { raw: big });
    assert.equal(r.status, 413);
    assert.equal(r.body.code, 'PAYLOAD_TOO_LARGE');
    const form = await fetch(`${strict.url}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${'x'.repeat(20 * 1024)}`,
    });
    assert.equal(form.status, 413);
    // The default limit (100 KiB) takes the same body.
    assert.notEqual((await plain.api('POST', '/v1/auth/login', { raw: big })).status, 413);
  });

  it('limits requests per source address across clients (429 naming the address)', async () => {
    await freshWindow();
    const county = await strict.newCounty();
    const admin = await strict.tokenFor(await strict.account(county, Role.SysAdmin));
    const clients = [];
    for (let i = 0; i < 2; i++) {
      const r = await strict.api('POST', '/v1/api-clients', {
        token: admin,
        body: { name: `addr${i}`, scopes: ['teachers:read'] },
      });
      assert.equal(r.status, 201);
      clients.push(r.body);
    }
    let limited: ApiResponse<Body> | null = null;
    for (let i = 0; i < 6 && !limited; i++) {
      const c = clients[i % 2];
      const r = await tokenRequest(strict, {
        grant_type: 'client_credentials',
        client_id: c.id,
        client_secret: c.clientSecret,
      });
      if (r.status === 429) limited = r;
      else assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    assert.ok(limited, 'a 429 within 6 requests of two clients from one address (limit 5)');
    assert.equal(limited.body.code, 'RATE_LIMITED');
    assert.match(limited.body.detail, /source address/);
    assert.equal(limited.headers.get('ratelimit-limit'), '5');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { apiClient, isolatedDatabase, TestNode, unique } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

type Rec = Record<string, any>;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A platform's endpoint: records every request; each path answers with the status its responder gives. */
class Receiver {
  readonly received: Received[] = [];
  readonly responders = new Map<string, () => number>();
  /** Milliseconds a path waits before it answers. */
  readonly delays = new Map<string, number>();
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        res.statusCode = (this.responders.get(path) ?? (() => 204))();
        if (res.statusCode >= 300 && res.statusCode < 400) res.setHeader('location', '/elsewhere');
        setTimeout(() => res.end(res.statusCode >= 300 ? 'not now' : ''), this.delays.get(path) ?? 0);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

const ENV = {
  // The receiver is a local server: this node may deliver to loopback (the SSRF refusals are tested below with it off).
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_INTERVAL_MS: '50',
  WEBHOOK_RETRY_BASE_MS: '200',
  WEBHOOK_MAX_ATTEMPTS: '3',
  WEBHOOK_DISABLE_AFTER: '4',
  CHANGE_FEED_INTERVAL_MS: '50',
};

describe('webhooks (Standard Webhooks, outbox, retries, replay)', () => {
  let t: TestNode;
  let db: { url: string; drop(): Promise<void> };
  const rx = new Receiver();
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let otherCounty: OrgUnitEntity;
  let countyInfo: string;
  let countySys: string;
  let otherInfo: string;

  before(async () => {
    // A database of its own: every node on a database delivers its webhooks, with that node's retry settings.
    db = await isolatedDatabase('webhooks');
    t = await TestNode.start('provincial', { DATABASE_URL: db.url, ...ENV });
    await rx.start();
    county = await t.newCounty();
    school = await t.newSchool(county);
    otherCounty = await t.newCounty();
    countyInfo = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    countySys = await t.tokenFor(await t.account(county, Role.SysAdmin));
    otherInfo = await t.tokenFor(await t.account(otherCounty, Role.InfoAdmin));
  });
  after(async () => {
    await t.close();
    await rx.close();
    await db.drop();
  });

  async function subscribe(token: string, path: string, eventTypes: string[]): Promise<Rec> {
    const r = await t.api('POST', '/webhooks', { token, body: { url: rx.url(path), eventTypes } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(r.body.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    return r.body;
  }

  it('delivers signed changes of its subtree, verified by the standardwebhooks library; a tampered one is rejected', async () => {
    const full = await subscribe(countyInfo, '/full', ['teacher.created', 'unit.updated']);
    const masked = await subscribe(countySys, '/masked', ['*']);
    assert.equal(full.view, 'full');
    assert.equal(masked.view, 'masked');
    assert.equal((await t.api('GET', `/webhooks/${full.id}`, { token: countyInfo })).body.secret, undefined);

    const record = validRecord();
    const created = await t.api('POST', '/teachers', { token: countyInfo, body: { unitId: school.id, record } });
    assert.equal(created.status, 201);
    await t.api('POST', '/teachers', {
      token: otherInfo,
      body: { unitId: (await t.newSchool(otherCounty)).id, record: validRecord() },
    });

    const got = await waitFor('the full delivery', () => rx.on('/full')[0]);
    const payload = new Webhook(full.secret).verify(got.body, headersOf(got)) as Rec;
    assert.equal(payload.type, 'teacher.created');
    assert.equal(payload.data.entityId, created.body.id);
    assert.equal(payload.data.entity.idNumber, idOf(record));
    assert.match(String(got.headers['webhook-id']), /^msg_/);
    assert.match(String(got.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);

    const m = await waitFor('the masked delivery', () =>
      rx.on('/masked').find((r) => JSON.parse(r.body).data.entityId === created.body.id),
    );
    const mp = new Webhook(masked.secret).verify(m.body, headersOf(m)) as Rec;
    assert.match(mp.data.entity.idNumber, /\*{4}/, 'a system administrator’s endpoint gets personal data masked');

    // Tampered body, another endpoint's secret, a stale timestamp: all refused by the verifier.
    const tampered = got.body.replace(created.body.id, '00000000-0000-4000-8000-000000000000');
    assert.throws(() => new Webhook(full.secret).verify(tampered, headersOf(got)), WebhookVerificationError);
    assert.throws(() => new Webhook(masked.secret).verify(got.body, headersOf(got)), WebhookVerificationError);

    // Only the subtree: the other county's teacher reached neither endpoint.
    await new Promise((r) => setTimeout(r, 300));
    for (const r of [...rx.on('/full'), ...rx.on('/masked')])
      assert.ok(
        JSON.parse(r.body).data.unitPath.startsWith(county.path) ||
          JSON.parse(r.body).data.previousUnitPath?.startsWith(county.path),
      );
    // Only the subscribed types on /full.
    assert.ok(rx.on('/full').every((r) => ['teacher.created', 'unit.updated'].includes(JSON.parse(r.body).type)));

    // Attempts visible through the API; another county cannot see the endpoint.
    // The receiver has the request before the sender has its answer and records it: the state follows.
    const d = await waitFor('the delivery recorded as succeeded', async () => {
      const list = await t.api('GET', `/webhooks/${full.id}/deliveries`, { token: countyInfo });
      assert.equal(list.status, 200);
      const x = list.body.items.find((i: Rec) => `msg_${i.id}` === got.headers['webhook-id']);
      return x?.state === 'succeeded' && (x as Rec);
    });
    assert.equal(d.state, 'succeeded');
    const attempts = await t.api('GET', `/webhooks/${full.id}/deliveries/${d.id}/attempts`, { token: countyInfo });
    assert.deepEqual(
      attempts.body.items.map((a: Rec) => a.statusCode),
      [204],
    );
    assert.equal((await t.api('GET', `/webhooks/${full.id}`, { token: otherInfo })).status, 403);
    assert.equal((await t.api('GET', `/webhooks/${full.id}/deliveries`, { token: otherInfo })).status, 403);
    assert.ok(!(await t.api('GET', '/webhooks', { token: otherInfo })).body.items.some((e: Rec) => e.id === full.id));
    // Bad subscriptions.
    assert.equal(
      (await t.api('POST', '/webhooks', { token: countyInfo, body: { url: 'ftp://x', eventTypes: ['*'] } })).status,
      400,
    );
    const badType = await t.api('POST', '/webhooks', {
      token: countyInfo,
      body: { url: rx.url('/x'), eventTypes: ['teacher.eaten'] },
    });
    assert.equal(badType.body.code, 'WEBHOOK_UNKNOWN_EVENT_TYPE');
  });

  it('retries a failing endpoint with exponential backoff, and replays one delivery or a range', async () => {
    let calls = 0;
    rx.responders.set('/flaky', () => (++calls <= 2 ? 500 : 200));
    const ep = await subscribe(countyInfo, '/flaky', ['unit.updated']);
    const since = new Date(Date.now() - 1000).toISOString();
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, `改名${unique()}`]);
    await waitFor('three attempts', () => rx.on('/flaky').length >= 3);
    const [a, b, c] = rx.on('/flaky');
    assert.equal(a.headers['webhook-id'], c.headers['webhook-id'], 'retries keep the message id');
    assert.ok(b.at - a.at >= 180, `first retry after ~200 ms (${b.at - a.at})`);
    assert.ok(c.at - b.at >= 750, `second retry after ~800 ms (${c.at - b.at})`);
    for (const r of [a, b, c]) new Webhook(ep.secret).verify(r.body, headersOf(r));
    const [d] = (await t.api('GET', `/webhooks/${ep.id}/deliveries`, { token: countyInfo })).body.items;
    await waitFor(
      'succeeded',
      async () =>
        (await t.api('GET', `/webhooks/${ep.id}/deliveries/${d.id}/attempts`, { token: countyInfo })).body.delivery
          .state === 'succeeded',
    );
    const att = await t.api('GET', `/webhooks/${ep.id}/deliveries/${d.id}/attempts`, { token: countyInfo });
    assert.deepEqual(
      att.body.items.map((x: Rec) => [x.attempt, x.statusCode]),
      [
        [1, 500],
        [2, 500],
        [3, 200],
      ],
    );
    assert.equal(att.body.items[0].error, 'HTTP 500');

    // Replay one: the same message again, still verifiable.
    const one = await t.api('POST', `/webhooks/${ep.id}/deliveries/${d.id}/replay`, { token: countyInfo });
    assert.deepEqual([one.status, one.body.queued], [202, 1]);
    const again = await waitFor('the replay', () => rx.on('/flaky')[3]);
    assert.equal(again.headers['webhook-id'], a.headers['webhook-id']);
    new Webhook(ep.secret).verify(again.body, headersOf(again));
    // Replay a range: every delivery since the subscription.
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, `再改${unique()}`]);
    await waitFor('the second change', () => rx.on('/flaky').length >= 5);
    const range = await t.api('POST', `/webhooks/${ep.id}/replay`, { token: countyInfo, body: { since } });
    assert.deepEqual([range.status, range.body.queued], [202, 2]);
    await waitFor('the range replay', () => rx.on('/flaky').length >= 7);
    assert.equal((await t.api('POST', `/webhooks/${ep.id}/replay`, { token: otherInfo, body: {} })).status, 403);
  });

  it('disables an endpoint after a run of failures and puts it on its owner’s to-do list', async () => {
    rx.responders.set('/dead', () => 503);
    const unit = await t.newCounty();
    const owner = await t.tokenFor(await t.account(unit, Role.InfoAdmin));
    const r = await t.api('POST', '/webhooks', {
      token: owner,
      body: { url: rx.url('/dead'), eventTypes: ['unit.updated'] },
    });
    assert.equal(r.status, 201);
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [unit.id, `一${unique()}`]);
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [unit.id, `二${unique()}`]);
    const ep = await waitFor('disabled', async () => {
      const e = (await t.api('GET', `/webhooks/${r.body.id}`, { token: owner })).body;
      return e.status === 'disabled' && e;
    });
    assert.equal(ep.consecutiveFailures, 4);
    const todo = await t.api('GET', '/todo', { token: owner });
    assert.equal(todo.status, 200);
    assert.ok(
      todo.body.items.some((i: Rec) => i.kind === 'webhooks-disabled' && i.count === 1),
      JSON.stringify(todo.body),
    );
    // Nothing more is sent while disabled.
    const sent = rx.on('/dead').length;
    assert.equal(sent, 4);
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [unit.id, `三${unique()}`]);
    await new Promise((res) => setTimeout(res, 600));
    assert.equal(rx.on('/dead').length, sent);
    // Re-enabled and healthy again: what queued meanwhile arrives; the to-do item is gone.
    rx.responders.set('/dead', () => 200);
    const en = await t.api('POST', `/webhooks/${r.body.id}/enable`, { token: owner });
    assert.deepEqual([en.status, en.body.status], [200, 'active']);
    await waitFor('the queued change', () => rx.on('/dead').some((x) => x.body.includes('三')));
    const after2 = await t.api('GET', '/todo', { token: owner });
    assert.ok(!after2.body.items.some((i: Rec) => i.kind === 'webhooks-disabled'));
  });

  it('subscriptions belong to API clients with changes:read; a revoked client gets nothing more', async () => {
    const c = await apiClient(t, countySys, ['changes:read', 'teachers:read']);
    const sibling = await apiClient(t, countySys, ['changes:read']);
    const noScope = await apiClient(t, countySys, ['teachers:read']);
    const refused = await t.api('POST', '/webhooks', {
      token: noScope.token,
      body: { url: rx.url('/x'), eventTypes: ['*'] },
    });
    assert.equal(refused.status, 403);
    const ep = await subscribe(c.token, '/client', ['unit.updated']);
    assert.equal(ep.view, 'masked', 'without teachers:read:sensitive');
    assert.equal((await t.api('GET', `/webhooks/${ep.id}`, { token: sibling.token })).status, 404);
    assert.ok(!(await t.api('GET', '/webhooks', { token: sibling.token })).body.items.some((e: Rec) => e.id === ep.id));
    assert.ok((await t.api('GET', '/webhooks', { token: countySys })).body.items.some((e: Rec) => e.id === ep.id));
    const name = `客户端${unique()}`;
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, name]);
    const got = await waitFor('the client delivery', () => rx.on('/client')[0]);
    assert.equal((new Webhook(ep.secret).verify(got.body, headersOf(got)) as Rec).data.entity.name, name);
    // The receiver has the request before the sender has its answer and records it: the state follows.
    const state = await waitFor('the delivery recorded', async () => {
      const attempts = await t.api('GET', `/webhooks/${ep.id}/deliveries`, { token: c.token });
      return attempts.body.items[0]?.state !== 'pending' && (attempts.body.items[0]?.state as string);
    });
    assert.equal(state, 'succeeded');
    // Revoked: the next change queues but is not sent.
    assert.equal((await t.api('POST', `/api-clients/${c.id}/revoke`, { token: countySys })).status, 200);
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, `撤销后${unique()}`]);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(rx.on('/client').length, 1);
  });

  it('sends to one endpoint in parallel, and a slow endpoint holds up only itself', async () => {
    rx.delays.set('/slow', 2000);
    const slow = await subscribe(countyInfo, '/slow', ['unit.updated']);
    await subscribe(countyInfo, '/fast', ['unit.updated']);
    const units = [school, ...(await Promise.all([1, 2, 3, 4].map(() => t.newSchool(county))))];
    // Five changes in one statement: committed, numbered and fanned out together.
    await t.db.query(`UPDATE org_unit SET name = name || '并' WHERE id = ANY($1::uuid[])`, [units.map((u) => u.id)]);
    await waitFor('five fast deliveries', () => rx.on('/fast').length >= 5);
    await waitFor('five slow requests', () => rx.on('/slow').length >= 5);
    const slowAt = rx.on('/slow').map((r) => r.at);
    assert.ok(
      Math.max(...slowAt) - Math.min(...slowAt) < 1500,
      `the slow endpoint's five requests overlap (${Math.max(...slowAt) - Math.min(...slowAt)} ms apart, each takes 2 s)`,
    );
    assert.ok(
      Math.max(...rx.on('/fast').map((r) => r.at)) < Math.min(...slowAt) + 2000,
      'the fast endpoint got everything before the slow one answered',
    );
    await waitFor(
      'the slow deliveries recorded',
      async () =>
        (await t.api('GET', `/webhooks/${slow.id}/deliveries?state=succeeded`, { token: countyInfo })).body.items
          .length === 5,
    );
  });

  it('does not follow redirects: a 3xx is a failed attempt and the Location is never called', async () => {
    rx.responders.set('/redirect', () => 307);
    const ep = await subscribe(countyInfo, '/redirect', ['unit.updated']);
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, `跳转${unique()}`]);
    await waitFor('the attempt', () => rx.on('/redirect').length >= 1);
    const [d] = (await t.api('GET', `/webhooks/${ep.id}/deliveries`, { token: countyInfo })).body.items;
    const att = await waitFor('the recorded attempt', async () => {
      const r = await t.api('GET', `/webhooks/${ep.id}/deliveries/${d.id}/attempts`, { token: countyInfo });
      return r.body.items.length >= 1 && r.body;
    });
    assert.deepEqual([att.items[0].statusCode, att.items[0].error], [307, 'HTTP 307']);
    assert.equal(att.delivery.state, 'pending', 'retried later, like any failure');
    assert.ok(!rx.received.some((r) => r.path === '/elsewhere'));
  });

  it('a delivery survives a node restart (the outbox is in the database)', async () => {
    let up = false;
    rx.responders.set('/restart', () => (up ? 200 : 503));
    const ep = await subscribe(countyInfo, '/restart', ['unit.updated']);
    const name1 = `重启前${unique()}`;
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, name1]);
    await waitFor('a failed attempt', () => rx.on('/restart').length >= 1);
    await t.close();
    // A change while no node runs.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const name2 = `停机时${unique()}`;
    await c.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [school.id, name2]);
    await c.end();
    up = true;
    t = await TestNode.start('provincial', { DATABASE_URL: db.url, ...ENV });
    const names = await waitFor('both changes delivered', () => {
      const ok = rx
        .on('/restart')
        .map((r) => (new Webhook(ep.secret).verify(r.body, headersOf(r)) as Rec).data.entity.name);
      return ok.includes(name1) && ok.includes(name2) && ok;
    });
    assert.ok(names.length >= 3, 'the first one failed before the restart and was sent again after it');
    const token = await t.login((await t.account(county, Role.InfoAdmin)).username);
    const items = await waitFor('both deliveries recorded', async () => {
      const list = (await t.api('GET', `/webhooks/${ep.id}/deliveries`, { token })).body.items as Rec[];
      return list.every((d) => d.state !== 'pending') && list;
    });
    assert.deepEqual(
      items.map((d: Rec) => d.state),
      ['succeeded', 'succeeded'],
    );
  });
});

describe('webhook targets: no private or internal addresses (SSRF) unless the node allows them', () => {
  let t: TestNode;
  let db: { url: string; drop(): Promise<void> };
  const rx = new Receiver();
  let county: OrgUnitEntity;
  let token: string;

  before(async () => {
    db = await isolatedDatabase('webhooks_ssrf');
    t = await TestNode.start('provincial', {
      DATABASE_URL: db.url,
      ...ENV,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
      WEBHOOK_MAX_ATTEMPTS: '1',
    });
    await rx.start();
    county = await t.newCounty();
    token = await t.tokenFor(await t.account(county, Role.InfoAdmin));
  });
  after(async () => {
    await t.close();
    await rx.close();
    await db.drop();
  });

  it('refuses loopback, link-local, private, unspecified, multicast and metadata targets, other schemes and credentials (400, field url, nothing written)', async () => {
    const refusedAddresses = [
      rx.url('/hook'),
      'http://localhost:8080/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fe80::1]/hook',
      'http://10.1.2.3/hook',
      'http://172.16.5.4/hook',
      'http://192.168.0.10/hook',
      'http://[fd00:ec2::254]/hook',
      'http://100.100.100.200/latest/meta-data/',
      'http://0.0.0.0:8080/hook',
      'http://[::]/hook',
      'http://224.0.0.1/hook',
      'http://2130706433/hook',
    ];
    for (const url of refusedAddresses) {
      const r = await t.api('POST', '/webhooks', { token, body: { url, eventTypes: ['*'] } });
      assert.equal(r.status, 400, url);
      assert.match(String(r.headers.get('content-type')), /application\/problem\+json/);
      assert.equal(r.body.code, 'WEBHOOK_TARGET_NOT_ALLOWED', url);
      assert.equal(r.body.errors[0].path, 'url');
      assert.ok(r.body.errors[0].message && r.body.errors[0].messageZh, 'English and Chinese');
      assert.ok(r.body.title && r.body.titleZh);
    }
    for (const [url, code] of [
      ['ftp://example.org/hook', 'scheme'],
      ['file:///etc/passwd', 'scheme'],
      ['https://user:secret@example.org/hook', 'credentials'],
    ]) {
      const r = await t.api('POST', '/webhooks', { token, body: { url, eventTypes: ['*'] } });
      assert.deepEqual(
        [r.status, r.body.code, r.body.errors[0].path, r.body.errors[0].code],
        [400, 'WEBHOOK_INVALID_URL', 'url', code],
      );
    }
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM webhook_endpoint`);
    assert.equal(n, 0, 'nothing written');
    // A public address is accepted (nothing is sent to it here: it subscribes to no change of this test).
    const ok = await t.api('POST', '/webhooks', {
      token,
      body: { url: 'https://8.8.8.8/hook', eventTypes: ['unit.deleted'] },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  it('checks again at delivery, after DNS resolution: a name now resolving to loopback (rebinding) gets nothing sent', async () => {
    // As if the names had resolved to public addresses when subscribed, and were re-pointed since.
    const port = new URL(rx.url('/')).port;
    const [{ id }] = await t.db.query(
      `INSERT INTO webhook_endpoint (owner_unit_id, owner_unit_path, url, event_types, view, secret, from_seq)
       VALUES ($1, $2, $3, '{unit.updated}', 'full', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', (SELECT last FROM change_feed_counter))
       RETURNING id`,
      [county.id, county.path, `http://localhost:${port}/rebound`],
    );
    await t.db.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [county.id, `改名${unique()}`]);
    const att = await waitFor('the refused attempt', async () => {
      const [d] = (await t.api('GET', `/webhooks/${id}/deliveries`, { token })).body.items ?? [];
      if (!d || d.state === 'pending') return false;
      return (await t.api('GET', `/webhooks/${id}/deliveries/${d.id}/attempts`, { token })).body;
    });
    assert.equal(att.delivery.state, 'failed');
    assert.equal(att.items[0].statusCode, null);
    assert.match(att.items[0].error, /refused: localhost resolves to (127\.0\.0\.1|::1) \(loopback\)/);
    assert.equal(rx.received.length, 0, 'the local receiver got nothing');
  });
});

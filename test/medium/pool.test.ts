import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Role } from '@tmis/access';
import { CustomFieldsService } from '@tmis/teachers';
import type { OrgUnitEntity } from '@tmis/org';
import { TestNode, testDatabaseUrl } from '../support/test-node.js';
import { validRecord } from '../support/records.js';

/** Concurrency well above the pool, and the bound within which every request must be answered. */
const N = 30;
const POOL = 3;
const BOUND_MS = 20000;

interface Answer {
  status: number;
  body: any;
  ms: number;
  headers?: Headers;
}

/**
 * Issue 20 (1): a provincial node whose write path needed a second pooled connection inside its
 * transaction froze for good under ~30 concurrent writes. Here a node with a pool of 3 and the
 * custom-field cache always expired gets 30 concurrent requests at every record write route.
 */
describe('a provincial node under write concurrency well above its pool (issue 20)', () => {
  let t: TestNode;
  let school: OrgUnitEntity;
  let schoolAdmin: string;
  let countyAdmin: string;
  let ids: string[] = [];

  before(async () => {
    // A generous acquire timeout: a write that needs only its own connection never waits that long here.
    t = await TestNode.start('provincial', { DB_POOL_SIZE: String(POOL), DB_ACQUIRE_TIMEOUT_MS: '10000' });
    const county = await t.newCounty();
    school = await t.newSchool(county);
    schoolAdmin = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    countyAdmin = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    // The short cache of custom-field definitions is expired for every write: each one refills it.
    Object.defineProperty(t.node.app.get(CustomFieldsService), 'cache', { get: () => null, set: () => undefined });
  });
  after(() => t.close());

  async function call(method: string, path: string, token: string, body?: unknown, base = t.url): Promise<Answer> {
    const started = Date.now();
    try {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(BOUND_MS),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text ? JSON.parse(text) : undefined,
        ms: Date.now() - started,
        headers: res.headers,
      };
    } catch (e) {
      return { status: 0, body: String(e), ms: Date.now() - started };
    }
  }

  /**
   * Fires all at once; every request is answered within the bound, and succeeds: each write needs one
   * connection only, so 30 of them queue for 3 connections and go through (a write that needed a second
   * connection inside its transaction would exhaust the pool: 503s after the acquire timeout, or a hang).
   */
  async function burst(label: string, requests: (() => Promise<Answer>)[]): Promise<Answer[]> {
    const answers = await Promise.all(requests.map((r) => r()));
    for (const a of answers) {
      assert.ok(a.status !== 0, `${label}: a request was not answered within ${BOUND_MS} ms (${a.body})`);
      assert.ok(a.ms < BOUND_MS, `${label}: answered after ${a.ms} ms`);
      assert.ok(a.status >= 200 && a.status < 300, `${label}: ${a.status} ${JSON.stringify(a.body)}`);
    }
    return answers;
  }

  async function current(): Promise<Map<string, { version: number; record: any }>> {
    const rows: { id: string; version: number; record: any }[] = await t.db.query(
      `SELECT id, version, record FROM teacher WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  const onEach = async (label: string, fn: (id: string, version: number, record: any) => Promise<Answer>) => {
    const now = await current();
    return burst(
      label,
      ids.map((id) => () => fn(id, now.get(id)!.version, now.get(id)!.record)),
    );
  };

  it("the node's pooled sessions plan without JIT or parallel workers, beside the node's own pool settings", async () => {
    // Every connection of the pool: the settings come with each connection, not from one SET.
    const clients = await Promise.all(
      Array.from({ length: POOL }, async () => {
        const qr = t.db.createQueryRunner();
        await qr.connect();
        return qr;
      }),
    );
    try {
      for (const qr of clients) {
        const [row] = await qr.query(
          `SELECT current_setting('jit') AS jit, current_setting('max_parallel_workers_per_gather') AS workers, current_setting('application_name') AS app`,
        );
        // A page query planned in parallel started a worker per request (the node's `extra` had replaced these).
        assert.deepEqual(row, { jit: 'off', workers: '0', app: 'tmis-provincial' });
      }
    } finally {
      await Promise.all(clients.map((qr) => qr.release()));
    }
  });

  it('answers 30 concurrent requests at every record write route with a pool of 3, and stays healthy', async () => {
    const created = await burst(
      'create',
      Array.from(
        { length: N },
        () => () => call('POST', '/teachers', schoolAdmin, { unitId: school.id, record: validRecord() }),
      ),
    );
    ids = created.filter((a) => a.status === 201).map((a) => a.body.id);

    await onEach('update', (id, version) =>
      call('PATCH', `/teachers/${id}`, schoolAdmin, {
        version,
        changes: { contacts: { email: `p${version}@school.example.cn` } },
      }),
    );
    await onEach('entry add', (id, version) =>
      call('POST', `/teachers/${id}/teaching`, schoolAdmin, {
        version,
        entry: { schoolYear: '2025-2026', semester: '2', subject: '02', grade: '八年级', weeklyHours: 10 },
      }),
    );
    const entryOf = (record: any) => (record.teaching as { id: string }[]).at(-1)!.id;
    await onEach('entry update', (id, version, record) =>
      call('PATCH', `/teachers/${id}/teaching/${entryOf(record)}`, schoolAdmin, {
        version,
        entry: { weeklyHours: 8 },
      }),
    );
    await onEach('entry remove', (id, version, record) =>
      call('DELETE', `/teachers/${id}/teaching/${entryOf(record)}?version=${version}`, schoolAdmin),
    );
    await onEach('status change', (id, version) =>
      call('POST', `/teachers/${id}/status`, schoolAdmin, {
        version,
        personStatus: '03',
        effectiveDate: '2026-09-01',
      }),
    );
    await onEach('submit', (id, version) => call('POST', `/teachers/${id}/review/submit`, schoolAdmin, { version }));
    await onEach('school review', (id, version) =>
      call('POST', `/teachers/${id}/review/school-approve`, schoolAdmin, {
        version,
        participants: ['甲', '乙'],
        principal: '甲',
      }),
    );
    await onEach('department approve', (id, version) =>
      call('POST', `/teachers/${id}/review/department-approve`, countyAdmin, { version }),
    );
    const requests = await onEach('change request create', (id, version) =>
      call('POST', `/teachers/${id}/change-requests`, schoolAdmin, {
        baseVersion: version,
        changes: { contacts: { email: `cr${version}@school.example.cn` } },
        reason: '邮箱变更',
      }),
    );
    await burst(
      'change request approve',
      requests
        .filter((a) => a.status === 201)
        .map((a) => () => call('POST', `/change-requests/${a.body.id}/approve`, countyAdmin)),
    );

    const health = await fetch(`${t.url}/health`, { signal: AbortSignal.timeout(5000) });
    assert.equal(health.status, 200);
    // Nothing is left holding a connection inside a transaction. (Other test files' nodes share this
    // database and pass through "idle in transaction" between two statements: a connection left holding
    // one stays in that state, so only those idle in a transaction for more than 2 s count.)
    await new Promise((r) => setTimeout(r, 2500));
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction' AND application_name = 'tmis-provincial' AND state_change < now() - interval '2 seconds'`,
    );
    assert.equal(n, 0);
  });

  it('fails a request that cannot get a connection in time with 503 DATABASE_BUSY and Retry-After, then recovers', async () => {
    const n = await TestNode.start('provincial', { DB_POOL_SIZE: String(POOL), DB_ACQUIRE_TIMEOUT_MS: '1000' });
    const admin = await n.tokenFor(await n.account(school, Role.InfoAdmin));
    const held = await Promise.all(Array.from({ length: POOL }, () => n.db.createQueryRunner()));
    try {
      for (const qr of held) await qr.connect();
      const busy = await call('GET', `/teachers/${ids[0]}`, admin, undefined, n.url);
      assert.equal(busy.status, 503, JSON.stringify(busy.body));
      assert.equal(busy.body.code, 'DATABASE_BUSY');
      assert.ok(busy.body.title && busy.body.titleZh);
      assert.equal(busy.headers?.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.ok(Number(busy.headers?.get('retry-after')) > 0);
      assert.ok(busy.ms < 1000 + 2000, `answered after ${busy.ms} ms`);
    } finally {
      for (const qr of held) await qr.release();
    }
    assert.equal((await call('GET', `/teachers/${ids[0]}`, admin, undefined, n.url)).status, 200);
    await n.close();
  });

  it('stops in bounded time although a request is stuck on a lock', async () => {
    const n = await TestNode.start('provincial', { DB_POOL_SIZE: String(POOL), SHUTDOWN_GRACE_MS: '1000' });
    const admin = await n.tokenFor(await n.account(school, Role.InfoAdmin));
    const id = ids[0];
    const locker = new pg.Client({ connectionString: testDatabaseUrl('provincial') });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      const [{ version }] = (await locker.query(`SELECT version FROM teacher WHERE id = $1 FOR UPDATE`, [id])).rows;
      const stuck = fetch(`${n.url}/teachers/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ version, changes: { contacts: { email: 'stuck@school.example.cn' } } }),
      }).catch(() => null);
      await new Promise((r) => setTimeout(r, 500));
      const started = Date.now();
      await n.close();
      const took = Date.now() - started;
      assert.ok(took < 1000 + 3000, `close took ${took} ms`);
      await locker.query('ROLLBACK');
      await stuck;
    } finally {
      await locker.end();
    }
  });
});

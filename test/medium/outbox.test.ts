import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { OutboxRelay } from '@tmis/sync-publish';
import type { SyncTransport } from '@tmis/sync-transport';
import { Role } from '@tmis/access';
import { reportRecords, until } from '../support/sync-helpers.js';
import { isolatedDatabase, METRICS_AUTH, TestNode } from '../support/test-node.js';

describe('outbox relay', () => {
  let p: TestNode;
  let db: { url: string; drop(): Promise<void> };
  before(async () => {
    db = await isolatedDatabase('ob');
    p = await TestNode.start('provincial', { PROVINCE_CODE: '11', DATABASE_URL: db.url });
  });
  after(async () => {
    await p?.close();
    await db?.drop();
  });

  it('publishes in sequence order (numeric, across batches), keyed, and marks rows sent only when the broker took them', async () => {
    // 1,205 events, so that sequences cross 9→10, 99→100 and 999→1000 and span batches of 1,000.
    await p.db.query(
      `INSERT INTO sync_outbox (type, key, payload) SELECT 'snapshot.marker', 'k' || (g % 7), jsonb_build_object('phase', 'begin', 'headSequence', g) FROM generate_series(1, 1205) g`,
    );
    const sent: { key: string; value: string }[] = [];
    let fail = true;
    const transport: SyncTransport = {
      publish: async (_t, m) => {
        if (fail) throw new Error('broker down');
        sent.push(...m);
      },
      close: async () => undefined,
    };
    const relay = p.node.app.get(OutboxRelay);
    (relay as unknown as { transport: SyncTransport }).transport = transport;
    await assert.rejects(relay.drainOnce(), /broker down/);
    assert.equal(
      (await p.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL`))[0].n,
      1205,
      'nothing marked sent when the broker refused',
    );
    fail = false;
    while ((await relay.drainOnce()) > 0) {
      /* drain */
    }
    const seqs = sent.map((m) => JSON.parse(m.value).sequence as number);
    assert.equal(seqs.length, 1205);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(sent[0].key, JSON.parse(sent[0].value).key);
    // a begin marker's headSequence is rewritten to the publish sequence before it
    assert.deepEqual(JSON.parse(sent[1204].value).payload, { phase: 'begin', headSequence: 1204 });
    assert.equal((await p.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL`))[0].n, 0);
  });
  it('a relay batch holds about 4 MB of stored payload at most, so large resync chunks drain over several batches, in order', async () => {
    await p.db.query(`UPDATE sync_outbox SET published_at = now() WHERE published_at IS NULL`);
    // 24 chunk-sized rows of ~0.5 MB of hex (little to compress).
    await p.db.query(
      `INSERT INTO sync_outbox (type, key, payload)
       SELECT 'teacher.snapshot', 'k' || g, jsonb_build_object('records', jsonb_build_array(jsonb_build_object('x',
                (SELECT string_agg(md5(g::text || ':' || i::text), '') FROM generate_series(1, 16000) i))))
         FROM generate_series(1, 24) g`,
    );
    const batches: string[][] = [];
    const transport: SyncTransport = {
      publish: async (_t, m) => {
        batches.push(m.map((x) => x.key));
      },
      close: async () => undefined,
    };
    const relay = p.node.app.get(OutboxRelay);
    (relay as unknown as { transport: SyncTransport }).transport = transport;
    while ((await relay.drainOnce()) > 0) {
      /* drain */
    }
    assert.ok(batches.length > 1, `several batches: ${batches.map((b) => b.length).join(', ')}`);
    assert.ok(batches[0].length >= 1 && batches[0].length < 24);
    assert.deepEqual(
      batches.flat(),
      Array.from({ length: 24 }, (_, i) => `k${i + 1}`),
    );
    assert.equal((await p.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL`))[0].n, 0);
  });

  it('clears the last broker error on the first successful publish, while the backlog still drains', async () => {
    await p.db.query(`UPDATE sync_outbox SET published_at = now() WHERE published_at IS NULL`);
    await p.db.query(
      `INSERT INTO sync_outbox (type, key, payload) SELECT 'snapshot.marker', 'k', jsonb_build_object('phase', 'begin', 'headSequence', g) FROM generate_series(1, 2500) g`,
    );
    let down = true;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const transport: SyncTransport = {
      publish: async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:9092');
        calls++;
        if (calls === 2) await gate; // the second batch hangs: the backlog is still there
      },
      close: async () => undefined,
    };
    const relay = p.node.app.get(OutboxRelay);
    (relay as unknown as { transport: SyncTransport }).transport = transport;
    const tick = () => (relay as unknown as { tick(): Promise<void> }).tick();
    await tick();
    assert.match((await relay.status()).lastError ?? '', /ECONNREFUSED/);
    down = false;
    const draining = tick();
    try {
      while (calls < 2) await new Promise((r) => setTimeout(r, 10));
      const mid = await relay.status();
      assert.equal(mid.lastError, null, 'the error is cleared by the first batch the broker took');
      assert.ok(mid.unpublished >= 1500, `backlog still there: ${mid.unpublished}`);
      const health = await p.api('GET', '/health', { headers: METRICS_AUTH });
      assert.equal(health.body.details.sync_outbox.lastError, null);
    } finally {
      release();
      await draining;
    }
    assert.equal((await relay.status()).unpublished, 0);
  });

  it('the resync appends, set-based, the very payload the live path built for each record, as reported', async () => {
    await p.db.query(`UPDATE sync_outbox SET published_at = now() WHERE published_at IS NULL`);
    // Three records reported through review: the live path (toReportedPayload) wrote one event each.
    const { ids, schoolAdmin } = await reportRecords(p, 3);
    // One gets a custom value and goes back to draft with new information: the resync must send what was reported.
    const cur = await p.api('GET', `/teachers/${ids[0]}`, { token: schoolAdmin });
    const added = await p.api('POST', `/teachers/${ids[0]}/domesticTraining`, {
      token: schoolAdmin,
      body: {
        version: cur.body.version,
        entry: { projectName: '未审培训', startDate: '2026-07-01', endDate: '2026-07-05', hours: 30 },
      },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const admin = await p.tokenFor(await p.account(await p.province_(), Role.InfoAdmin));
    const st = await p.api('POST', '/sync/resync', { token: admin });
    assert.equal(st.status, 202, JSON.stringify(st.body));
    await until(
      'resync queued',
      async () => (await p.api('GET', '/sync/resync', { token: admin })).body.state === 'done',
    );
    // The resync's records travel in `teacher.snapshot` chunks ({ records: [...] }), each record the live payload.
    const rows: { key: string; live: object; resync: object; same: boolean }[] = await p.db.query(
      `SELECT l.key, l.payload AS live, r.record AS resync, l.payload = r.record AS same
         FROM sync_outbox l
         JOIN (SELECT s.sequence, e.record FROM sync_outbox s CROSS JOIN LATERAL jsonb_array_elements(s.payload->'records') e(record)
                WHERE s.type = 'teacher.snapshot') r ON r.record->>'teacherId' = l.key AND r.sequence > l.sequence
        WHERE l.type = 'teacher.upserted' AND l.key = ANY($1::text[])`,
      [ids],
    );
    assert.equal(rows.length, 3, 'one live event and one snapshot record per record');
    for (const r of rows) {
      assert.deepEqual(r.resync, r.live, `payload of ${r.key}`);
      assert.ok(r.same, 'equal as jsonb, member for member');
    }
    const draft = rows.find((r) => r.key === ids[0])!.resync as { record: { domesticTraining?: unknown[] } };
    assert.equal((draft.record.domesticTraining ?? []).length, 0, 'the draft entry is not sent');
  });
});

describe('outbox relay wake-up', () => {
  // A national node stand-in for the HTTP transport: records the publish sequences it is sent; while
  // `held`, a request waits until `release` (a batch in flight).
  const received: number[] = [];
  let held: Promise<void> | null = null;
  let release = () => undefined as void;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      if (req.method !== 'POST' || req.url !== '/sync/ingest') return void res.writeHead(404).end();
      if (held) await held;
      for (const m of JSON.parse(body).messages as string[]) received.push(JSON.parse(m).sequence as number);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  let p: TestNode;
  let db: { url: string; drop(): Promise<void> };
  const append = (k: string) =>
    p.db.query(`INSERT INTO sync_outbox (type, key, payload) VALUES ('snapshot.marker', $1, '{"phase":"end"}')`, [k]);
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    db = await isolatedDatabase('obw');
    p = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      DATABASE_URL: db.url,
      NATIONAL_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      SYNC_NODE_TOKEN: 'relay-wake-up-test-token-0123456789',
      // The timer alone would take a minute: what arrives sooner was woken by the outbox's NOTIFY.
      SYNC_RELAY_INTERVAL_MS: '60000',
    });
  });
  after(async () => {
    release();
    await p?.close();
    await db?.drop();
    server.close();
  });

  it('publishes a committed append at once, and rows appended while a batch is in flight right after it, in order', async () => {
    // The first append may be drained when the listening connection comes up; the second only by its NOTIFY.
    await append('a');
    await until('the first row', async () => received.length === 1, 15000);
    const t0 = Date.now();
    await append('b');
    await until('the second row, woken by its commit', async () => received.length === 2, 10000);
    assert.ok(Date.now() - t0 < 10000);

    // A batch held in flight; three appends meanwhile, each its own commit.
    held = new Promise<void>((r) => (release = r));
    await append('c');
    await until(
      'the batch in flight',
      async () =>
        (await p.db.query(`SELECT 1 FROM sync_outbox WHERE key = 'c' AND publish_sequence IS NOT NULL`)).length > 0,
      10000,
    );
    for (const k of ['d', 'e', 'f']) await append(k);
    release();
    held = null;
    await until('every row', async () => received.length === 6, 10000);
    assert.deepEqual(received, [1, 2, 3, 4, 5, 6]);
    assert.equal((await p.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL`))[0].n, 0);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { OutboxRelay } from '@tmis/sync-publish';
import type { SyncTransport } from '@tmis/sync-transport';
import { isolatedDatabase, METRICS_AUTH, TestNode } from '../support/test-node.js';
import { reportRecords, until } from '../support/sync-helpers.js';

const TOKEN = 'province-11-gap-token-0123456789abcdef';

/** What the national node shows for province 11: its status route, /health and /metrics. */
async function gapShown(national: TestNode, ministry: string) {
  const st = await national.api('GET', '/sync/status', { token: ministry });
  assert.equal(st.status, 200, JSON.stringify(st.body));
  const p = st.body.provinces.find((x: { province: string }) => x.province === '11');
  const health = await national.api('GET', '/health', { headers: METRICS_AUTH });
  const hp = health.body.details.sync_national.provinces.find((x: { province: string }) => x.province === '11');
  const metrics = await national.api('GET', '/metrics', { headers: METRICS_AUTH });
  const line = String(metrics.body)
    .split('\n')
    .find((l) => l.startsWith('tmis_sync_national_gap{province="11"}'));
  return {
    status: Number(p.gap),
    health: Number(hp.gap),
    metrics: Number(line?.split(' ')[1]),
    head: Number(p.maxSequence),
  };
}

describe('federation over HTTP: the gap at national is exact (rollbacks are no gap, a lost message is); reconciliation walks the tree', () => {
  let national: TestNode;
  let province: TestNode;
  let ministry: string;
  const dbs: { drop(): Promise<void> }[] = [];
  before(async () => {
    const n = await isolatedDatabase('gn');
    const p = await isolatedDatabase('gp');
    dbs.push(n, p);
    national = await TestNode.start('national', { SYNC_NODE_TOKENS: `11:${TOKEN}`, DATABASE_URL: n.url });
    province = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN,
      SYNC_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: p.url,
    });
    ministry = await national.tokenFor(await national.account(await national.unitByCode('000000'), Role.InfoAdmin));
  });
  after(async () => {
    await province?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  const drained = async () => {
    await until(
      'outbox drained',
      async () =>
        (await province.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL`))[0].n === 0,
    );
    const [{ last }] = await province.db.query(`SELECT last::int AS last FROM sync_publish_counter`);
    await until('national caught up', async () => (await gapShown(national, ministry)).head >= last);
    return last as number;
  };

  it('rolled-back writes and a resync chunk that never committed leave gap 0; publish sequences are 1..n', async () => {
    await reportRecords(province, 2);
    // A resync chunk of 5,002 records that rolled back (the provincial node killed mid-resync), and a
    // refused write: their bigserial numbers are used up and never published.
    await assert.rejects(
      province.db.query(
        `INSERT INTO sync_outbox (type, key, payload)
         SELECT 'teacher.upserted', 'k' || g, CASE WHEN g < 5002 THEN '{}'::jsonb END FROM generate_series(1, 5002) g`,
      ),
    );
    await reportRecords(province, 2);
    const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    assert.equal((await province.api('POST', '/sync/resync', { token: provinceAdmin })).status, 202);
    await until(
      'resync queued',
      async () => (await province.api('GET', '/sync/resync', { token: provinceAdmin })).body.state === 'done',
    );
    const last = await drained();
    const [{ max }] = await province.db.query(`SELECT max(sequence)::int AS max FROM sync_outbox`);
    assert.ok(max >= last + 5002, `bigserial ${max} ran ahead of the publish sequence ${last}`);
    assert.deepEqual(await gapShown(national, ministry), { status: 0, health: 0, metrics: 0, head: last });
    const received = await national.db.query(
      `SELECT sequence::int AS s FROM sync_received WHERE province_code = '11' ORDER BY sequence`,
    );
    assert.deepEqual(
      received.map((r: { s: number }) => r.s),
      Array.from({ length: last }, (_, i) => i + 1),
    );
    // The snapshot markers name the publish sequence before the snapshot began (both of them).
    const markers = await province.db.query(
      `SELECT payload->>'phase' AS phase, (payload->>'headSequence')::int AS head, publish_sequence::int AS ps
         FROM sync_outbox WHERE type = 'snapshot.marker' ORDER BY publish_sequence`,
    );
    assert.equal(markers.length, 2);
    assert.equal(markers[0].head, markers[0].ps - 1);
    assert.equal(markers[1].head, markers[0].ps - 1);
  });

  it('tools/reconcile.mjs walks the reconciliation tree: equal, then names the school and record national lacks', async () => {
    const pa = await province.account(await province.province_(), Role.InfoAdmin);
    const na = await national.account(await national.unitByCode('000000'), Role.InfoAdmin);
    const run = () =>
      promisify(execFile)(process.execPath, ['tools/reconcile.mjs'], {
        env: {
          ...process.env,
          PROVINCE_URL: province.url,
          PROVINCE_USER: pa.username,
          PROVINCE_PASSWORD: pa.password,
          NATIONAL_URL: national.url,
          NATIONAL_USER: na.username,
          NATIONAL_PASSWORD: na.password,
        },
      }).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
      );
    const eq = await run();
    assert.equal(eq.code, 0, eq.out);
    assert.match(eq.out, /EQUAL/);
    const [victim] = await national.db.query(
      `SELECT teacher_id::text AS id, unit_code AS school FROM national_teacher WHERE province_code = '11' LIMIT 1`,
    );
    await national.db.query(`DELETE FROM national_teacher WHERE teacher_id = $1`, [victim.id]);
    const diff = await run();
    assert.equal(diff.code, 1, diff.out);
    assert.match(diff.out, /DIFFERENT \/ 不一致 in 1 school/);
    assert.ok(diff.out.includes(`${victim.school}:`), diff.out);
    assert.ok(diff.out.includes(`missing at national: ${victim.id}`), diff.out);
  });

  it('a row published twice keeps its sequence; a message lost before national got it shows as exactly that gap', async () => {
    const relay = province.node.app.get(OutboxRelay);
    const holder = relay as unknown as { transport: SyncTransport };
    const real = holder.transport;
    let sentTwice: string[] = [];
    // The broker takes the batch but the relay dies before it marks the rows sent: republished later.
    holder.transport = {
      publish: async (topic, m) => {
        await real.publish(topic, m);
        sentTwice = m.map((x) => x.value);
        throw new Error('relay killed after the broker took the batch');
      },
      close: async () => undefined,
    };
    try {
      await reportRecords(province, 2);
      await until('sent once', async () => sentTwice.length > 0);
    } finally {
      holder.transport = real;
    }
    await drained();
    const seqs = sentTwice.map((v) => JSON.parse(v).sequence as number);
    const published = await province.db.query(
      `SELECT publish_sequence::int AS ps FROM sync_outbox WHERE event_id = ANY($1::uuid[]) ORDER BY publish_sequence`,
      [sentTwice.map((v) => JSON.parse(v).eventId as string)],
    );
    assert.deepEqual(
      published.map((r: { ps: number }) => r.ps),
      seqs,
    );
    assert.equal((await gapShown(national, ministry)).status, 0);

    // Now a real loss: rows numbered but not yet published, and one of them deleted before national got it.
    holder.transport = {
      publish: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      close: async () => undefined,
    };
    try {
      await reportRecords(province, 2);
      await until(
        'numbered',
        async () =>
          (
            await province.db.query(
              `SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL AND publish_sequence IS NOT NULL`,
            )
          )[0].n >= 2 &&
          (await province.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE publish_sequence IS NULL`))[0]
            .n === 0,
      );
      await province.db.query(
        `DELETE FROM sync_outbox WHERE publish_sequence = (SELECT min(publish_sequence) FROM sync_outbox WHERE published_at IS NULL)`,
      );
    } finally {
      holder.transport = real;
    }
    const last = await drained();
    assert.deepEqual(await gapShown(national, ministry), { status: 1, health: 1, metrics: 1, head: last });
  });
});

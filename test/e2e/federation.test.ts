import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { FederationHandlers, FederationMessenger, FederationReceiver, type FederationMessage } from '@tmis/federation';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { until } from '../support/sync-helpers.js';

const brokers = process.env.TMIS_TEST_KAFKA_BROKERS;
const skip = brokers ? false : `KAFKA TESTS SKIPPED: ${process.env.TMIS_TEST_KAFKA_SKIP_REASON || 'no broker'}`;
if (skip) console.log(`# ${skip}`);

/** Registers a handler for `type` on a node that writes what it received (in the receiver's transaction). */
function recordInto(node: TestNode, type: string, fail?: (m: FederationMessage) => boolean) {
  const tx: TransactionHost<TransactionalAdapterTypeOrm> = node.node.app.get(TransactionHost);
  node.node.app.get(FederationHandlers).register(type, async (m) => {
    await tx.tx.query(`INSERT INTO fed_test_effect (message_id, type, sender, body) VALUES ($1, $2, $3, $4)`, [
      m.id,
      m.type,
      m.from,
      JSON.stringify(m.payload),
    ]);
    if (fail?.(m)) throw new Error('the handler refuses this one');
  });
}

async function effects(node: TestNode, type: string): Promise<{ sender: string; body: string; message_id: string }[]> {
  return node.db.query(`SELECT message_id, sender, body FROM fed_test_effect WHERE type = $1 ORDER BY id`, [type]);
}

/** Sends in the node's own transaction, as a service would. */
async function send(node: TestNode, to: string, type: string, payload: object, rollback = false): Promise<string> {
  const tx: TransactionHost<TransactionalAdapterTypeOrm> = node.node.app.get(TransactionHost);
  let id = '';
  await tx
    .withTransaction(async () => {
      id = await node.node.app.get(FederationMessenger).send(to, type, payload);
      if (rollback) throw new Error('the business write failed');
    })
    .catch((e: Error) => {
      if (!rollback) throw e;
    });
  return id;
}

async function databases(tags: string[]) {
  const dbs = [];
  for (const t of tags) {
    const d = await isolatedDatabase(t);
    const c = new (await import('pg')).default.Client({ connectionString: d.url });
    await c.connect();
    await c.query(
      `CREATE TABLE fed_test_effect (id bigserial PRIMARY KEY, message_id uuid NOT NULL, type text NOT NULL, sender text NOT NULL, body text NOT NULL)`,
    );
    await c.end();
    dbs.push(d);
  }
  return dbs;
}

describe('federation messenger over a real Kafka broker: national and two provinces', { skip }, () => {
  let national: TestNode;
  let p11: TestNode;
  let p44: TestNode;
  const prefix = `tmis.fedtest.${Date.now().toString(36)}`;
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  before(async () => {
    dbs.push(...(await databases(['fn', 'f11', 'f44'])));
    const env = { KAFKA_BROKERS: brokers!, SYNC_TOPIC: prefix, FEDERATION_RELAY_INTERVAL_MS: '100' };
    national = await TestNode.start('national', { ...env, FEDERATION_PROVINCES: '11,44', DATABASE_URL: dbs[0].url });
    p11 = await TestNode.start('provincial', { ...env, PROVINCE_CODE: '11', DATABASE_URL: dbs[1].url });
    p44 = await TestNode.start('provincial', { ...env, PROVINCE_CODE: '44', DATABASE_URL: dbs[2].url });
    for (const n of [national, p11, p44]) recordInto(n, 'test.ping', (m) => m.payload.fail === true);
  });
  after(async () => {
    await p44?.close();
    await p11?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it('national → province 44 arrives at 44 only; a message whose business write rolled back is never sent', async () => {
    const id = await send(national, '44', 'test.ping', { n: 1 });
    await send(national, '44', 'test.ping', { n: 2 }, true);
    const got = await until('the message at 44', async () => {
      const e = await effects(p44, 'test.ping');
      return e.length ? e : null;
    });
    assert.deepEqual(
      got.map((e) => [e.message_id, e.sender, JSON.parse(e.body).n]),
      [[id, 'national', 1]],
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await effects(p44, 'test.ping')).length, 1, 'the rolled-back message never arrives');
    assert.equal((await effects(p11, 'test.ping')).length, 0, 'province 11 does not receive 44’s messages');
  });

  it('province 44 → national arrives with the sender 44; a redelivered message changes nothing', async () => {
    const id = await send(p44, 'national', 'test.ping', { n: 3 });
    const got = await until('the message at national', async () => {
      const e = (await effects(national, 'test.ping')).filter((x) => x.message_id === id);
      return e.length ? e : null;
    });
    assert.equal(got[0].sender, '44');
    // The same message delivered again (at-least-once): acknowledged and ignored.
    const [row] = await p44.db.query(
      `SELECT message_id::text AS id, key, payload::text AS payload, created_at FROM federation_outbox WHERE message_id = $1`,
      [id],
    );
    const wire = `{"federation":1,"id":"${row.id}","type":"test.ping","from":"44","to":"national","key":"${row.key}","sentAt":"x","payload":${row.payload}}`;
    const receiver = national.node.app.get(FederationReceiver);
    assert.equal(await receiver.receive(wire, { from: '44', channel: 'test' }), 'duplicate');
    // …and over Kafka again, on 44's topic:
    const kafka = new Kafka({ brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: `${prefix}.up.44`, messages: [{ key: 'x', value: wire }] });
    const forgedId = randomUUID();
    // A message on 44's topic that claims to come from 11 is dead-lettered, never handled.
    await producer.send({
      topic: `${prefix}.up.44`,
      messages: [{ key: 'x', value: wire.replace(row.id, forgedId).replace('"from":"44"', '"from":"11"') }],
    });
    await producer.disconnect();
    const dl = await until('the forged message dead-lettered', async () => {
      const [d] = await national.db.query(`SELECT source, reason FROM federation_dead_letter WHERE message_id = $1`, [
        forgedId,
      ]);
      return d;
    });
    assert.equal(dl.source, '44');
    assert.match(dl.reason, /claims to come from 11/);
    assert.equal((await effects(national, 'test.ping')).filter((x) => x.message_id === id).length, 1);
    assert.equal((await effects(national, 'test.ping')).filter((x) => x.message_id === forgedId).length, 0);
  });

  it('a handler that throws dead-letters its message and keeps none of its writes; later messages still flow', async () => {
    const bad = await send(national, '11', 'test.ping', { fail: true });
    const good = await send(national, '11', 'test.ping', { n: 4 });
    await until('the later message at 11', async () =>
      (await effects(p11, 'test.ping')).some((e) => e.message_id === good),
    );
    assert.equal((await effects(p11, 'test.ping')).filter((e) => e.message_id === bad).length, 0);
    const [d] = await p11.db.query(`SELECT reason FROM federation_dead_letter WHERE message_id = $1`, [bad]);
    assert.match(d.reason, /handler failed/);
  });
});

const TOKEN_11 = 'province-11-federation-token-0123456789';

describe('federation messenger without a broker: the province pushes up and pulls down over HTTP', () => {
  let national: TestNode;
  let p11: TestNode;
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  before(async () => {
    dbs.push(...(await databases(['hfn', 'hf11'])));
    national = await TestNode.start('national', {
      SYNC_NODE_TOKENS: `11:${TOKEN_11},44:province-44-federation-token-0123456789`,
      FEDERATION_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: dbs[0].url,
    });
    p11 = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN_11,
      FEDERATION_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: dbs[1].url,
    });
    for (const n of [national, p11]) recordInto(n, 'test.ping');
  });
  after(async () => {
    await p11?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it('both directions arrive once; a province pulls only its own messages', async () => {
    const down = await send(national, '11', 'test.ping', { n: 1 });
    const other = await send(national, '44', 'test.ping', { n: 2 });
    const up = await send(p11, 'national', 'test.ping', { n: 3 });
    await until('down at 11', async () => (await effects(p11, 'test.ping')).some((e) => e.message_id === down));
    await until('up at national', async () => (await effects(national, 'test.ping')).some((e) => e.message_id === up));
    assert.equal((await effects(national, 'test.ping')).find((e) => e.message_id === up)!.sender, '11');
    assert.equal((await effects(p11, 'test.ping')).filter((e) => e.message_id === other).length, 0);
    const page = await national.api('GET', '/federation/down?after=0', {
      headers: { authorization: `Bearer ${TOKEN_11}` },
    });
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.body.messages.map((m: { message: string }) => JSON.parse(m.message).id),
      [down],
      "11's token pages 11's messages only",
    );
    assert.equal((await national.api('GET', '/federation/down?after=0')).status, 401);
    // A pushed message claiming another province is refused whatever it says.
    const forged = await national.api('POST', '/federation/up', {
      headers: { authorization: `Bearer ${TOKEN_11}` },
      body: {
        messages: [
          `{"federation":1,"id":"${randomUUID()}","type":"test.ping","from":"44","to":"national","key":"k","sentAt":"x","payload":{}}`,
        ],
      },
    });
    assert.deepEqual(forged.body.outcomes, ['dead-letter']);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await effects(p11, 'test.ping')).filter((e) => e.message_id === down).length, 1, 'pulled once');
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import kafkajs from 'kafkajs';
import { Role } from '@tmis/access';
import { federationAcls, FederationReceiver } from '@tmis/federation';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { validRecord } from '../support/records.js';
import { until } from '../support/sync-helpers.js';
import { applyAcls, DEV_SCRAM } from '../support/kafka-acls.js';

const { Kafka, logLevel } = kafkajs;
const brokers = process.env.TMIS_TEST_KAFKA_BROKERS;
const saslBrokers = process.env.TMIS_TEST_KAFKA_SASL_BROKERS;
const skip =
  brokers && saslBrokers
    ? false
    : `KAFKA TESTS SKIPPED: ${process.env.TMIS_TEST_KAFKA_SKIP_REASON || 'no broker with a SASL listener (KAFKA_SASL_BROKERS)'}`;
if (skip) console.log(`# ${skip}`);

const sasl = (who: keyof typeof DEV_SCRAM) => ({
  KAFKA_BROKERS: saslBrokers!,
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: DEV_SCRAM[who].username,
  KAFKA_SASL_PASSWORD: DEV_SCRAM[who].password,
});

/** One record through school review and department approval to "reported" (it then syncs up). */
async function report(p: TestNode, record: Record<string, unknown>): Promise<string> {
  const county = await p.newCounty();
  const school = await p.newSchool(county);
  const schoolAdmin = await p.tokenFor(await p.account(school, Role.InfoAdmin));
  const countyAdmin = await p.tokenFor(await p.account(county, Role.InfoAdmin));
  const r = await p.api('POST', '/teachers', { token: schoolAdmin, body: { unitId: school.id, record } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await p.api('POST', `/teachers/${r.body.id}/review/submit`, { token: schoolAdmin, body: { version: 1 } });
  await p.api('POST', `/teachers/${r.body.id}/review/school-approve`, {
    token: schoolAdmin,
    body: { version: 1, participants: ['甲'], principal: '甲' },
  });
  const d = await p.api('POST', `/teachers/${r.body.id}/review/department-approve`, {
    token: countyAdmin,
    body: { version: 1 },
  });
  assert.equal(d.status, 200, JSON.stringify(d.body));
  return r.body.id;
}

describe('downward notices over a SASL-authenticated broker: national and provinces 11 and 44', { skip }, () => {
  let national: TestNode;
  const provinces: Record<'11' | '44', TestNode> = {} as never;
  const prefix = `tmis.notice.${Date.now().toString(36)}`;
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  before(async () => {
    await applyAcls(
      brokers!,
      ['11', '44'].flatMap((p) => [
        { topic: `${prefix}.up.${p}`, partitions: 3 },
        { topic: `${prefix}.down.${p}`, partitions: 1 },
      ]),
      [
        ...federationAcls(prefix, { national: true, user: DEV_SCRAM.national.username }),
        ...federationAcls(prefix, { province: '11', user: DEV_SCRAM['11'].username }),
        ...federationAcls(prefix, { province: '44', user: DEV_SCRAM['44'].username }),
      ],
    );
    for (const t of ['nn', 'n11', 'n44']) dbs.push(await isolatedDatabase(t));
    const common = { SYNC_TOPIC: prefix, FEDERATION_RELAY_INTERVAL_MS: '100', SYNC_RELAY_INTERVAL_MS: '100' };
    national = await TestNode.start('national', {
      ...common,
      ...sasl('national'),
      FEDERATION_PROVINCES: '11,44',
      DATABASE_URL: dbs[0].url,
    });
    provinces['11'] = await TestNode.start('provincial', {
      ...common,
      ...sasl('11'),
      PROVINCE_CODE: '11',
      DATABASE_URL: dbs[1].url,
    });
    provinces['44'] = await TestNode.start('provincial', {
      ...common,
      ...sasl('44'),
      PROVINCE_CODE: '44',
      DATABASE_URL: dbs[2].url,
    });
  });
  after(async () => {
    for (const p of Object.values(provinces)) await p?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  const toVerify = async (p: TestNode) => {
    const admin = await p.tokenFor(await p.account(await p.province_(), Role.InfoAdmin));
    const r = await p.api('GET', '/teachers-to-verify', { token: admin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.crossProvinceDuplicates as { idNumber: string; provinces: string[]; teacherIds: string[] }[];
  };

  it('the same person reported active by 11 and 44 appears on both provinces\' "to verify" lists; a redelivered notice adds nothing', async () => {
    const record = validRecord();
    const idNumber = (record.basic as { idNumber: string }).idNumber;
    const in11 = await report(provinces['11'], structuredClone(record));
    const in44 = await report(provinces['44'], structuredClone(record));
    for (const [code, own] of [
      ['11', in11],
      ['44', in44],
    ] as const) {
      const entry = await until(`the duplicate on ${code}'s list`, async () =>
        (await toVerify(provinces[code])).find((d) => d.idNumber === idNumber),
      );
      assert.deepEqual(entry.provinces, ['11', '44']);
      assert.deepEqual(entry.teacherIds, [own], "each province sees its own record, not the other's");
    }
    const [notice] = await national.db.query(
      `SELECT message_id::text AS id, key, payload::text AS payload FROM federation_outbox
        WHERE destination = '44' AND type = 'duplicate.cross-province' AND payload->>'idNumber' = $1`,
      [idNumber],
    );
    assert.ok(notice, 'the national node sent 44 a notice');
    const wire = (id: string) =>
      `{"federation":1,"id":"${id}","type":"duplicate.cross-province","from":"national","to":"44","key":"${notice.key}","sentAt":"x","payload":${notice.payload}}`;
    // Redelivered (the same message id), directly and over the broker with national's credentials:
    assert.equal(
      await provinces['44'].node.app
        .get(FederationReceiver)
        .receive(wire(notice.id), { from: 'national', channel: 't' }),
      'duplicate',
    );
    const producer = new Kafka({
      brokers: saslBrokers!.split(','),
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'scram-sha-512', ...DEV_SCRAM.national },
    }).producer();
    await producer.connect();
    await producer.send({ topic: `${prefix}.down.44`, messages: [{ key: notice.key, value: wire(notice.id) }] });
    // …and the same notice sent anew (another id): one entry per person all the same.
    const again = randomUUID();
    await producer.send({ topic: `${prefix}.down.44`, messages: [{ key: notice.key, value: wire(again) }] });
    await producer.disconnect();
    await until('the second notice handled', async () => {
      const [r] = await provinces['44'].db.query(`SELECT outcome FROM federation_inbox WHERE message_id = $1`, [again]);
      return r?.outcome === 'applied';
    });
    assert.equal((await toVerify(provinces['44'])).filter((d) => d.idNumber === idNumber).length, 1);
    assert.equal(
      await provinces['44'].count(`SELECT count(*) FROM teacher_cross_province_duplicate WHERE id_number = $1`, [
        idNumber,
      ]),
      1,
    );
    // National told each province once (the set of provinces did not change since).
    assert.equal(
      await national.count(
        `SELECT count(*) FROM federation_outbox WHERE type = 'duplicate.cross-province' AND payload->>'idNumber' = $1`,
        [idNumber],
      ),
      2,
    );
  });

  it('a record on 44’s topic claiming province 11 is dead-lettered at national, not applied', async () => {
    const producer = new Kafka({
      brokers: saslBrokers!.split(','),
      logLevel: logLevel.NOTHING,
      sasl: { mechanism: 'scram-sha-512', ...DEV_SCRAM['44'] },
    }).producer();
    await producer.connect();
    const eventId = randomUUID();
    const teacherId = randomUUID();
    await producer.send({
      topic: `${prefix}.up.44`,
      messages: [
        {
          key: teacherId,
          value: JSON.stringify({
            schemaVersion: 2,
            eventId,
            provinceCode: '11',
            sequence: 1,
            type: 'teacher.removed',
            key: teacherId,
            occurredAt: new Date().toISOString(),
            payload: { teacherId, unitCode: '2111000001', reason: 'forged' },
          }),
        },
      ],
    });
    await producer.disconnect();
    const dl = await until('the forged record dead-lettered', async () => {
      const [r] = await national.db.query(`SELECT reason FROM sync_dead_letter WHERE event_id = $1`, [eventId]);
      return r;
    });
    assert.match(dl.reason, /province 44's topic claims province 11/);
  });
});

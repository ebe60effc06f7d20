import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { SyncIngestService } from '@tmis/sync-ingest';
import { isolatedDatabase, TestNode, METRICS_AUTH } from '../support/test-node.js';
import { validRecord } from '../support/records.js';
import { reconcile, reportRecords, until } from '../support/sync-helpers.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const brokers = process.env.TMIS_TEST_KAFKA_BROKERS;
const skip = brokers ? false : `KAFKA TESTS SKIPPED: ${process.env.TMIS_TEST_KAFKA_SKIP_REASON || 'no broker'}`;
if (skip) console.log(`# ${skip}`);

describe('federation over a real Kafka broker: province → national', { skip }, () => {
  let national: TestNode;
  let province: TestNode;
  const topic = `tmis.sync.test.${Date.now().toString(36)}`;
  const dbs: { drop(): Promise<void> }[] = [];
  before(async () => {
    const n = await isolatedDatabase('kn');
    const p = await isolatedDatabase('kp');
    dbs.push(n, p);
    national = await TestNode.start('national', {
      KAFKA_BROKERS: brokers!,
      SYNC_TOPIC: topic,
      FEDERATION_PROVINCES: '11',
      DATABASE_URL: n.url,
    });
    province = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      KAFKA_BROKERS: brokers!,
      SYNC_TOPIC: topic,
      SYNC_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: p.url,
    });
  });
  after(async () => {
    await province?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it('a record approved in the province appears at national with its custom values; later changes follow in order', async () => {
    const provinceInfo = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    const key = `x_sync${Date.now().toString(36)}`;
    assert.equal(
      (
        await province.api('POST', '/custom-fields', {
          token: provinceInfo,
          body: {
            key,
            zh: '同步测试',
            en: 'Sync test',
            type: 'integer',
            subSet: 'basic',
            requiredIn: [],
            owner: 'school',
            sensitivity: 'normal',
          },
        })
      ).status,
      201,
    );
    await new Promise((r) => setTimeout(r, 5100)); // definitions are cached for 5 s on the node
    const county = await province.newCounty();
    const school = await province.newSchool(county);
    const schoolAdmin = await province.tokenFor(await province.account(school, Role.InfoAdmin));
    const countyAdmin = await province.tokenFor(await province.account(county, Role.InfoAdmin));
    const created = await province.api('POST', '/teachers', {
      token: schoolAdmin,
      body: { unitId: school.id, record: validRecord({ basic: { [key]: 7 } }) },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    await province.api('POST', `/teachers/${id}/review/submit`, { token: schoolAdmin, body: { version: 1 } });
    await province.api('POST', `/teachers/${id}/review/school-approve`, {
      token: schoolAdmin,
      body: { version: 1, participants: ['甲'], principal: '甲' },
    });
    const [{ n: before }] = await national.db.query(
      `SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = $1`,
      [id],
    );
    assert.equal(before, 0, 'nothing is sent before the department approves');
    assert.equal(
      (
        await province.api('POST', `/teachers/${id}/review/department-approve`, {
          token: countyAdmin,
          body: { version: 1 },
        })
      ).status,
      200,
    );
    const row = await until(
      'the record at national',
      async () => (await national.db.query(`SELECT * FROM national_teacher WHERE teacher_id = $1`, [id]))[0],
    );
    assert.equal(row.province_code, '11');
    assert.equal(row.unit_code, school.code);
    assert.equal(row.custom[key], 7);
    assert.equal(row.record.basic[key], 7);
    assert.equal(row.catalogue_version, created.body.catalogueVersion);
    const defs = await until(
      'custom definitions at national',
      async () =>
        (await national.db.query(`SELECT definitions FROM national_custom_fields WHERE province_code = '11'`))[0],
    );
    assert.equal(defs.definitions[key].type, 'integer');

    const moved = await province.api('POST', `/teachers/${id}/status`, {
      token: schoolAdmin,
      body: { version: 1, personStatus: '03', effectiveDate: '2026-09-01' },
    });
    assert.equal(moved.status, 200);
    const retired = await province.api('POST', `/teachers/${id}/status`, {
      token: schoolAdmin,
      body: { version: 2, personStatus: '05', effectiveDate: '2026-10-01' },
    });
    assert.equal(retired.status, 200);
    const last = await until('the latest change at national', async () => {
      const [r] = await national.db.query(
        `SELECT person_status, reported_version, active FROM national_teacher WHERE teacher_id = $1`,
        [id],
      );
      return r?.reported_version === 3 ? r : null;
    });
    assert.equal(last.person_status, '05', 'updates stay in order');
    assert.equal(last.active, false);
    const outbox = await province.api('GET', '/sync/status', { token: provinceInfo });
    assert.equal(outbox.body.outbox.unpublished, 0);
    // lag in messages: the national consumer group has committed everything the broker holds
    const lag = await until('consumer lag 0', async () => {
      const h = await national.api('GET', '/health', { headers: METRICS_AUTH });
      return h.body.details.sync_national.consumerLagMessages === 0 ? h : null;
    });
    assert.equal(lag.body.details.sync_national.consumer, 'kafka');
    assert.match(
      String((await national.api('GET', '/metrics', { headers: METRICS_AUTH })).body),
      /tmis_sync_national_consumer_lag_messages 0/,
    );

    const ministry = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    const roll = await national.api('GET', '/sync/teachers?province=11', { token: ministry });
    assert.ok(
      roll.body.some((t: { teacherId: string; idNumber: string }) => t.teacherId === id && t.idNumber.includes('*')),
    );
  });

  it('a record changed live while a resync runs ends with its newest version at national (chunks and live events race)', async () => {
    const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    const { ids } = await reportRecords(province, 3);
    await until(
      'at national',
      async () =>
        (await national.db.query(`SELECT 1 FROM national_teacher WHERE teacher_id = ANY($1::uuid[])`, [ids])).length ===
        3,
    );
    // The live path's change of a reported record: the record and its `teacher.upserted` event in one
    // transaction (the payload as the live builder makes it; test/medium/outbox.test.ts compares the two).
    const change = (id: string, status: string) =>
      province.db.transaction(async (m) => {
        await m.query(
          `UPDATE teacher SET person_status = $2::text, record = jsonb_set(record, '{basic,personStatus}', to_jsonb($2::text)),
                  version = version + 1, reported_version = version + 1 WHERE id = $1`,
          [id, status],
        );
        await m.query(
          `INSERT INTO sync_outbox (type, key, payload)
           SELECT 'teacher.upserted', t.id::text, jsonb_build_object('teacherId', t.id, 'unitCode', u.code, 'idType', t.id_type,
                  'idNumber', t.id_number, 'name', t.name, 'personStatus', t.person_status, 'reportedVersion', t.reported_version,
                  'record', t.record, 'custom', t.custom, 'catalogueVersion', t.catalogue_version)
             FROM teacher t JOIN org_unit u ON u.id = t.unit_id WHERE t.id = $1`,
          [id],
        );
      });
    let st = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    if (st.status === 409) {
      await until(
        'earlier resync done',
        async () => (await province.api('GET', '/sync/resync', { token: provinceAdmin })).body.state === 'done',
      );
      st = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    }
    assert.equal(st.status, 202, JSON.stringify(st.body));
    // Changes before, during and after the resync's chunks are written and published.
    for (let k = 0; k < 8; k++) {
      await change(ids[0], k % 2 ? '01' : '02');
      await change(ids[2], k % 2 ? '02' : '01');
      await new Promise((r) => setTimeout(r, 40));
    }
    await until(
      'resync done',
      async () => (await province.api('GET', '/sync/resync', { token: provinceAdmin })).body.state === 'done',
    );
    await until(
      'outbox published',
      async () =>
        (await province.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE published_at IS NULL`))[0].n === 0,
    );
    const [{ head }] = await province.db.query(`SELECT last::int AS head FROM sync_publish_counter`);
    await until('every message at national', async () => {
      const [p] = await national.db.query(
        `SELECT max_sequence::int AS s, gap::int AS gap FROM (SELECT max_sequence, max_sequence - (SELECT count(*) FROM sync_received r
           WHERE r.province_code = '11') AS gap FROM sync_progress WHERE province_code = '11') x`,
      );
      return p?.s >= head && p.gap === 0;
    });
    const [{ n: chunks }] = await province.db.query(
      `SELECT count(*)::int AS n FROM sync_outbox WHERE type = 'teacher.snapshot' AND payload->'records' @> $1::jsonb`,
      [JSON.stringify([{ teacherId: ids[0] }])],
    );
    assert.ok(chunks >= 1, 'the record travelled in a snapshot chunk');
    for (const id of ids) {
      const [p] = await province.db.query(
        `SELECT reported_version AS v, person_status AS s FROM teacher WHERE id = $1`,
        [id],
      );
      const [n] = await national.db.query(
        `SELECT reported_version AS v, person_status AS s, record->'basic'->>'personStatus' AS r FROM national_teacher WHERE teacher_id = $1`,
        [id],
      );
      assert.deepEqual(n, { ...p, r: p.s }, `national holds the province's newest version of ${id}`);
    }
  });

  it('redelivery changes nothing; forged, malformed and older-schema messages are handled', async () => {
    const ingest = national.node.app.get(SyncIngestService);
    const teacherId = randomUUID();
    // A valid record: the national node checks records with the catalogue's validators, as the provinces do.
    const record = validRecord();
    const msg = (over: Record<string, unknown>, payload: Record<string, unknown> = {}) =>
      JSON.stringify({
        schemaVersion: 2,
        eventId: randomUUID(),
        provinceCode: '12',
        sequence: 1,
        type: 'teacher.upserted',
        key: teacherId,
        occurredAt: new Date().toISOString(),
        payload: {
          teacherId,
          unitCode: '2112000001',
          idType: '1',
          idNumber: (record.basic as { idNumber: string }).idNumber,
          name: '测试',
          personStatus: '01',
          reportedVersion: 1,
          record,
          catalogueVersion: '2026.1',
          custom: {},
          ...payload,
        },
        ...over,
      });
    const first = msg({ sequence: 1000 });
    assert.equal(await ingest.apply(first), 'applied');
    assert.equal(await ingest.apply(first), 'duplicate');
    assert.equal(
      await ingest.apply(msg({ sequence: 999 }, { name: '旧版本' })),
      'duplicate',
      'an older event of the teacher never overwrites a newer one',
    );
    const [row] = await national.db.query(`SELECT name FROM national_teacher WHERE teacher_id = $1`, [teacherId]);
    assert.equal(row.name, '测试');
    assert.equal(
      await ingest.apply(msg({ sequence: 1001, provinceCode: '44' })),
      'dead-letter',
      'province 44 may not write a Tianjin school',
    );
    assert.equal(await ingest.apply('{"not": "an envelope"'), 'dead-letter');
    assert.equal(await ingest.apply(msg({ sequence: 1002 }, { personStatus: 5 })), 'dead-letter');
    const v1 = JSON.parse(msg({ schemaVersion: 1, sequence: 1003 }));
    delete v1.payload.catalogueVersion;
    delete v1.payload.custom;
    assert.equal(await ingest.apply(JSON.stringify(v1)), 'applied', 'the previous schema version is still applied');
    const [after] = await national.db.query(
      `SELECT catalogue_version, last_sequence FROM national_teacher WHERE teacher_id = $1`,
      [teacherId],
    );
    assert.equal(after.catalogue_version, 'unknown(v1)');
    assert.equal(Number(after.last_sequence), 1003);
    const ministry = await national.tokenFor(
      await national
        .account(await national.unitByCode('000000'), Role.SysAdmin)
        .catch(async () => national.account(await national.unitByCode('000000'), Role.InfoAdmin)),
    );
    const dl = await national.api('GET', '/sync/dead-letters', { token: ministry });
    assert.equal(dl.status, 200);
    assert.ok(dl.body.some((d: { reason: string }) => /may not write unit 2112000001/.test(d.reason)));
    assert.ok(dl.body.some((d: { reason: string }) => /payload: personStatus/.test(d.reason)));
    const status = await national.api('GET', '/sync/status', { token: ministry });
    assert.ok(
      status.body.provinces.some(
        (p: { province: string; duplicates: number }) => p.province === '12' && p.duplicates >= 2,
      ),
    );
  });
});

const managedPort = process.env.TMIS_TEST_KAFKA_MANAGED_PORT;
const skipResilience = !brokers
  ? `KAFKA TESTS SKIPPED: ${process.env.TMIS_TEST_KAFKA_SKIP_REASON || 'no broker'}`
  : !managedPort
    ? 'KAFKA TESTS SKIPPED: the broker is external (KAFKA_BROKERS), so this test cannot stop and restart it'
    : false;
if (skipResilience) console.log(`# ${skipResilience}`);
const root = join(import.meta.dirname, '..', '..', '..');
const broker = (action: 'start' | 'stop') => {
  const r = spawnSync('bash', [join(root, 'deploy', 'kafka', `${action}-kafka.sh`)], {
    env: { ...process.env, KAFKA_PORT: managedPort },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `${action}-kafka.sh: ${r.stderr}`);
};

// In the same file as the test above, so the broker is never stopped under another Kafka test.
describe(
  'federation survives a broker outage and a national consumer crash (real Kafka)',
  { skip: skipResilience },
  () => {
    let national: TestNode;
    let province: TestNode;
    const topic = `tmis.sync.resilience.${Date.now().toString(36)}`;
    const env = {
      KAFKA_BROKERS: brokers!,
      SYNC_TOPIC: topic,
      SYNC_RELAY_INTERVAL_MS: '100',
      FEDERATION_PROVINCES: '11',
    };
    const dbs: { drop(): Promise<void> }[] = [];
    before(async () => {
      const n = await isolatedDatabase('rn');
      const p = await isolatedDatabase('rp');
      dbs.push(n, p);
      national = await TestNode.start('national', { ...env, DATABASE_URL: n.url });
      province = await TestNode.start('provincial', { PROVINCE_CODE: '11', ...env, DATABASE_URL: p.url });
    });
    after(async () => {
      await province?.close();
      await national?.close();
      for (const d of dbs) await d.drop();
    });

    it('no loss and no duplicates: reconciliation reports equality afterwards', async () => {
      const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
      const ministry = await national.tokenFor(
        await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
      );
      const first = await reportRecords(province, 5);
      await until(
        'the first batch at national',
        async () =>
          (
            await national.db.query(
              `SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = ANY($1::uuid[])`,
              [first.ids],
            )
          )[0].n === 5,
      );

      // The broker goes down mid-stream: reports go on, the outbox grows…
      broker('stop');
      const during = await reportRecords(province, 5);
      const status = await until('the outbox to hold the new events', async () => {
        const s = await province.api('GET', '/sync/status', { token: provinceAdmin });
        return s.body.outbox.unpublished >= 5 ? s.body : null;
      });
      assert.ok(status.outbox.unpublished >= 5);
      // …and the national consumer is killed meanwhile; a new one starts with the broker back.
      const nationalUrl = national.node.runtime.databaseUrl;
      await national.close();
      broker('start');
      national = await TestNode.start('national', { ...env, DATABASE_URL: nationalUrl });
      await until(
        'the outbox to drain',
        async () => (await province.api('GET', '/sync/status', { token: provinceAdmin })).body.outbox.unpublished === 0,
        90000,
      );
      const all = [...first.ids, ...during.ids];
      await until(
        'every record at national',
        async () =>
          (
            await national.db.query(
              `SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = ANY($1::uuid[])`,
              [all],
            )
          )[0].n === 10,
        90000,
      );
      const [{ n }] = await national.db.query(
        `SELECT count(*)::int AS n FROM national_teacher WHERE province_code = '11'`,
      );
      const [{ p }] = await province.db.query(
        `SELECT count(*)::int AS p FROM teacher WHERE reported_version IS NOT NULL`,
      );
      assert.equal(n, p, 'no duplicates at national');
      // the ministry's session lives in the national database, so its token survives the restart
      const eq = await until(
        'reconciliation equality',
        async () => {
          const r = await reconcile(province, national, provinceAdmin, ministry);
          return r.equal ? r : null;
        },
        60000,
      );
      assert.equal(eq.provinceTotal, eq.nationalTotal);
    });
  },
);

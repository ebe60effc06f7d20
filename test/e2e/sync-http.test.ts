import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { isolatedDatabase, TestNode, METRICS_AUTH } from '../support/test-node.js';
import { reconcile, reportRecords, until } from '../support/sync-helpers.js';

const TOKEN = 'province-11-node-token-0123456789abcdef';

describe('federation without a broker (the embedded default): the province pushes its outbox over HTTP', () => {
  let national: TestNode;
  let province: TestNode;
  const dbs: { drop(): Promise<void> }[] = [];
  before(async () => {
    const n = await isolatedDatabase('hn');
    const p = await isolatedDatabase('hp');
    dbs.push(n, p);
    national = await TestNode.start('national', {
      SYNC_NODE_TOKENS: `11:${TOKEN},44:other-province-token-0123456789abcdef`,
      DATABASE_URL: n.url,
    });
    province = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN,
      SYNC_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: p.url,
    });
  });
  after(async () => {
    await province?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it('reported records arrive through the same outbox and ingest path; reconciliation reports equality, then the difference', async () => {
    const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    const ministry = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    const { ids, school } = await reportRecords(province, 4);
    await until(
      'all four at national',
      async () =>
        (
          await national.db.query(
            `SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = ANY($1::uuid[])`,
            [ids],
          )
        )[0].n === 4,
    );
    const health = await province.api('GET', '/health', { headers: METRICS_AUTH });
    assert.equal(health.body.details.sync_outbox.transport, 'http');
    const eq = await until('reconciliation equality', async () => {
      const r = await reconcile(province, national, provinceAdmin, ministry);
      return r.equal ? r : null;
    });
    assert.equal(eq.provinceTotal, eq.nationalTotal);
    // national loses one record (e.g. a restore from an old backup): reconciliation names the school and the record
    await national.db.query(`DELETE FROM national_teacher WHERE teacher_id = $1`, [ids[0]]);
    const diff = await reconcile(province, national, provinceAdmin, ministry);
    assert.equal(diff.equal, false);
    assert.deepEqual(
      diff.differingSchools.map((d) => d.unitCode),
      [school.code],
    );
    const theirs = await province.api('GET', `/sync/fingerprint/${school.code}/records`, { token: provinceAdmin });
    const ours = await national.api('GET', `/sync/fingerprint/${school.code}/records?province=11`, { token: ministry });
    const missing = theirs.body
      .filter((t: { teacherId: string }) => !ours.body.some((o: { teacherId: string }) => o.teacherId === t.teacherId))
      .map((t: { teacherId: string }) => t.teacherId);
    assert.deepEqual(missing, [ids[0]]);
    // a resync re-publishes the full reported state alongside normal traffic, and equality returns
    const rs = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    assert.equal(rs.status, 202, JSON.stringify(rs.body));
    assert.ok(['running', 'done'].includes(rs.body.state));
    const done = await until('resync queued', async () => {
      const st = await province.api('GET', '/sync/resync', { token: provinceAdmin });
      return st.body.state === 'done' ? st.body : null;
    });
    assert.ok(done.teachersQueued >= 4 && done.unitsQueued >= 3, JSON.stringify(done));
    await until(
      'equality after resync',
      async () => (await reconcile(province, national, provinceAdmin, ministry)).equal,
    );
    const metrics = await national.api('GET', '/metrics', { headers: METRICS_AUTH });
    assert.match(String(metrics.body), /tmis_sync_national_last_sequence\{province="11"\} \d+/);
  });

  it('a node token only speaks for its own province; unknown tokens are refused', async () => {
    const forged = JSON.stringify({
      schemaVersion: 2,
      eventId: randomUUID(),
      provinceCode: '11',
      sequence: 5,
      type: 'snapshot.marker',
      key: 'snapshot',
      occurredAt: new Date().toISOString(),
      payload: { phase: 'begin', headSequence: 0 },
    });
    const r = await national.api('POST', '/sync/ingest', {
      headers: { authorization: 'Bearer other-province-token-0123456789abcdef' },
      body: { messages: [forged] },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.outcomes, ['dead-letter']);
    const unknown = await national.api('POST', '/sync/ingest', {
      headers: { authorization: 'Bearer nope-nope-nope-nope-nope-nope' },
      body: { messages: [forged] },
    });
    assert.equal(unknown.status, 401);
    const [{ n }] = await national.db.query(
      `SELECT count(*)::int AS n FROM sync_dead_letter WHERE reason LIKE 'node of province 44%'`,
    );
    assert.ok(n >= 1);
  });

  it('flags the same ID number active in two provinces to the national administrators', async () => {
    const ministry = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    const ingest = national.node.app.get((await import('@tmis/sync-ingest')).SyncIngestService);
    const { validRecord } = await import('../support/records.js');
    // One person, reported active by two provinces (a valid record: the national node checks records as the provinces do).
    const record = validRecord();
    const idNumber = (record.basic as { idNumber: string }).idNumber;
    const mk = (province: string, unitCode: string, seq: number) =>
      JSON.stringify({
        schemaVersion: 2,
        eventId: randomUUID(),
        provinceCode: province,
        sequence: seq,
        type: 'teacher.upserted',
        key: 'k',
        occurredAt: new Date().toISOString(),
        payload: {
          teacherId: randomUUID(),
          unitCode,
          idType: '1',
          idNumber,
          name: '双重',
          personStatus: '01',
          reportedVersion: 1,
          record,
          catalogueVersion: '2026.1',
          custom: {},
        },
      });
    assert.equal(await ingest.apply(mk('44', '2144000777', 9001)), 'applied');
    assert.equal(await ingest.apply(mk('45', '2145000777', 9001)), 'applied');
    const dup = await national.api('GET', '/sync/duplicates?province=44', { token: ministry });
    assert.ok(
      dup.body.some(
        (d: { idNumber: string; provinces: string[] }) =>
          d.idNumber === idNumber && d.provinces.includes('44') && d.provinces.includes('45'),
      ),
    );
    const none = await national.api('GET', '/sync/duplicates?province=12', { token: ministry });
    assert.ok(!none.body.some((d: { idNumber: string }) => d.idNumber === idNumber));
  });

  it('units follow: a school created, renamed and merged in the province is the same at national, and its records follow the merge', async () => {
    const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    const ministry = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    const city = await province.unitByCode('110100');
    let county: { id: string; code: string } | undefined;
    for (let n = 60; n < 99 && !county; n++) {
      const c = await province.api('POST', '/units', {
        token: provinceAdmin,
        body: { kind: 'county', parentId: city.id, code: `1101${n}`, name: `联邦测试区${n}` },
      });
      if (c.status === 201) county = c.body;
    }
    assert.ok(county, 'no free county code');
    const code = (n: number) => `2111${String(n).padStart(6, '0')}`;
    let a = await province.api('POST', '/units', {
      token: provinceAdmin,
      body: {
        kind: 'school',
        parentId: county.id,
        code: code((Date.now() % 900000) + 1),
        name: '联邦测试中学',
        urbanRural: '121',
        sponsor: '2',
      },
    });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    const b = await province.api('POST', '/units', {
      token: provinceAdmin,
      body: {
        kind: 'school',
        parentId: county.id,
        code: code(((Date.now() + 7) % 900000) + 1),
        name: '联邦测试小学',
        urbanRural: '121',
        sponsor: '1',
      },
    });
    assert.equal(b.status, 201, JSON.stringify(b.body));
    const atNational = (c: string) =>
      national.db
        .query(
          `SELECT u.name, u.path, u.kind, u.status, u.school_type AS "schoolType", u.urban_rural AS "urbanRural", u.sponsor, m.code AS "mergedInto" FROM org_unit u LEFT JOIN org_unit m ON m.id = u.merged_into_id WHERE u.code = $1`,
          [c],
        )
        .then((r: any[]) => r[0]);
    const local = await province.unitByCode(a.body.code);
    const first = await until('school at national', async () => {
      const dead = await national.db.query(`SELECT reason FROM sync_dead_letter WHERE reason LIKE $1`, [
        `%${a.body.code}%`,
      ]);
      assert.deepEqual(dead, []);
      return atNational(a.body.code);
    });
    // the national tree is the provinces' trees under the ministry
    assert.deepEqual(first, {
      name: '联邦测试中学',
      path: `/000000${local.path}`,
      kind: 'school',
      status: 'active',
      schoolType: '21',
      urbanRural: '121',
      sponsor: '2',
      mergedInto: null,
    });
    // the county created by the province came first (one key per province keeps unit changes in order)
    assert.ok(await atNational(county.code));
    a = await province.api('PATCH', `/units/${a.body.id}`, {
      token: provinceAdmin,
      body: { version: a.body.version, name: '联邦测试第二中学', urbanRural: '111' },
    });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    await until('rename at national', async () => (await atNational(a.body.code))?.name === '联邦测试第二中学');
    // a record reported in school A, then A merges into B: the record is in B on both sides and they still reconcile
    const schoolAdmin = await province.tokenFor(await province.account({ id: a.body.id }, Role.InfoAdmin));
    const { validRecord } = await import('../support/records.js');
    const t = await province.api('POST', '/teachers', {
      token: schoolAdmin,
      body: { unitId: a.body.id, record: validRecord() },
    });
    assert.equal(t.status, 201, JSON.stringify(t.body));
    await province.api('POST', `/teachers/${t.body.id}/review/submit`, { token: schoolAdmin, body: { version: 1 } });
    await province.api('POST', `/teachers/${t.body.id}/review/school-approve`, {
      token: schoolAdmin,
      body: { version: 1, participants: ['甲'], principal: '甲' },
    });
    const approve = await province.api('POST', '/reviews/department-approve', {
      token: provinceAdmin,
      body: { items: [{ teacherId: t.body.id, version: 1 }] },
    });
    assert.equal(approve.body[0].status, 200, JSON.stringify(approve.body));
    await until(
      'record at national',
      async () =>
        (await national.db.query(`SELECT 1 FROM national_teacher WHERE teacher_id = $1`, [t.body.id])).length > 0,
    );
    const merged = await province.api('POST', `/units/${a.body.id}/merge`, {
      token: provinceAdmin,
      body: { version: a.body.version, intoId: b.body.id },
    });
    assert.equal(merged.status, 201, JSON.stringify(merged.body));
    await until('merge at national', async () => (await atNational(a.body.code))?.mergedInto === b.body.code);
    assert.equal((await atNational(a.body.code)).status, 'merged');
    const [row] = await national.db.query(
      `SELECT unit_code AS "unitCode" FROM national_teacher WHERE teacher_id = $1`,
      [t.body.id],
    );
    assert.equal(row.unitCode, b.body.code);
    assert.equal((await reconcile(province, national, provinceAdmin, ministry)).equal, true);
  });

  it('only provinces write the sync outbox: the national node keeps its own records and units', async () => {
    const moeAdmin = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.SysAdmin),
    );
    const uni = await national.api('POST', '/units', {
      token: moeAdmin,
      body: {
        kind: 'school',
        parentId: (await national.unitByCode('000000')).id,
        code: `4111${String(Date.now()).slice(-6)}`,
        name: '联邦测试部属大学',
        urbanRural: '111',
        sponsor: '1',
        central: true,
      },
    });
    assert.equal(uni.status, 201, JSON.stringify(uni.body));
    assert.equal((await national.db.query(`SELECT count(*)::int AS n FROM sync_outbox`))[0].n, 0);
    assert.ok(
      (await province.db.query(`SELECT count(*)::int AS n FROM sync_outbox WHERE type = 'org-units.changed'`))[0].n > 0,
    );
  });

  it('a province may not create or move units of another province', async () => {
    const ingest = national.node.app.get((await import('@tmis/sync-ingest')).SyncIngestService);
    const unit = {
      code: '2144999991',
      kind: 'school',
      name: '冒名学校',
      parentCode: '440106',
      status: 'active',
      schoolType: '21',
      urbanRural: '111',
      sponsor: '1',
    };
    const msg = (units: object[]) =>
      JSON.stringify({
        schemaVersion: 2,
        eventId: randomUUID(),
        provinceCode: '11',
        sequence: 700000 + Math.floor(Math.random() * 100000),
        type: 'org-units.changed',
        key: 'org-units',
        occurredAt: new Date().toISOString(),
        payload: { units },
      });
    assert.equal(await ingest.apply(msg([unit])), 'dead-letter');
    // its own school code, but placed under another province's county
    assert.equal(await ingest.apply(msg([{ ...unit, code: '2111999991' }])), 'dead-letter');
    // its own school under a parent national does not know: refused with the reason, never half-applied
    assert.equal(
      await ingest.apply(
        msg([
          { ...unit, code: '2111999992', parentCode: '110100' },
          { ...unit, code: '2111999993', parentCode: '119999' },
        ]),
      ),
      'dead-letter',
    );
    assert.equal(
      (
        await national.db.query(
          `SELECT count(*)::int AS n FROM org_unit WHERE code IN ('2144999991','2111999991','2111999992','2111999993')`,
        )
      )[0].n,
      0,
    );
    const reasons = (await national.db.query(`SELECT reason FROM sync_dead_letter ORDER BY id DESC LIMIT 3`)).map(
      (r: { reason: string }) => r.reason,
    );
    assert.ok(
      reasons.some((r: string) => r.includes('2144999991')),
      reasons.join(' | '),
    );
    assert.ok(
      reasons.some((r: string) => r.includes('119999 is not known')),
      reasons.join(' | '),
    );
  });

  it('resync re-publishes records as reported, not a draft made since', async () => {
    const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    const { ids, schoolAdmin } = await reportRecords(province, 1);
    const id = ids[0];
    await until(
      'at national',
      async () => (await national.db.query(`SELECT 1 FROM national_teacher WHERE teacher_id = $1`, [id])).length > 0,
    );
    const [{ version: reportedVersion }] = await province.db.query(
      `SELECT reported_version AS version FROM teacher WHERE id = $1`,
      [id],
    );
    // new information after reporting: the record goes back to draft (it is reviewed again) and differs from what was reported
    const cur = await province.api('GET', `/teachers/${id}`, { token: schoolAdmin });
    const added = await province.api('POST', `/teachers/${id}/domesticTraining`, {
      token: schoolAdmin,
      body: {
        version: cur.body.version,
        entry: { projectName: '未审培训', startDate: '2026-07-01', endDate: '2026-07-05', hours: 30 },
      },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const [{ n: snapshots }] = await province.db.query(
      `SELECT count(*)::int AS n FROM teacher_reported WHERE teacher_id = $1 AND reported_version = $2`,
      [id, reportedVersion],
    );
    assert.equal(snapshots, 1);
    let st = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    if (st.status === 409) {
      await until(
        'earlier resync done',
        async () => (await province.api('GET', '/sync/resync', { token: provinceAdmin })).body.state === 'done',
      );
      st = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    }
    assert.equal(st.status, 202, JSON.stringify(st.body));
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
    await until(
      'resync arrived',
      async () =>
        (await national.db.query(`SELECT max_sequence::int AS s FROM sync_progress WHERE province_code = '11'`))[0]
          ?.s >= head,
    );
    const [row] = await national.db.query(
      `SELECT reported_version AS v, record FROM national_teacher WHERE teacher_id = $1`,
      [id],
    );
    assert.equal(row.v, reportedVersion);
    assert.equal((row.record.domesticTraining ?? []).length, 0, 'the draft entry must not reach national');
  });
});

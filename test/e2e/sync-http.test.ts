import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { reconcile, reportRecords, until } from '../support/sync-helpers.js';

const TOKEN = 'province-11-node-token-0123456789abcdef';

describe('federation without a broker (the embedded default): the province pushes its outbox over HTTP', () => {
  let national: TestNode;
  let province: TestNode;
  const dbs: { drop(): Promise<void> }[] = [];
  before(async () => {
    const n = await isolatedDatabase('hn'); const p = await isolatedDatabase('hp'); dbs.push(n, p);
    national = await TestNode.start('national', { SYNC_NODE_TOKENS: `11:${TOKEN},44:other-province-token-0123456789abcdef`, DATABASE_URL: n.url });
    province = await TestNode.start('provincial', { PROVINCE_CODE: '11', NATIONAL_URL: national.url, SYNC_NODE_TOKEN: TOKEN, SYNC_RELAY_INTERVAL_MS: '100', DATABASE_URL: p.url });
  });
  after(async () => { await province?.close(); await national?.close(); for (const d of dbs) await d.drop(); });

  it('reported records arrive through the same outbox and ingest path; reconciliation reports equality, then the difference', async () => {
    const provinceAdmin = await province.tokenFor(await province.account(await province.province_(), Role.InfoAdmin));
    const ministry = await national.tokenFor(await national.account(await national.unitByCode('000000'), Role.InfoAdmin));
    const { ids, school } = await reportRecords(province, 4);
    await until('all four at national', async () => (await national.db.query(`SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = ANY($1::uuid[])`, [ids]))[0].n === 4);
    const health = await province.api('GET', '/health');
    assert.equal(health.body.details.sync_outbox.transport, 'http');
    const eq = await until('reconciliation equality', async () => { const r = await reconcile(province, national, provinceAdmin, ministry); return r.equal ? r : null; });
    assert.equal(eq.provinceTotal, eq.nationalTotal);
    // national loses one record (e.g. a restore from an old backup): reconciliation names the school and the record
    await national.db.query(`DELETE FROM national_teacher WHERE teacher_id = $1`, [ids[0]]);
    const diff = await reconcile(province, national, provinceAdmin, ministry);
    assert.equal(diff.equal, false);
    assert.deepEqual(diff.differingSchools.map((d) => d.unitCode), [school.code]);
    const theirs = await province.api('GET', `/sync/fingerprint/${school.code}/records`, { token: provinceAdmin });
    const ours = await national.api('GET', `/sync/fingerprint/${school.code}/records?province=11`, { token: ministry });
    const missing = theirs.body.filter((t: { teacherId: string }) => !ours.body.some((o: { teacherId: string }) => o.teacherId === t.teacherId)).map((t: { teacherId: string }) => t.teacherId);
    assert.deepEqual(missing, [ids[0]]);
    // a resync re-publishes the full reported state alongside normal traffic, and equality returns
    const rs = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    assert.equal(rs.status, 202);
    assert.ok(rs.body.queued >= 4);
    await until('equality after resync', async () => (await reconcile(province, national, provinceAdmin, ministry)).equal);
    const metrics = await national.api('GET', '/metrics');
    assert.match(String(metrics.body), /tmis_sync_national_last_sequence\{province="11"\} \d+/);
  });

  it('a node token only speaks for its own province; unknown tokens are refused', async () => {
    const forged = JSON.stringify({ schemaVersion: 2, eventId: randomUUID(), provinceCode: '11', sequence: 5, type: 'snapshot.marker', key: 'snapshot', occurredAt: new Date().toISOString(), payload: { phase: 'begin', headSequence: 0 } });
    const r = await national.api('POST', '/sync/ingest', { headers: { authorization: 'Bearer other-province-token-0123456789abcdef' }, body: { messages: [forged] } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.outcomes, ['dead-letter']);
    const unknown = await national.api('POST', '/sync/ingest', { headers: { authorization: 'Bearer nope-nope-nope-nope-nope-nope' }, body: { messages: [forged] } });
    assert.equal(unknown.status, 401);
    const [{ n }] = await national.db.query(`SELECT count(*)::int AS n FROM sync_dead_letter WHERE reason LIKE 'node of province 44%'`);
    assert.ok(n >= 1);
  });

  it('flags the same ID number active in two provinces to the national administrators', async () => {
    const ministry = await national.tokenFor(await national.account(await national.unitByCode('000000'), Role.InfoAdmin));
    const ingest = national.node.app.get((await import('@tmis/sync')).SyncIngestService);
    const idNumber = '440106198502020022';
    const mk = (province: string, unitCode: string, seq: number) => JSON.stringify({ schemaVersion: 2, eventId: randomUUID(), provinceCode: province, sequence: seq, type: 'teacher.upserted', key: 'k', occurredAt: new Date().toISOString(),
      payload: { teacherId: randomUUID(), unitCode, idType: '1', idNumber, name: '双重', personStatus: '01', reportedVersion: 1, record: { basic: {} }, catalogueVersion: '2026.1', custom: {} } });
    assert.equal(await ingest.apply(mk('44', '2144000777', 9001)), 'applied');
    assert.equal(await ingest.apply(mk('45', '2145000777', 9001)), 'applied');
    const dup = await national.api('GET', '/sync/duplicates?province=44', { token: ministry });
    assert.ok(dup.body.some((d: { idNumber: string; provinces: string[] }) => d.idNumber === idNumber && d.provinces.includes('44') && d.provinces.includes('45')));
    const none = await national.api('GET', '/sync/duplicates?province=12', { token: ministry });
    assert.ok(!none.body.some((d: { idNumber: string }) => d.idNumber === idNumber));
  });
});

import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Role, type Actor } from '@tmis/access';
import { OrgRepository, UnitKind, type OrgUnitEntity } from '@tmis/org';
import { SyncIngestService } from '@tmis/sync-ingest';
import { ReviewService, TeacherService } from '@tmis/teachers';
import { apiClient, isolatedDatabase, TestNode, type TestAccount } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

type Rec = Record<string, any>;

const ENV = { CHANGE_FEED_INTERVAL_MS: '50', STATS_REFRESH_SECONDS: '0' };

function actorOf(a: TestAccount, unit: OrgUnitEntity): Actor {
  return {
    accountId: a.id,
    sessionId: 'feed-national-test',
    role: a.role,
    unitId: unit.id,
    unitPath: unit.path,
    unitLevel: unit.level,
    mustChangePassword: false,
  };
}

/**
 * Issue 16 at the national node: `GET /changes` lists the provinces' reported records
 * (`national_teacher`, `reported-teacher.*`) and the central universities' records (`teacher.*`) in
 * commit order, scoped to the reader's unit (a province-level client sees its province only, the
 * ministry every one), masked without the sensitive scope, resumable across a restart.
 */
describe('change feed at the national node: reported records and central universities', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let n: TestNode;
  let ministry: OrgUnitEntity;
  let p11: OrgUnitEntity;
  let p12: OrgUnitEntity;
  let school11: OrgUnitEntity;
  let school11b: OrgUnitEntity;
  let school12: OrgUnitEntity;
  let university: OrgUnitEntity;
  const seqs: Record<string, number> = { '11': 1, '12': 1 };
  let admin11: TestAccount;
  let admin12: TestAccount;
  let adminMinistry: TestAccount;

  async function insertSchool(parent: OrgUnitEntity, code: () => string, central = false): Promise<OrgUnitEntity> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const c = code();
      const u = (await n.node.app
        .get(OrgRepository)
        .insert({
          kind: UnitKind.School,
          level: 5,
          code: c,
          name: `学校${c}`,
          parentId: parent.id,
          path: `${parent.path}${c}/`,
          schoolType: central ? '41' : '21',
          urbanRural: '111',
          sponsor: '1',
          central,
        })
        .catch(() => null)) as OrgUnitEntity | null;
      if (u) return u;
    }
    throw new Error('no free school code');
  }

  /** A province reports a record through the real ingest path; returns its id. */
  async function report(province: string, school: OrgUnitEntity, teacherId = randomUUID(), over: Rec = {}) {
    const record = validRecord();
    const outcome = await n.node.app.get(SyncIngestService).apply(
      JSON.stringify({
        schemaVersion: 2,
        eventId: randomUUID(),
        provinceCode: province,
        sequence: seqs[province]++,
        type: 'teacher.upserted',
        key: teacherId,
        occurredAt: new Date().toISOString(),
        payload: {
          teacherId,
          unitCode: school.code,
          idType: '1',
          idNumber: idOf(record),
          name: (record.basic as Rec).name,
          personStatus: '01',
          reportedVersion: 1,
          record,
          catalogueVersion: '2026.1',
          custom: {},
          ...over,
        },
      }),
    );
    assert.equal(outcome, 'applied');
    return { teacherId, record };
  }

  async function drain(token: string, cursor = ''): Promise<{ items: Rec[]; cursor: string }> {
    const items: Rec[] = [];
    for (let i = 0; i < 1000; i++) {
      const r = await n.api('GET', `/changes?limit=200&cursor=${encodeURIComponent(cursor)}`, { token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
      if (!r.body.hasMore) return { items, cursor };
    }
    throw new Error('feed never ended');
  }

  before(async () => {
    db = await isolatedDatabase('feed_national');
    n = await TestNode.start('national', { DATABASE_URL: db.url, ...ENV });
    ministry = await n.unitByCode('000000');
    p11 = await n.unitByCode('110000');
    p12 = await n.unitByCode('120000');
    school11 = await n.newSchool(await n.newCounty());
    school11b = await n.newSchool(await n.newCounty());
    assert.ok(school11.path.startsWith(p11.path) && school11b.path.startsWith(p11.path));
    school12 = await insertSchool(p12, () => `2112${String(randomInt(0, 1e6)).padStart(6, '0')}`);
    university = await insertSchool(ministry, () => `4111${String(randomInt(0, 1e6)).padStart(6, '0')}`, true);
    admin11 = await n.account(p11, Role.SysAdmin);
    admin12 = await n.account(p12, Role.SysAdmin);
    adminMinistry = await n.account(ministry, Role.SysAdmin);
  });
  after(async () => {
    await n?.close();
    await db?.drop();
  });

  it('a province-level client sees its province’s reported records (masked), not another province’s nor the central ones; the ministry sees all in commit order', async () => {
    const c11 = await apiClient(n, await n.tokenFor(admin11), ['changes:read']);
    const c12 = await apiClient(n, await n.tokenFor(admin12), ['changes:read']);
    const cMinistry = await apiClient(n, await n.tokenFor(adminMinistry), [
      'changes:read',
      'teachers:read',
      'teachers:read:sensitive',
    ]);
    const from11 = (await drain(c11.token)).cursor;
    const from12 = (await drain(c12.token)).cursor;
    const fromMinistry = (await drain(cMinistry.token)).cursor;

    const a = await report('11', school11);
    const b = await report('12', school12);
    // A central university's record, through its own review (department approval by the ministry).
    const teachers = n.node.app.get(TeacherService);
    const review = n.node.app.get(ReviewService);
    const uniAdmin = actorOf(await n.account(university, Role.InfoAdmin), university);
    const central = await teachers.create(uniAdmin, { unitId: university.id, record: validRecord() } as never);
    await review.act(uniAdmin, central.id, 'submit', { version: 1 });
    // Province 11's record changes status, then is sent again unchanged (a newer sequence only: no entry).
    const left = { ...a.record, basic: { ...(a.record.basic as Rec), personStatus: '02' } };
    const again = { personStatus: '02', record: left, idNumber: idOf(a.record), name: (a.record.basic as Rec).name };
    await report('11', school11, a.teacherId, again);
    await report('11', school11, a.teacherId, again);

    const seen11 = (await drain(c11.token, from11)).items;
    assert.deepEqual(
      seen11.map((e) => [e.type, e.entityId]),
      [
        ['reported-teacher.created', a.teacherId],
        ['reported-teacher.status-changed', a.teacherId],
      ],
    );
    const e = seen11[0];
    assert.equal(e.entityType, 'reported-teacher');
    assert.equal(e.unitPath, school11.path);
    assert.equal(e.entity.province, '11');
    assert.equal(e.entity.unitCode, school11.code);
    assert.notEqual(e.entity.idNumber, idOf(a.record));
    assert.match(e.entity.idNumber, /\*{4}/, 'masked without teachers:read:sensitive');
    assert.equal(e.entity.custom, undefined, 'custom indicators only in the full view');
    assert.equal(seen11[1].entity.personStatus, '02');

    const seen12 = (await drain(c12.token, from12)).items;
    assert.deepEqual(
      seen12.map((x) => [x.type, x.entityId]),
      [['reported-teacher.created', b.teacherId]],
      'another province’s client sees its own record only',
    );

    const all = (await drain(cMinistry.token, fromMinistry)).items;
    const ours = all.filter((x) => [a.teacherId, b.teacherId, central.id].includes(x.entityId));
    assert.deepEqual(
      ours.map((x) => [x.type, x.entityId]),
      [
        ['reported-teacher.created', a.teacherId],
        ['reported-teacher.created', b.teacherId],
        ['teacher.created', central.id],
        ['teacher.updated', central.id],
        ['reported-teacher.status-changed', a.teacherId],
      ],
      'the ministry sees every province and the central universities, in commit order',
    );
    const seqs = all.map((x) => x.sequence);
    assert.deepEqual(
      seqs,
      [...seqs].sort((p, q) => p - q),
    );
    assert.equal(ours[0].entity.idNumber, idOf(a.record), 'whole with teachers:read:sensitive');
    assert.deepEqual(ours[0].entity.custom, {});

    // A province-level client may not ask for the other province's subtree.
    const cross = await n.api('GET', `/changes?unitId=${p12.id}`, { token: c11.token });
    assert.equal(cross.status, 403);
  });

  it('resumed from a cursor across a node restart, a province reader misses nothing and repeats nothing', async () => {
    const c11 = await apiClient(n, await n.tokenFor(admin11), ['changes:read']);
    const a = await report('11', school11);
    const first = await drain(c11.token);
    assert.ok(first.items.some((x) => x.entityId === a.teacherId));
    await n.close();
    // Changes while no node runs: a record moved to another school of the province, and another province's.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      `UPDATE national_teacher SET unit_code = $2, last_sequence = last_sequence + 1 WHERE teacher_id = $1`,
      [a.teacherId, school11b.code],
    );
    await c.query(`UPDATE national_teacher SET name = name || '改' WHERE province_code = '12'`);
    await c.end();
    n = await TestNode.start('national', { DATABASE_URL: db.url, ...ENV });
    const b = await report('11', school11);
    const token = (await apiClient(n, await n.tokenFor(admin11), ['changes:read'])).token;
    const rest = await drain(token, first.cursor);
    assert.deepEqual(
      rest.items.map((x) => [x.type, x.entityId]),
      [
        ['reported-teacher.moved', a.teacherId],
        ['reported-teacher.created', b.teacherId],
      ],
      'the move made while the node was down, then the new record; nothing of province 12',
    );
    assert.equal(rest.items[0].unitPath, school11b.path);
    assert.equal(rest.items[0].previousUnitPath, school11.path);
    // Read again from the same cursor: the same entries, the same sequences.
    const again = await drain(token, first.cursor);
    assert.deepEqual(
      again.items.map((x) => x.sequence),
      rest.items.map((x) => x.sequence),
    );
  });
});

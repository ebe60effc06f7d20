import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { Role } from '@tmis/access';
import { CATALOGUE_VERSION } from '@tmis/core-indicators';
import type { OrgUnitEntity } from '@tmis/org';
import { apiClient, TestNode, testDatabaseUrl, unique } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

type Rec = Record<string, any>;

describe('change feed (GET /changes)', () => {
  let t: TestNode;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let otherCounty: OrgUnitEntity;
  let countyInfo: string;
  let countyQuery: string;
  let countySys: string;
  let schoolInfo: string;
  let otherInfo: string;

  before(async () => {
    t = await TestNode.start('provincial', { CHANGE_FEED_INTERVAL_MS: '100' });
    county = await t.newCounty();
    school = await t.newSchool(county);
    otherCounty = await t.newCounty();
    countyInfo = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    countyQuery = await t.tokenFor(await t.account(county, Role.Query));
    countySys = await t.tokenFor(await t.account(county, Role.SysAdmin));
    schoolInfo = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    otherInfo = await t.tokenFor(await t.account(otherCounty, Role.InfoAdmin));
  });
  after(async () => {
    await t.close();
  });

  /** Reads pages from `cursor` until the feed says nothing more follows; returns every entry and the last cursor. */
  async function drain(token: string, cursor = '', query = ''): Promise<{ items: Rec[]; cursor: string }> {
    const items: Rec[] = [];
    for (let i = 0; i < 10_000; i++) {
      const r = await t.api('GET', `/changes?limit=500&cursor=${encodeURIComponent(cursor)}${query}`, { token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      items.push(...r.body.items);
      cursor = r.body.nextCursor;
      if (!r.body.hasMore) return { items, cursor };
    }
    throw new Error('feed never ended');
  }

  const createTeacher = async (token: string, unitId: string, record = validRecord()) => {
    const r = await t.api('POST', '/teachers', { token, body: { unitId, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };

  it('lists the changes of your subtree (masked for query users) and refuses another county', async () => {
    const start = (await drain(countyInfo)).cursor;
    const record = validRecord();
    const created = await createTeacher(schoolInfo, school.id, record);
    const upd = await t.api('PATCH', `/teachers/${created.id}`, {
      token: schoolInfo,
      body: { version: created.version, changes: { contacts: { mobile: '13912345678' } } },
    });
    assert.equal(upd.status, 200, JSON.stringify(upd.body));
    const school2 = await t.newSchool(county);

    const full = (await drain(countyInfo, start)).items;
    const mine = full.filter((e) => e.entityId === created.id);
    assert.deepEqual(
      mine.map((e) => e.type),
      ['teacher.created', 'teacher.updated'],
    );
    assert.equal(mine[0].entity.idNumber, idOf(record), 'information administrators see the ID number');
    assert.equal(mine[1].entity.record.contacts.mobile, '13912345678');
    assert.ok(mine[0].sequence < mine[1].sequence);
    assert.ok(
      full.some((e) => e.type === 'unit.created' && e.entityId === school2.id && e.entity.code === school2.code),
    );
    assert.ok(full.every((e) => e.unitPath.startsWith(county.path) || e.previousUnitPath?.startsWith(county.path)));
    for (const e of full) assert.ok(e.committedAt && e.changedAt && typeof e.cursor === 'string');

    const masked = (await drain(countyQuery, start)).items.filter((e) => e.entityId === created.id);
    assert.equal(masked.length, 2);
    assert.notEqual(masked[0].entity.idNumber, idOf(record));
    assert.match(masked[0].entity.idNumber, /\*{4}/);
    assert.equal(masked[1].entity.record.contacts.mobile, '139****5678');
    const sys = (await drain(countySys, start)).items.filter((e) => e.entityId === created.id);
    assert.match(sys[0].entity.idNumber, /\*{4}/, 'system administrators see personal data masked');

    // Another county: its own feed does not hold ours; asking for our county is refused.
    const other = await drain(otherInfo, start);
    assert.ok(!other.items.some((e) => e.entityId === created.id || e.entityId === school2.id));
    const refused = await t.api('GET', `/changes?unitId=${county.id}`, { token: otherInfo });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'OUT_OF_SCOPE');
    // A unit inside your subtree narrows the feed.
    const narrowed = (await drain(countyInfo, start, `&unitId=${school.id}`)).items;
    assert.ok(narrowed.some((e) => e.entityId === created.id));
    assert.ok(!narrowed.some((e) => e.entityId === school2.id));
    // Teachers do not read the feed; a forged cursor is refused.
    const teacher = await t.tokenFor(await t.account(school, Role.Teacher));
    assert.equal((await t.api('GET', '/changes', { token: teacher })).status, 403);
    const forged = await t.api('GET', `/changes?cursor=${Buffer.from('c1.99999999999999').toString('base64url')}`, {
      token: countyInfo,
    });
    assert.equal(forged.status, 400);
    assert.equal(forged.body.code, 'CHANGES_INVALID_CURSOR');
    assert.equal((await t.api('GET', '/changes?cursor=nonsense', { token: countyInfo })).status, 400);
  });

  it('API clients read their owner unit’s feed with changes:read (unmasked only with teachers:read:sensitive)', async () => {
    const admin = countySys;
    const otherAdmin = await t.tokenFor(await t.account(otherCounty, Role.SysAdmin));
    const plain = await apiClient(t, admin, ['changes:read']);
    const sensitive = await apiClient(t, admin, ['changes:read', 'teachers:read', 'teachers:read:sensitive']);
    const noScope = await apiClient(t, admin, ['teachers:read']);
    const other = await apiClient(t, otherAdmin, ['changes:read', 'teachers:read', 'teachers:read:sensitive']);
    const start = (await drain(plain.token)).cursor;
    const record = validRecord();
    const created = await createTeacher(schoolInfo, school.id, record);

    const masked = (await drain(plain.token, start)).items.find((e) => e.entityId === created.id);
    assert.equal(masked?.type, 'teacher.created');
    assert.match(masked!.entity.idNumber, /\*{4}/);
    const full = (await drain(sensitive.token, start)).items.find((e) => e.entityId === created.id);
    assert.equal(full?.entity.idNumber, idOf(record));
    // The /v1 prefix serves the same feed.
    const v1 = await t.api('GET', `/v1/changes?cursor=${start}`, { token: sensitive.token });
    assert.equal(v1.status, 200);
    assert.ok(v1.body.items.some((e: Rec) => e.entityId === created.id));

    const refused = await t.api('GET', '/changes', { token: noScope.token });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.ok(!(await drain(other.token, start)).items.some((e) => e.entityId === created.id));
    assert.equal((await t.api('GET', `/changes?unitId=${county.id}`, { token: other.token })).status, 403);
    // Which client read which record: the feed's entries are in the client's audit trail.
    const audit = await t.api('GET', `/api-clients/${sensitive.id}/audit`, { token: admin });
    assert.equal(audit.status, 200, JSON.stringify(audit.body));
    assert.ok(JSON.stringify(audit.body).includes(created.id));
  });

  it('a status change and a move of a unit (and so of its teachers) are in the feed', async () => {
    const start = (await drain(countyInfo)).cursor;
    const s = await t.newSchool(county);
    const created = await createTeacher(countyInfo, s.id);
    const status = await t.api('PATCH', `/teachers/${created.id}`, {
      token: countyInfo,
      body: { version: created.version, changes: { basic: { personStatus: '04' } } },
    });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    // The school moves to another county (a set-based path rewrite of the unit and its teachers).
    const provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.SysAdmin));
    const moved = await t.api('POST', `/units/${s.id}/move`, {
      token: provinceAdmin,
      body: { newParentId: otherCounty.id, version: s.version },
    });
    assert.ok([200, 201].includes(moved.status), JSON.stringify(moved.body));
    const items = (await drain(countyInfo, start)).items;
    const types = items.filter((e) => e.entityId === created.id || e.entityId === s.id).map((e) => e.type);
    assert.deepEqual(types.slice(0, 3), ['unit.created', 'teacher.created', 'teacher.status-changed']);
    // The move itself writes the unit more than once (its parent, then the subtree's paths).
    assert.ok(types.slice(3).includes('unit.moved') && types.slice(3).includes('teacher.moved'), JSON.stringify(types));
    const move = items.find((e) => e.type === 'teacher.moved' && e.entityId === created.id)!;
    assert.ok(move.previousUnitPath.startsWith(county.path), 'the old county sees its teacher leave');
    assert.ok(move.unitPath.startsWith(otherCounty.path));
    const there = (await drain(otherInfo, start)).items.filter((e) => e.entityId === created.id);
    assert.deepEqual(
      there.map((e) => e.type),
      ['teacher.moved'],
      'the new county sees the teacher arrive (and not its earlier history)',
    );
  });

  it('bulk import changes appear, one created entry per record', async () => {
    const start = (await drain(countyInfo)).cursor;
    const s = await t.newSchool(county);
    const admin = await t.tokenFor(await t.account(s, Role.InfoAdmin));
    const keys = ['unitCode', 'idType', 'idNumber', 'name', 'sex', 'nationality', 'ethnicity', 'birthDate'];
    const more = ['politicalStatus', 'workStartMonth', 'schoolEntryMonth', 'staffCategory', 'onEstablishment'];
    const all = [...keys, ...more, 'personStatus'];
    const records: Rec[] = [validRecord(), validRecord(), validRecord()];
    const lines = [
      `#tmis-bulk;layout=1;catalogue=${CATALOGUE_VERSION};subSet=basic;kind=export;masked=false`,
      all.map(() => '列').join(','),
      all.join(','),
      all.join(','),
      ...records.map((r) =>
        all
          .map((k) =>
            k === 'unitCode'
              ? s.code
              : k === 'onEstablishment'
                ? '是'
                : k === 'sex'
                  ? `${r.basic.sex} ${r.basic.sex === '1' ? '男' : '女'}`
                  : (r.basic as Rec)[k],
          )
          .join(','),
      ),
    ];
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]), 'a.csv');
    const up = await fetch(`${t.url}/bulk/imports?dryRun=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: form,
    });
    assert.equal(up.status, 202, await up.clone().text());
    const job = (await up.json()) as Rec;
    let state = job.state;
    for (let i = 0; i < 600 && ['queued', 'validating', 'committing'].includes(state); i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await t.api('GET', `/bulk/jobs/${job.id}`, { token: admin })).body.state;
    }
    assert.equal(state, 'committed');
    const created = (await drain(countyInfo, start)).items.filter(
      (e) => e.type === 'teacher.created' && e.unitPath.startsWith(s.path),
    );
    assert.deepEqual(created.map((e) => e.entity.idNumber).sort(), records.map(idOf).sort());
  });

  it('concurrent writers committing out of start order never make a reader skip an entry', async () => {
    const url = testDatabaseUrl('provincial');
    const units = await Promise.all(Array.from({ length: 4 }, () => t.newSchool(county)));
    let cursor = (await drain(countyInfo)).cursor;
    const seen: Rec[] = [];
    const read = async () => {
      const r = await drain(countyInfo, cursor);
      seen.push(...r.items);
      cursor = r.cursor;
    };
    // The first transaction writes first and commits last: a reader between the commits must not pass it.
    const slow = new pg.Client({ connectionString: url });
    const fast = new pg.Client({ connectionString: url });
    await slow.connect();
    await fast.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [units[0].id, `慢${unique()}`]);
      await fast.query('BEGIN');
      await fast.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [units[1].id, `快${unique()}`]);
      await fast.query('COMMIT');
      await read();
      assert.ok(seen.some((e) => e.entityId === units[1].id && e.type === 'unit.updated'));
      assert.ok(!seen.some((e) => e.entityId === units[0].id && e.type === 'unit.updated'));
      await slow.query('COMMIT');
      await read();
      assert.ok(
        seen.some((e) => e.entityId === units[0].id && e.type === 'unit.updated'),
        'the late commit is read',
      );
    } finally {
      await slow.end();
      await fast.end();
    }

    // Many writers with random delays, a reader polling all along: every change exactly once, in order.
    const writers = 24;
    let done = false;
    const poller = (async () => {
      while (!done) {
        await read();
        await new Promise((r) => setTimeout(r, randomInt(5, 30)));
      }
    })();
    const names = await Promise.all(
      Array.from({ length: writers }, async (_, i) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          const name = `并发${i}-${unique()}`;
          await c.query('BEGIN');
          await c.query(`UPDATE org_unit SET name = $2, version = version + 1 WHERE id = $1`, [units[i % 4].id, name]);
          await new Promise((r) => setTimeout(r, randomInt(0, 200)));
          await c.query('COMMIT');
          return name;
        } finally {
          await c.end();
        }
      }),
    );
    done = true;
    await poller;
    await read();
    const got = seen
      .filter((e) => e.type === 'unit.updated' && names.includes(e.entity.name))
      .map((e) => e.entity.name);
    assert.deepEqual([...got].sort(), [...names].sort(), 'every write read exactly once');
    const seqs = seen.map((e) => e.sequence);
    assert.deepEqual(
      seqs,
      [...new Set(seqs)].sort((a, b) => a - b),
      'strictly increasing',
    );
    // Per unit, the feed's order is the commit order (the version each write left).
    for (const u of units) {
      const versions = seen.filter((e) => e.entityId === u.id).map((e) => e.entity.version);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
      );
    }
  });

  it('sequences are dense: every number from the first retained to the head is there once', async () => {
    await t.newSchool(county);
    await drain(countyInfo);
    const [r] = await t.db.query(
      `SELECT count(*)::bigint AS n, min(seq) AS lo, max(seq) AS hi, (SELECT last FROM change_feed_counter) AS head FROM change_log`,
    );
    assert.equal(Number(r.n), Number(r.hi) - Number(r.lo) + 1);
    assert.ok(Number(r.head) >= Number(r.hi));
  });

  it('a large import is numbered at once even when the statistics call change_pending empty, and its storage is emptied after', async () => {
    // As on a server whose autovacuum is off or behind (the machine's PostgreSQL here has it off), with
    // statistics taken when the table was nearly empty: the planner then estimates one pending row.
    await t.db.query(`ALTER TABLE change_pending SET (autovacuum_enabled = false)`);
    let writer: pg.Client | null = null;
    try {
      const storage = async () =>
        (
          await t.db.query(
            `SELECT pg_relation_filenode('change_pending')::text AS node, pg_relation_size('change_pending')::int AS bytes`,
          )
        )[0] as { node: string; bytes: number };
      const [{ head }] = await t.db.query(`SELECT last::bigint AS head FROM change_feed_counter`);
      // A writer's open transaction on the table (as a teacher write's trigger holds): no truncation while it lasts.
      writer = new pg.Client({ connectionString: testDatabaseUrl('provincial') });
      await writer.connect();
      await writer.query(`BEGIN`);
      await writer.query(`LOCK TABLE change_pending IN ROW EXCLUSIVE MODE`);
      await t.db.query(`UPDATE pg_class SET reltuples = 0, relpages = 1000 WHERE oid = 'change_pending'::regclass`);
      // 50,000 changes at once, as a large import's triggers write them (units outside every test's scope).
      await t.db.query(
        `INSERT INTO change_pending (type, entity_type, entity_id, unit_path, data)
         SELECT 'unit.updated', 'unit', gen_random_uuid(), '/vacuum-test/', '{}'::jsonb FROM generate_series(1, 50000)`,
      );
      const filled = await storage();
      const numbered = async () =>
        (
          await t.db.query(`SELECT count(*)::int AS n FROM change_log WHERE seq > $1 AND unit_path = '/vacuum-test/'`, [
            head,
          ])
        )[0].n as number;
      const t0 = Date.now();
      let n = 0;
      while ((n = await numbered()) < 50_000 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 100));
      // A nested loop re-reading the batch for every pending row took minutes here.
      assert.equal(n, 50_000, `every change numbered within 20 s (${n} were)`);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await storage()).node, filled.node, 'not truncated while a writer holds the table');
      await writer.end();
      writer = null;
      let now = filled;
      for (let i = 0; i < 300 && now.node === filled.node; i++) {
        await new Promise((r) => setTimeout(r, 100));
        now = await storage();
      }
      assert.notEqual(now.node, filled.node, 'change_pending emptied (truncated) once drained');
      assert.ok(now.bytes < filled.bytes / 10, `its storage is small again (${now.bytes} of ${filled.bytes} bytes)`);
    } finally {
      await writer?.end();
      await t.db.query(`ALTER TABLE change_pending RESET (autovacuum_enabled)`);
    }
  });

  it('resumed from a cursor after a node restart misses nothing and repeats nothing', async () => {
    const before1 = await t.newSchool(county);
    const { cursor, items } = await drain(countyInfo);
    assert.ok(items.some((e) => e.entityId === before1.id));
    // Written after the read, some through the node, some while no node runs.
    const a = await t.newSchool(county);
    const created = await createTeacher(countyInfo, a.id);
    await t.close();
    const c = new pg.Client({ connectionString: testDatabaseUrl('provincial') });
    await c.connect();
    const offline = `离线${unique()}`;
    await c.query(`UPDATE org_unit SET name = $2 WHERE id = $1`, [a.id, offline]);
    await c.end();
    t = await TestNode.start('provincial', { CHANGE_FEED_INTERVAL_MS: '100' });
    const token = await t.login((await t.account(county, Role.InfoAdmin)).username);
    const b = await t.newSchool(county);
    const after1 = await drain(token, cursor);
    const mine = after1.items
      .filter((e) => [a.id, b.id, created.id, before1.id].includes(e.entityId))
      .map((e) => `${e.type}:${e.entityId}`);
    assert.deepEqual(mine, [
      `unit.created:${a.id}`,
      `teacher.created:${created.id}`,
      `unit.updated:${a.id}`,
      `unit.created:${b.id}`,
    ]);
    assert.equal(after1.items.find((e) => e.type === 'unit.updated' && e.entityId === a.id)!.entity.name, offline);
    // The same cursor again gives the same entries; the last cursor gives none of them.
    const again = await drain(token, cursor);
    assert.deepEqual(
      again.items.slice(0, after1.items.length).map((e) => e.sequence),
      after1.items.map((e) => e.sequence),
    );
    const tail = await drain(token, after1.cursor);
    assert.ok(!tail.items.some((e) => [a.id, b.id, created.id].includes(e.entityId)));
  });
});

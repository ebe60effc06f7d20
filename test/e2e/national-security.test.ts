import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { SyncIngestService } from '@tmis/sync-ingest';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { validRecord } from '../support/records.js';

const TOKEN_11 = 'province-11-node-token-0123456789abcdef';
const TOKEN_44 = 'province-44-node-token-0123456789abcdef';

/** Attacks on the national node, each refused with nothing written (issue 19, "Security"). */
describe('the national node: scope, unit ownership, record validation, one bad message', () => {
  let n: TestNode;
  let db: { url: string; drop(): Promise<void> };
  let ingest: SyncIngestService;
  let ministry: string;
  const seq: Record<string, number> = { '11': 0, '44': 0 };

  const envelope = (province: string, type: string, payload: unknown, over: Record<string, unknown> = {}) =>
    JSON.stringify({
      schemaVersion: 2,
      eventId: randomUUID(),
      provinceCode: province,
      sequence: ++seq[province],
      type,
      key: 'k',
      occurredAt: new Date().toISOString(),
      payload,
      ...over,
    });
  const teacher = (province: string, unitCode: string, record = validRecord(), over: Record<string, unknown> = {}) => {
    const basic = record.basic as { idNumber: string; name: string; personStatus: string };
    return {
      teacherId: randomUUID(),
      unitCode,
      idType: '1',
      idNumber: basic.idNumber,
      name: basic.name,
      personStatus: basic.personStatus,
      reportedVersion: 1,
      record,
      catalogueVersion: '2026.1',
      custom: {},
      ...over,
    };
  };
  const rows = (sql: string, params: unknown[] = []) => n.count(sql, params);
  const deadLetters = async (province: string) =>
    (await n.db.query(`SELECT reason FROM sync_dead_letter WHERE province_code = $1 ORDER BY id`, [province])).map(
      (r: { reason: string }) => r.reason,
    );

  before(async () => {
    db = await isolatedDatabase('ns');
    n = await TestNode.start('national', {
      DATABASE_URL: db.url,
      SYNC_NODE_TOKENS: `11:${TOKEN_11},44:${TOKEN_44}`,
      STATS_REFRESH_SECONDS: '0',
    });
    ingest = n.node.app.get(SyncIngestService);
    ministry = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.InfoAdmin));
  });
  after(async () => {
    await n?.close();
    await db?.drop();
  });

  it('a province-level account reads its own province only, on every national route; the ministry reads all', async () => {
    const r11 = teacher('11', '2111000101');
    const r44 = teacher('44', '2144000101');
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', r11)), 'applied');
    assert.equal(await ingest.apply(envelope('44', 'teacher.upserted', r44)), 'applied');
    // The same person active in both provinces, so that duplicates have something to show.
    const both = validRecord();
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', teacher('11', '2111000101', both))), 'applied');
    assert.equal(await ingest.apply(envelope('44', 'teacher.upserted', teacher('44', '2144000101', both))), 'applied');
    const defs = (key: string) => ({ definitions: [{ key, zh: '类', en: 'C', type: 'string', subSet: 'basic' }] });
    assert.equal(await ingest.apply(envelope('11', 'custom-fields.changed', defs('x_eleven'))), 'applied');
    assert.equal(await ingest.apply(envelope('44', 'custom-fields.changed', defs('x_fortyfour'))), 'applied');
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', { broken: true })), 'dead-letter');
    assert.equal(await ingest.apply(envelope('44', 'teacher.upserted', { broken: true })), 'dead-letter');

    const gd = await n.unitByCode('440000');
    const q44 = await n.tokenFor(await n.account(gd, Role.Query));
    const info44 = await n.tokenFor(await n.account(gd, Role.InfoAdmin));
    const get = (path: string, token: string) => n.api('GET', path, { token });

    // Another province, asked for by name: refused, on every route.
    for (const path of [
      '/sync/teachers?province=11',
      '/sync/custom-fields?province=11',
      '/sync/fingerprint?province=11',
      '/sync/fingerprint/2111000101/records?province=11',
      '/sync/duplicates?province=11',
      '/sync/fingerprint/tree?province=11',
    ]) {
      const r = await get(path, q44);
      assert.equal(r.status, 403, `${path}: ${JSON.stringify(r.body)}`);
      assert.match(String(r.headers.get('content-type')), /problem\+json/);
    }
    const rec = await n.api('POST', '/sync/reconcile', {
      token: q44,
      body: { province: '11', total: 0, hash: '0', schools: [] },
    });
    assert.equal(rec.status, 403);
    const recTree = await n.api('POST', '/sync/reconcile/tree', {
      token: q44,
      body: { province: '11', nodes: [] },
    });
    assert.equal(recTree.status, 403, JSON.stringify(recTree.body));
    const beijing = await n.unitByCode('110000');
    assert.equal((await get(`/stats/breakdown?by=sex&unit=${beijing.id}`, q44)).status, 403);

    // Nothing named: its own province only.
    const teachers = await get('/sync/teachers', q44);
    assert.equal(teachers.status, 200);
    assert.ok(teachers.body.length >= 2);
    assert.deepEqual([...new Set(teachers.body.map((t: { province: string }) => t.province))], ['44']);
    const custom = await get('/sync/custom-fields', q44);
    assert.deepEqual(
      custom.body.map((c: { province: string }) => c.province),
      ['44'],
    );
    const fp = await get('/sync/fingerprint', q44);
    assert.equal(fp.status, 200);
    assert.equal(fp.body.province, '44');
    const status = await get('/sync/status', q44);
    assert.deepEqual(
      status.body.provinces.map((p: { province: string }) => p.province),
      ['44'],
    );
    assert.equal(status.body.deadLetters, 1);
    const dl = await get('/sync/dead-letters', info44);
    assert.equal(dl.status, 200);
    assert.deepEqual([...new Set(dl.body.map((d: { province: string }) => d.province))], ['44']);
    const dups = await get('/sync/duplicates', q44);
    assert.equal(dups.status, 200);
    const dup = dups.body.find(
      (d: { idNumber: string }) => d.idNumber === (both.basic as { idNumber: string }).idNumber,
    );
    assert.deepEqual(dup.provinces.sort(), ['11', '44']);
    assert.equal(dup.teacherIds.length, 1, "another province's record ids are not shown");
    assert.equal((await get('/sync/fingerprint?province=44', q44)).status, 200, 'its own province by name');

    // Statistics: another province's custom indicators are not offered as dimensions.
    const keys = async (token: string) =>
      (await get('/stats/dimensions', token)).body.map((d: { key: string }) => d.key) as string[];
    const mine = await keys(q44);
    assert.ok(mine.includes('x_fortyfour_44') && !mine.includes('x_eleven_11'), JSON.stringify(mine));
    const everyone = await keys(ministry);
    assert.ok(everyone.includes('x_fortyfour_44') && everyone.includes('x_eleven_11'));

    // A county (or a central university) reads no federation data at all.
    const county = await n.unitByCode('440103');
    assert.equal((await get('/sync/teachers', await n.tokenFor(await n.account(county, Role.Query)))).status, 403);

    // The ministry reads every province.
    const all = await get('/sync/teachers', ministry);
    assert.deepEqual([...new Set(all.body.map((t: { province: string }) => t.province))].sort(), ['11', '44']);
    assert.equal((await get('/sync/status', ministry)).body.provinces.length, 2);
    assert.equal((await get('/sync/fingerprint?province=11', ministry)).status, 200);
    assert.equal((await get('/sync/fingerprint', ministry)).status, 400, 'the ministry names the province');
  });

  it('a province touches only its own subtree of the national tree, never a unit the national node owns', async () => {
    const moe = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.SysAdmin));
    const code = `4111${String(Date.now()).slice(-6)}`;
    const uni = await n.api('POST', '/units', {
      token: moe,
      body: {
        kind: 'school',
        parentId: (await n.unitByCode('000000')).id,
        code,
        name: '部属大学',
        urbanRural: '111',
        sponsor: '1',
      },
    });
    assert.equal(uni.status, 201, JSON.stringify(uni.body));
    const unitsBefore = await n.db.query(`SELECT code, name, path, status, version FROM org_unit ORDER BY code`);
    const unit = (u: Record<string, unknown>) => ({ name: '改名', status: 'active', ...u });
    const attacks: [string, Record<string, unknown>][] = [
      [
        'the central university moved under a Beijing county, renamed and closed',
        {
          code,
          kind: 'school',
          parentCode: '110101',
          status: 'closed',
          closedOn: '2026-01-01',
          schoolType: '41',
        },
      ],
      ['a city placed under another province', { code: '115900', kind: 'city', parentCode: '440000' }],
      ["another province's city taken over", { code: '440100', kind: 'city', parentCode: '110000' }],
      ['its own city moved into another province', { code: '110100', kind: 'city', parentCode: '440000' }],
      ['a city beside the provinces', { code: '115800', kind: 'city', parentCode: '000000' }],
      ['a school under the ministry', { code: '2111000901', kind: 'school', parentCode: '000000', schoolType: '21' }],
      [
        'a school declared central',
        { code: '2111000902', kind: 'school', parentCode: '110101', schoolType: '21', central: true },
      ],
      ["a county under another province's city", { code: '115701', kind: 'county', parentCode: '440100' }],
    ];
    for (const [what, u] of attacks) {
      const outcome = await ingest.apply(envelope('11', 'org-units.changed', { units: [unit(u)] }));
      assert.equal(outcome, 'dead-letter', what);
    }
    // Over HTTP too, with the province's own node token.
    const http = await n.api('POST', '/sync/ingest', {
      headers: { authorization: `Bearer ${TOKEN_11}` },
      body: { messages: [envelope('11', 'org-units.changed', { units: [unit(attacks[0][1])] })] },
    });
    assert.deepEqual(http.body.outcomes, ['dead-letter']);
    // A teacher record placed in the central university (its code's digits 3-4 read "11").
    const intoUni = teacher('11', code);
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', intoUni)), 'dead-letter');
    assert.equal(await rows(`SELECT count(*)::int AS n FROM national_teacher WHERE unit_code = $1`, [code]), 0);
    assert.deepEqual(
      await n.db.query(`SELECT code, name, path, status, version FROM org_unit ORDER BY code`),
      unitsBefore,
      'nothing in the tree changed',
    );
    const reasons = await deadLetters('11');
    assert.ok(reasons.some((r: string) => /not in the province's subtree/.test(r)));
    assert.ok(reasons.some((r: string) => /may not write a central unit/.test(r)));

    // Its own subtree: a new school under one of its counties is applied.
    const own = await ingest.apply(
      envelope('11', 'org-units.changed', {
        units: [
          unit({
            code: '2111000903',
            kind: 'school',
            parentCode: '110101',
            schoolType: '21',
            urbanRural: '111',
            sponsor: '1',
            name: '北京新校',
          }),
        ],
      }),
    );
    assert.equal(own, 'applied', JSON.stringify((await deadLetters('11')).slice(-1)));
    assert.equal((await n.unitByCode('2111000903')).path, '/000000/110000/110100/110101/2111000903/');
  });

  it('synced records are validated with the catalogue, in both schema versions, and dead-lettered with the reason', async () => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 2000; i++) deep = { n: deep };
    const good = validRecord();
    const badStatus = validRecord({ basic: { personStatus: '77' } });
    const idNumber = (good.basic as { idNumber: string }).idNumber;
    const badCheck = idNumber.slice(0, 17) + (idNumber[17] === '1' ? '2' : '1');
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['a 2,000-level nested record', teacher('11', '2111000101', { ...validRecord(), deep }), /nested deeper/],
      ['a person status not in the code table', teacher('11', '2111000101', badStatus), /personStatus/],
      [
        'an ID number with a bad check character',
        teacher('11', '2111000101', validRecord({ basic: { idNumber: badCheck } }), { idNumber: badCheck }),
        /idNumber/,
      ],
      [
        'a record field that is not in the catalogue',
        teacher('11', '2111000101', { ...validRecord(), hobby: 'x' }),
        /hobby/,
      ],
      [
        'a reported version beyond integer',
        teacher('11', '2111000101', validRecord(), { reportedVersion: 2 ** 31 }),
        /reportedVersion/,
      ],
    ];
    for (const [what, payload, reason] of cases) {
      for (const schemaVersion of [2, 1]) {
        const before = await deadLetters('11');
        const outcome = await ingest.apply(envelope('11', 'teacher.upserted', payload, { schemaVersion }));
        assert.equal(outcome, 'dead-letter', `${what} (v${schemaVersion})`);
        const after = await deadLetters('11');
        assert.equal(after.length, before.length + 1);
        assert.match(after[after.length - 1], reason, what);
        assert.equal(
          await rows(`SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = $1`, [payload.teacherId]),
          0,
          `${what}: nothing stored`,
        );
      }
    }
    // A malformed custom field definition never blocks the province's records.
    const poison = {
      definitions: [{ key: 'x_poison', type: 'code', subSet: 'basic', codes: 'not-a-list', requiredIn: 7 }],
    };
    assert.equal(await ingest.apply(envelope('11', 'custom-fields.changed', poison)), 'applied');
    assert.equal(
      await ingest.apply(
        envelope('11', 'teacher.upserted', teacher('11', '2111000101', validRecord({ basic: { x_poison: 'A' } }))),
      ),
      'applied',
    );
    // The same record, valid, is applied.
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', teacher('11', '2111000101', good))), 'applied');
  });

  it('one bad message never fails a batch: each is judged alone, an absurd sequence cannot poison the gap', async () => {
    const good = teacher('44', '2144000101');
    const good2 = teacher('44', '2144000101');
    const head = (await n.db.query(`SELECT max_sequence::bigint AS h FROM sync_progress WHERE province_code = '44'`))[0]
      .h;
    const batch = [
      envelope('44', 'teacher.upserted', good),
      '{"schemaVersion": 2, "payload": ',
      // 2^63 as a JSON number (beyond bigint), and one far beyond the province's head.
      envelope('44', 'teacher.upserted', teacher('44', '2144000101')).replace(
        /"sequence":\d+/,
        '"sequence":9223372036854775808',
      ),
      envelope('44', 'teacher.upserted', teacher('44', '2144000101'), { sequence: Number(head) + 50_000_000 }),
      envelope('44', 'teacher.upserted', teacher('44', '2144000101', validRecord(), { name: '王'.repeat(300) })),
      envelope(
        '44',
        'teacher.upserted',
        teacher('44', '2144000101', validRecord({ basic: { politicalStatus: 'a\u0000b' } })),
      ),
      // A raw NUL and a lone surrogate in the message text itself (not escaped inside its JSON).
      envelope('44', 'teacher.upserted', teacher('44', '2144000101')).replace('"teacherId"', '"teacher\u0000Id"'),
      envelope('44', 'teacher.upserted', teacher('44', '2144000101')).replace('"name":"', '"name":"\ud800'),
      envelope('44', 'teacher.upserted', good2),
    ];
    const r = await n.api('POST', '/sync/ingest', {
      headers: { authorization: `Bearer ${TOKEN_44}` },
      body: { messages: batch },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.outcomes, [
      'applied',
      'dead-letter',
      'dead-letter',
      'dead-letter',
      'dead-letter',
      'dead-letter',
      'dead-letter',
      'dead-letter',
      'applied',
    ]);
    for (const t of [good, good2])
      assert.equal(
        await rows(`SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = $1`, [t.teacherId]),
        1,
      );
    // The same through the Kafka path's entry point.
    const kafkaLike = await ingest.applyBatch([
      envelope('44', 'teacher.upserted', teacher('44', '2144000101')),
      envelope('44', 'teacher.upserted', teacher('44', '2144000101'), { sequence: 2 ** 53 }),
      envelope('44', 'org-units.changed', {
        units: [{ code: '440100', kind: 'city', name: 'x', parentCode: '110000', status: 'active' }],
      }),
      envelope('44', 'teacher.upserted', teacher('44', '2144000101')),
    ]);
    assert.deepEqual(kafkaLike, ['applied', 'dead-letter', 'dead-letter', 'applied']);
    // A `__proto__` member never swaps the class whose rules validate the message.
    const proto = envelope('44', 'teacher.upserted', {}).replace('"payload":{}', '"payload":{"__proto__":{"a":1}}');
    assert.equal(await ingest.apply(proto), 'dead-letter');
    assert.equal(await ingest.apply(`{"__proto__":{"x":1},"schemaVersion":2}`), 'dead-letter');
    const status = await n.api('GET', '/sync/status', { token: ministry });
    const p44 = status.body.provinces.find((p: { province: string }) => p.province === '44');
    assert.ok(p44.maxSequence < 1000, `the head stays where the province is: ${p44.maxSequence}`);
    assert.ok(Number(p44.gap) >= 0 && Number(p44.gap) < 1000, `the gap stays meaningful: ${p44.gap}`);
    // A message claiming another province, sent with 44's token, is refused, never applied as 11's.
    const forged = await n.api('POST', '/sync/ingest', {
      headers: { authorization: `Bearer ${TOKEN_44}` },
      body: { messages: [envelope('11', 'teacher.upserted', teacher('11', '2111000101'))] },
    });
    assert.deepEqual(forged.body.outcomes, ['dead-letter']);
  });

  it('a resync chunk (teacher.snapshot) is judged record by record: bad and forged records refused alone, the newest version wins', async () => {
    const before = await deadLetters('11');
    const good = [teacher('11', '2111000101'), teacher('11', '2111000101'), teacher('11', '2111000101')];
    const badStatus = teacher('11', '2111000101', validRecord({ basic: { personStatus: '77' } }));
    // The forged-unit attack of #19 inside a chunk: province 11 writing into province 44's school.
    const forgedUnit = teacher('11', '2144000101');
    const noId = { ...teacher('11', '2111000101'), teacherId: 'not-a-uuid' };
    const chunk = { records: [good[0], badStatus, forgedUnit, good[1], noId, good[2]] };
    assert.equal(await ingest.apply(envelope('11', 'teacher.snapshot', chunk, { schemaVersion: 4 })), 'applied');
    const chunkSequence = seq['11'];
    for (const t of good)
      assert.deepEqual(
        await n.db.query(
          `SELECT province_code AS p, last_sequence::int AS s FROM national_teacher WHERE teacher_id = $1`,
          [t.teacherId],
        ),
        [{ p: '11', s: chunkSequence }],
      );
    for (const t of [badStatus, forgedUnit])
      assert.equal(
        await rows(`SELECT count(*)::int AS n FROM national_teacher WHERE teacher_id = $1`, [t.teacherId]),
        0,
        'a refused record is not stored',
      );
    const added = (await deadLetters('11')).slice(before.length);
    assert.equal(added.length, 3, added.join('\n'));
    assert.match(added[0], /^teacher\.snapshot record 1: personStatus/);
    assert.match(added[1], /^teacher\.snapshot record 2: province 11 may not write unit 2144000101/);
    assert.match(added[2], /^teacher\.snapshot record 4: payload: teacherId/);
    // Each refused record is kept as the `teacher.upserted` message it stands for (replayable alone).
    const [raw] = await n.db.query(
      `SELECT raw FROM sync_dead_letter WHERE province_code = '11' ORDER BY id DESC LIMIT 1 OFFSET 1`,
    );
    assert.equal(JSON.parse(raw.raw).type, 'teacher.upserted');
    assert.equal(JSON.parse(raw.raw).payload.teacherId, forgedUnit.teacherId);
    // A chunk whose records are all refused is a dead letter; an older envelope cannot carry the type.
    assert.equal(
      await ingest.apply(envelope('11', 'teacher.snapshot', { records: [badStatus] }, { schemaVersion: 4 })),
      'dead-letter',
    );
    assert.equal(
      await ingest.apply(envelope('11', 'teacher.snapshot', { records: [good[0]] }, { schemaVersion: 3 })),
      'dead-letter',
    );
    assert.match((await deadLetters('11')).pop()!, /needs schema version 4/);

    // Ordering: a live change with a higher sequence than a chunk's wins whichever arrives first.
    const changed = { ...good[0], reportedVersion: 2, name: '后改' };
    const older = seq['11'] + 1;
    const newer = seq['11'] + 2;
    seq['11'] += 2;
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', changed, { sequence: newer })), 'applied');
    assert.equal(
      await ingest.apply(
        envelope('11', 'teacher.snapshot', { records: [good[0], good[1]] }, { schemaVersion: 4, sequence: older }),
      ),
      'applied',
      'the chunk is taken (one of its records is news), its stale record is not',
    );
    const version = async (id: string) =>
      (
        await n.db.query(
          `SELECT reported_version AS v, name, last_sequence::int AS s FROM national_teacher WHERE teacher_id = $1`,
          [id],
        )
      )[0];
    assert.deepEqual(await version(good[0].teacherId), { v: 2, name: '后改', s: newer });
    assert.equal((await version(good[1].teacherId)).s, older);
    // A chunk and a live change in one batch: the higher sequence wins there too.
    const third = { ...good[2], reportedVersion: 3, name: '再改' };
    const [chunkAt, liveAt] = [seq['11'] + 1, seq['11'] + 2];
    seq['11'] += 2;
    const outcomes = await ingest.applyBatch([
      envelope('11', 'teacher.upserted', third, { sequence: liveAt }),
      envelope('11', 'teacher.snapshot', { records: [good[2]] }, { schemaVersion: 4, sequence: chunkAt }),
    ]);
    assert.deepEqual(outcomes, ['applied', 'duplicate']);
    assert.deepEqual(await version(good[2].teacherId), { v: 3, name: '再改', s: liveAt });
    // Redelivered, a chunk changes nothing.
    assert.equal(
      await ingest.apply(envelope('11', 'teacher.snapshot', chunk, { schemaVersion: 4, sequence: chunkSequence })),
      'duplicate',
    );
    assert.deepEqual(await version(good[0].teacherId), { v: 2, name: '后改', s: newer });
  });
});

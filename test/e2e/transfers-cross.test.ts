import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { FederationReceiver } from '@tmis/federation';
import type { OrgUnitEntity } from '@tmis/org';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';
import { reconcile, until } from '../support/sync-helpers.js';

const brokers = process.env.TMIS_TEST_KAFKA_BROKERS;
const skip = brokers ? false : `KAFKA TESTS SKIPPED: ${process.env.TMIS_TEST_KAFKA_SKIP_REASON || 'no broker'}`;
if (skip) console.log(`# ${skip}`);

// The broker outage test stops and starts the broker test/run.mjs started (never an external one).
const managedPort = process.env.TMIS_TEST_KAFKA_MANAGED_PORT;
const skipOutage = !brokers
  ? skip
  : !managedPort
    ? 'KAFKA TESTS SKIPPED: the broker is external (KAFKA_BROKERS), so this test cannot stop and restart it'
    : false;
if (skipOutage && !skip) console.log(`# ${skipOutage}`);
// Asynchronously: the nodes share this process and must keep serving while the script runs.
const broker = async (action: 'start' | 'stop') => {
  const script = join(import.meta.dirname, '..', '..', '..', 'deploy', 'kafka', `${action}-kafka.sh`);
  await promisify(execFile)('bash', [script], { env: { ...process.env, KAFKA_PORT: managedPort } }).catch(
    (e: { stderr?: string; message: string }) => {
      throw new Error(`${action}-kafka.sh: ${e.stderr || e.message}`);
    },
  );
};

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

/**
 * Cross-province transfers (Art. 23) end to end: province 11 (receiving), province 44 (sending) and the
 * national node, each on its own database, over a real Kafka broker (libs/federation).
 */
describe('cross-province transfer: two provincial nodes and the national node over Kafka', { skip }, () => {
  let national: TestNode;
  let p11: TestNode;
  let p44: TestNode;
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  const prefix = `tmis.xfer.${Date.now().toString(36)}`;
  const env = {
    KAFKA_BROKERS: brokers!,
    SYNC_TOPIC: prefix,
    FEDERATION_RELAY_INTERVAL_MS: '100',
    SYNC_RELAY_INTERVAL_MS: '100',
    // The job that applies cases whose effective date has come.
    TRANSFERS_DUE_SECONDS: '1',
  };
  let school11: OrgUnitEntity;
  let school44: OrgUnitEntity;
  const tok: Record<string, string> = {};

  const start11 = () => TestNode.start('provincial', { ...env, PROVINCE_CODE: '11', DATABASE_URL: dbs[1].url });

  before(async () => {
    for (const tag of ['xn', 'x11', 'x44']) dbs.push(await isolatedDatabase(tag));
    national = await TestNode.start('national', {
      ...env,
      FEDERATION_PROVINCES: '11,44',
      DATABASE_URL: dbs[0].url,
      CROSS_TRANSFER_CHECK_MS: '300',
      CROSS_TRANSFER_TIMEOUT_SECONDS: '3600',
    });
    p11 = await start11();
    p44 = await TestNode.start('provincial', { ...env, PROVINCE_CODE: '44', DATABASE_URL: dbs[2].url });
    const c11 = await p11.newCounty();
    const c44 = await p44.newCounty();
    school11 = await p11.newSchool(c11, '31');
    school44 = await p44.newSchool(c44, '31');
    const info = (n: TestNode, u: OrgUnitEntity) => n.account(u, Role.InfoAdmin).then((a) => n.tokenFor(a));
    tok.s11 = await info(p11, school11);
    tok.c11 = await info(p11, c11);
    tok.s44 = await info(p44, school44);
    tok.c44 = await info(p44, c44);
    tok.ministry = await info(national, await national.unitByCode('000000'));
    tok.nationalProvince = await info(national, await national.unitByCode('110000'));
  });
  after(async () => {
    await p44?.close();
    await p11?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  /** A teacher of province 44 taken through review to reported (and so synced to national). */
  async function teacherOf44(over: Record<string, unknown> = {}) {
    const record = validRecord(over);
    const r = await p44.api('POST', '/teachers', { token: tok.s44, body: { unitId: school44.id, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id as string;
    const step = (tk: string, a: string, body: object) =>
      p44.api('POST', `/teachers/${id}/review/${a}`, { token: tk, body: { version: 1, ...body } });
    await step(tok.s44, 'submit', {});
    await step(tok.s44, 'school-approve', { participants: ['校长', '教师'], principal: '校长' });
    assert.equal((await step(tok.c44, 'department-approve', {})).status, 200);
    return { id, record };
  }
  const apply11 = (record: Record<string, unknown>, effectiveDate = today()) =>
    p11.api('POST', '/transfers', {
      token: tok.s11,
      body: {
        fromProvince: '44',
        idNumber: idOf(record),
        teacherName: (record.basic as { name: string }).name,
        toUnitId: school11.id,
        newPost: '初中数学教师',
        effectiveDate,
        reason: '夫妻团聚',
      },
    });
  const act = (n: TestNode, tk: string, id: string, a: string, reason?: string) =>
    n.api('POST', `/transfers/${id}/${a}`, { token: tk, body: reason ? { reason } : {} });
  const caseAt = (n: TestNode, tk: string, id: string) => n.api('GET', `/transfers/${id}`, { token: tk });
  /** What the federation dead-lettered on each node (shown when a wait times out). */
  const deadLetters = async () =>
    JSON.stringify(
      await Promise.all(
        [national, p11, p44].map((n) => n.db.query(`SELECT * FROM federation_dead_letter ORDER BY 1 DESC LIMIT 3`)),
      ),
    );
  const stateAt = (n: TestNode, tk: string, id: string, state: string) =>
    until(
      `${state} on ${n.province}`,
      async () => {
        const r = await caseAt(n, tk, id);
        return r.status === 200 && r.body.state === state ? r.body : null;
      },
      60000,
    ).catch(async (e: Error) => {
      throw new Error(
        `${e.message}${e.cause ? ` (${String(e.cause)})` : ''}; dead letters: ${await deadLetters()}; the case's messages: ${await trail(id)}`,
      );
    });
  /**
   * Where each of the case's messages is (shown when a wait times out): per node, what it sent (type, to,
   * published or still waiting) and whether the destination's inbox has it; and each node's health.
   */
  const trail = async (id: string) => {
    const nodes = { national, '11': p11, '44': p44 } as Record<string, TestNode>;
    const out: string[] = [];
    for (const [name, n] of Object.entries(nodes)) {
      const rows = await n.db.query(
        `SELECT type, destination, message_id::text AS mid, published_at IS NOT NULL AS published, created_at FROM federation_outbox WHERE key = $1 ORDER BY seq`,
        [id],
      );
      for (const r of rows as {
        type: string;
        destination: string;
        mid: string;
        published: boolean;
        created_at: Date;
      }[]) {
        const dest = nodes[r.destination];
        const got = dest
          ? await dest.count(`SELECT count(*) FROM federation_inbox WHERE message_id = $1`, [r.mid])
          : -1;
        out.push(
          `${name}→${r.destination} ${r.type} @${new Date(r.created_at).toISOString()} ${r.published ? 'published' : 'WAITING in outbox'}, ${got === 1 ? 'received' : 'NOT received'}`,
        );
      }
    }
    for (const [name, n] of Object.entries(nodes))
      out.push(`${name} health: ${JSON.stringify((await n.api('GET', '/health')).body)}`);
    return out.join(' | ');
  };
  /** 11 applies and its department approves: the case leaves for national. */
  async function requestFrom11(record: Record<string, unknown>, effectiveDate = today()) {
    const a = await apply11(record, effectiveDate);
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(a.body.state, 'awaiting_receiving_department');
    const ok = await act(p11, tok.c11, a.body.id, 'approve');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.state, 'awaiting_other_province');
    return a.body.id as string;
  }

  it('happy path: 11 applies, 11 approves, national routes, 44 agrees and confirms; 11 creates the record, 44 marks it transferred out', async () => {
    const { id: id44, record } = await teacherOf44();
    // The teacher is known at national as active in 44 (the record sync).
    await until(
      'the record at national',
      async () =>
        (await national.count(`SELECT count(*) FROM national_teacher WHERE teacher_id = $1 AND active`, [id44])) === 1,
    );
    const id = await requestFrom11(record);
    // National lists it in flight, at the sending province; ID numbers masked.
    const flight = await until('in flight at national', async () => {
      const r = await national.api('GET', '/cross-province-transfers', { token: tok.ministry });
      return r.body.find?.((x: { id: string }) => x.id === id);
    });
    assert.equal(flight.step, 'at_sending_province');
    assert.equal(flight.fromProvince, '44');
    assert.notEqual(flight.idNumber, idOf(record));
    assert.equal((await national.api('GET', '/cross-province-transfers', { token: tok.nationalProvince })).status, 403);
    // 44: its school agrees, its department confirms.
    const at44 = await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    assert.equal(at44.teacher.id, id44);
    assert.deepEqual([at44.mayApprove, at44.mayRefuse, at44.mayWithdraw], [true, true, false]);
    assert.equal((await act(p44, tok.c44, id, 'approve')).status, 403, 'the department acts after the school');
    assert.equal((await act(p44, tok.s44, id, 'approve')).body.state, 'awaiting_sending_department');
    // Confirmed: approved, waiting for the effective date — today, so 11 registers the record at once.
    assert.equal((await act(p44, tok.c44, id, 'approve')).body.state, 'approved');

    const done11 = await stateAt(p11, tok.s11, id, 'completed');
    const [rec11] = await p11.db.query(
      `SELECT id, unit_id, active, review_state, custom FROM teacher WHERE id_number = $1`,
      [idOf(record)],
    );
    assert.equal(rec11.unit_id, school11.id);
    assert.equal(rec11.active, true);
    assert.equal(rec11.review_state, 'reported');
    assert.deepEqual(rec11.custom, {}, "A's custom indicators are empty until filled");
    assert.equal(done11.teacher.id, rec11.id);
    const hist = await p11.api('GET', `/teachers/${rec11.id}/history`, { token: tok.s11 });
    const carried = hist.body.find((h: { action: string }) => h.action === 'transfer-in-province');
    assert.ok(carried, JSON.stringify(hist.body));
    assert.equal(carried.changes.find((c: { path: string }) => c.path === 'custom').before.province, '44');

    await stateAt(p44, tok.s44, id, 'completed');
    const [rec44] = await p44.db.query(`SELECT person_status, active FROM teacher WHERE id = $1`, [id44]);
    assert.deepEqual([rec44.person_status, rec44.active], ['08', false]);
    // National: completed; the teacher active in 11 only, once both records have synced.
    await until('the hub completed', async () => {
      const [h] = await national.db.query(`SELECT state FROM transfer_hub WHERE id = $1`, [id]);
      return h?.state === 'completed';
    });
    await until('active in 11 only', async () => {
      const rows = await national.db.query(
        `SELECT province_code FROM national_teacher WHERE id_number = $1 AND active ORDER BY 1`,
        [idOf(record)],
      );
      return rows.length === 1 && rows[0].province_code === '11';
    });
    const inFlight = await national.api('GET', '/cross-province-transfers', { token: tok.ministry });
    assert.equal(
      inFlight.body.some?.((x: { id: string }) => x.id === id),
      false,
      JSON.stringify(inFlight.body),
    );
    const mob = await national.api('GET', '/stats/mobility', { token: tok.ministry });
    assert.equal(mob.status, 200);
    assert.ok(
      mob.body.crossProvince?.some((f: any) => f.fromProvince === '44' && f.toProvince === '11' && f.transfers >= 1),
      JSON.stringify(mob.body),
    );
    // Each province counts it in its own mobility figures.
    const m11 = await p11.api('GET', '/stats/mobility', { token: tok.c11 });
    assert.ok(m11.body.totals?.transfersIn >= 1, JSON.stringify(m11.body));
  });

  it('refusal at the sending school ends the case on both sides with its reason', async () => {
    const { record } = await teacherOf44();
    const id = await requestFrom11(record);
    await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    assert.equal((await act(p44, tok.s44, id, 'refuse')).status, 400);
    assert.equal((await act(p44, tok.s44, id, 'refuse', '骨干教师，暂不同意')).body.state, 'refused');
    const at11 = await stateAt(p11, tok.s11, id, 'refused');
    assert.match(at11.trail.at(-1).reason, /44: 骨干教师，暂不同意/);
    assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 0);
  });

  it('a teacher unknown in 44 is refused by 44; a teacher active in another province is refused by national', async () => {
    const stranger = validRecord();
    const id = await requestFrom11(stranger);
    const r = await stateAt(p11, tok.s11, id, 'refused');
    assert.match(r.trail.at(-1).reason, /^44: No teacher in post/);

    const { id: id44, record } = await teacherOf44();
    await until(
      'the record at national',
      async () => (await national.count(`SELECT count(*) FROM national_teacher WHERE teacher_id = $1`, [id44])) === 1,
    );
    // The same person also active in province 12 (as the national roll-up holds it).
    await national.db.query(
      `INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, catalogue_version, reported_version, last_sequence)
       SELECT gen_random_uuid(), '12', unit_code, id_type, id_number, name, '01', true, record, catalogue_version, 1, 0 FROM national_teacher WHERE teacher_id = $1`,
      [id44],
    );
    const id2 = await requestFrom11(record);
    const r2 = await stateAt(p11, tok.s11, id2, 'refused');
    assert.match(r2.trail.at(-1).reason, /^national: .*province 12/);
    assert.equal(await p44.count(`SELECT count(*) FROM transfer WHERE id = $1`, [id2]), 0, '44 never saw it');
  });

  it('timeout: a case 44 leaves unanswered expires on both sides; a forged message from 11 for 44’s step changes nothing', async () => {
    const { record } = await teacherOf44();
    const id = await requestFrom11(record);
    await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    // Province 11 claims 44's confirmation: national dead-letters it (the sender is the transport's).
    const wire = `{"federation":1,"id":"${crypto.randomUUID()}","type":"transfer.cross.confirm","from":"11","to":"national","key":"${id}","sentAt":"x","payload":{"transferId":"${id}","record":{}}}`;
    assert.equal(
      await national.node.app.get(FederationReceiver).receive(wire, { from: '11', channel: 'test' }),
      'dead-letter',
    );
    await national.db.query(`UPDATE transfer_hub SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    const at11 = await stateAt(p11, tok.s11, id, 'expired');
    assert.match(at11.trail.at(-1).reason, /No answer from province 44/);
    await stateAt(p44, tok.s44, id, 'expired');
    assert.equal((await act(p44, tok.s44, id, 'approve')).status, 409, 'nothing to act on any more');
  });

  /** The hub's row of a saga (national's own state). */
  const hubRow = async (id: string) =>
    (await national.db.query(`SELECT state, step, reason FROM transfer_hub WHERE id = $1`, [id]))[0] as
      { state: string; step: string; reason: string | null } | undefined;
  const dbState = async (n: TestNode, id: string) =>
    ((await n.db.query(`SELECT state FROM transfer WHERE id = $1`, [id]))[0]?.state as string | undefined) ?? null;

  it('effective date ahead: after the four steps the case is approved on both provinces and scheduled at national; on the date (the job, across a restart of 11) 11 registers the record and 44 marks it transferred out, once', async () => {
    const { id: id44, record } = await teacherOf44();
    const id = await requestFrom11(record, inDays(10));
    await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    assert.equal((await act(p44, tok.s44, id, 'approve')).body.state, 'awaiting_sending_department');
    const confirmed = await act(p44, tok.c44, id, 'approve');
    assert.deepEqual(
      [confirmed.body.state, confirmed.body.mayApprove, confirmed.body.mayRefuse, confirmed.body.mayWithdraw],
      ['approved', false, false, false],
    );
    const at11 = await stateAt(p11, tok.s11, id, 'approved');
    assert.equal(at11.effectiveDate, inDays(10));
    assert.deepEqual(
      [at11.mayApprove, at11.mayRefuse, at11.mayWithdraw],
      [false, false, false],
      'too late to withdraw',
    );
    assert.equal((await act(p11, tok.s11, id, 'withdraw')).status, 409);
    // The ministry sees it scheduled, in flight.
    const flight = await until('scheduled at national', async () => {
      const r = await national.api('GET', '/cross-province-transfers', { token: tok.ministry });
      const x = r.body.find?.((y: { id: string }) => y.id === id);
      return x?.step === 'scheduled' ? x : null;
    });
    assert.equal(flight.state, 'in_flight');
    assert.equal(flight.effectiveDate, inDays(10));
    // Nothing has moved yet: no record at 11, the teacher in post at 44; reading again changes nothing.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await caseAt(p11, tok.s11, id)).body.state, 'approved');
    assert.equal((await caseAt(p44, tok.s44, id)).body.state, 'approved');
    assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 0);
    assert.equal(await p44.count(`SELECT count(*) FROM teacher WHERE id = $1 AND active`, [id44]), 1);

    // 11 goes down; the date comes meanwhile (moved here, on 11's case); 11 comes back and its job applies it.
    await p11.close();
    const c = new (await import('pg')).default.Client({ connectionString: dbs[1].url });
    await c.connect();
    await c.query(`UPDATE transfer SET effective_date = current_date WHERE id = $1`, [id]);
    await c.end();
    p11 = await start11();
    await p44.db.query(`UPDATE transfer SET effective_date = current_date WHERE id = $1`, [id]);
    // Watched in the databases only (no HTTP read, which would also apply it): the job does it.
    await until('11 completed by its job', async () => (await dbState(p11, id)) === 'completed', 60000);
    await until('44 completed', async () => (await dbState(p44, id)) === 'completed', 60000);
    await until('the hub completed', async () => (await hubRow(id))?.state === 'completed');
    assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1 AND active`, [idOf(record)]), 1);
    assert.equal(
      await p11.count(
        `SELECT count(*) FROM teacher_change c JOIN teacher t ON t.id = c.teacher_id WHERE t.id_number = $1 AND c.action = 'transfer-in-province'`,
        [idOf(record)],
      ),
      1,
    );
    assert.equal(await p44.count(`SELECT count(*) FROM teacher WHERE id = $1 AND person_status = '08'`, [id44]), 1);
    assert.equal(
      await p44.count(`SELECT count(*) FROM teacher_change WHERE teacher_id = $1 AND action = 'status-change'`, [id44]),
      1,
    );
    const trail = (await caseAt(p11, tok.s11, id)).body.trail.map((e: { action: string }) => e.action);
    assert.deepEqual(trail.slice(-2), ['confirmed', 'take-effect']);
  });

  it('withdrawal after 11’s approval: it travels through national, 44’s case ends withdrawn, the hub lists it ended', async () => {
    const { id: id44, record } = await teacherOf44();
    const id = await requestFrom11(record);
    const at44 = await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    assert.equal(at44.mayWithdraw, false, 'the sending side does not withdraw');
    // The case waits for 44's school: on its to-do list, and on no one else's.
    const todo = async (n: TestNode, tk: string) =>
      ((await n.api('GET', '/todo', { token: tk })).body.items as { kind: string; count: number }[]).find(
        (x) => x.kind === 'transfers-waiting',
      )?.count ?? 0;
    assert.ok((await todo(p44, tok.s44)) >= 1);
    assert.equal(await todo(p11, tok.s11), 0);
    const waiting11 = await caseAt(p11, tok.s11, id);
    assert.deepEqual([waiting11.body.state, waiting11.body.mayWithdraw], ['awaiting_other_province', true]);
    assert.equal((await act(p11, tok.c11, id, 'withdraw')).status, 403, 'only the applicant school withdraws');
    const w = await act(p11, tok.s11, id, 'withdraw', '教师本人放弃调动');
    assert.equal(w.status, 200, JSON.stringify(w.body));
    assert.deepEqual([w.body.state, w.body.mayWithdraw], ['withdrawing', false]);
    const done11 = await stateAt(p11, tok.s11, id, 'withdrawn');
    assert.match(done11.trail.at(-1).reason, /11: 教师本人放弃调动/);
    const done44 = await stateAt(p44, tok.s44, id, 'withdrawn');
    assert.deepEqual([done44.mayApprove, done44.mayRefuse], [false, false]);
    assert.equal((await act(p44, tok.s44, id, 'approve')).status, 409, 'nothing left to agree to');
    assert.equal((await hubRow(id))?.state, 'withdrawn');
    const inFlight = await national.api('GET', '/cross-province-transfers', { token: tok.ministry });
    assert.equal(
      inFlight.body.some((x: { id: string }) => x.id === id),
      false,
    );
    const ended = await national.api('GET', '/cross-province-transfers?state=withdrawn', { token: tok.ministry });
    assert.equal(ended.body.find((x: { id: string }) => x.id === id)?.step, 'done');
    assert.equal(await p44.count(`SELECT count(*) FROM teacher WHERE id = $1 AND active`, [id44]), 1);
    assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 0);
  });

  it('a withdrawal racing 44’s confirmation: whichever reaches national first wins, and all three nodes show that one outcome', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 3; round++) {
      const { id: id44, record } = await teacherOf44();
      const id = await requestFrom11(record, inDays(5));
      await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
      assert.equal((await act(p44, tok.s44, id, 'approve')).status, 200);
      // Round 0 withdraws first; round 1 withdraws once national has the confirmation (11 may not have it
      // yet); round 2 sends both at once.
      const withdraw = () => act(p11, tok.s11, id, 'withdraw', '放弃');
      const confirm = () => act(p44, tok.c44, id, 'approve');
      const [w, c] =
        round === 0
          ? // The withdrawal is at national before 44 confirms (the two relays race otherwise).
            [
              await withdraw().then(async (w0) => {
                await until('the withdrawal at national', async () => (await hubRow(id))?.state === 'withdrawn');
                return w0;
              }),
              await confirm(),
            ]
          : round === 1
            ? await confirm().then(async (c1) => {
                await until('the confirmation at national', async () => (await hubRow(id))?.step === 'scheduled');
                return [await withdraw(), c1];
              })
            : await Promise.all([withdraw(), confirm()]);
      // In round 0, 44 may already have been told of the withdrawal: its confirmation is then refused.
      assert.ok(round === 0 ? [200, 409].includes(c.status) : c.status === 200, JSON.stringify(c.body));
      assert.ok([200, 409].includes(w.status), JSON.stringify(w.body));
      const hub = await until('national decided', async () => {
        const h = await hubRow(id);
        return h && (h.state === 'withdrawn' || h.step === 'scheduled') ? h : null;
      });
      const outcome = hub.state === 'withdrawn' ? 'withdrawn' : 'approved';
      outcomes.push(outcome);
      await stateAt(p11, tok.s11, id, outcome);
      await stateAt(p44, tok.s44, id, outcome);
      // And it stays so: nothing further arrives to change either side.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await dbState(p11, id), outcome);
      assert.equal(await dbState(p44, id), outcome);
      assert.equal((await hubRow(id))?.state, outcome === 'withdrawn' ? 'withdrawn' : 'in_flight');
      assert.equal(await p44.count(`SELECT count(*) FROM teacher WHERE id = $1 AND active`, [id44]), 1);
      if (round === 0) assert.equal(outcome, 'withdrawn', 'the withdrawal reached national first');
      if (round === 1) assert.equal(outcome, 'approved', 'the confirmation reached national first');
      if (round === 1 && w.status === 200) {
        // 11 had not heard of the confirmation yet: its withdrawal reached national after it, and came too late.
        assert.match((await caseAt(p11, tok.s11, id)).body.trail.at(-1).reason, /withdrawal came too late/);
      }
      if (outcome === 'approved') {
        // Ended here by a refusal-free path: 11's school may not withdraw any more.
        assert.equal((await act(p11, tok.s11, id, 'withdraw')).status, 409);
      }
    }
    assert.equal(outcomes.length, 3);
    console.log(`# race outcomes (withdraw first, confirm first, both at once): ${outcomes.join(', ')}`);
  });

  it('a record that does not validate at 11: 11 refuses it with the reasons, 44 keeps its teacher, every node shows it refused', async () => {
    const { id: id44, record } = await teacherOf44();
    const id = await requestFrom11(record);
    await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    // The record 44 holds is not valid by 11's rules (here: a sex code no catalogue has, as a code that 11's
    // catalogue version retired would be).
    await p44.db.query(`UPDATE teacher SET record = jsonb_set(record, '{basic,sex}', '"7"') WHERE id = $1`, [id44]);
    assert.equal((await act(p44, tok.s44, id, 'approve')).status, 200);
    assert.equal((await act(p44, tok.c44, id, 'approve')).body.state, 'approved');
    const at11 = await stateAt(p11, tok.s11, id, 'refused');
    const reason11 = at11.trail.at(-1).reason as string;
    assert.match(reason11, /does not validate in province 11: record\.basic\.sex/);
    assert.match(reason11, /不符合本省/);
    const at44 = await stateAt(p44, tok.s44, id, 'refused');
    assert.match(at44.trail.at(-1).reason, /^11: The record reported by province 44 does not validate/);
    const hub = await until('the hub refused', async () => {
      const h = await hubRow(id);
      return h?.state === 'refused' ? h : null;
    });
    assert.match(hub.reason!, /^11: .*record\.basic\.sex/);
    const listed = await national.api('GET', '/cross-province-transfers?state=refused', { token: tok.ministry });
    assert.match(listed.body.find((x: { id: string }) => x.id === id)?.reason ?? '', /record\.basic\.sex/);
    // 44 keeps its teacher in post; 11 has no record; nothing was dead-lettered for this case.
    await new Promise((r) => setTimeout(r, 1000));
    const [rec44] = await p44.db.query(`SELECT person_status, active FROM teacher WHERE id = $1`, [id44]);
    assert.deepEqual([rec44.person_status, rec44.active], ['01', true]);
    assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 0);
    for (const n of [national, p11, p44])
      assert.equal(
        await n.count(`SELECT count(*) FROM federation_dead_letter WHERE raw LIKE $1`, [`%${id}%`]),
        0,
        `nothing of this case dead-lettered on ${n.province}`,
      );
  });

  it('a restart of the receiving node mid-transfer: the transfer completes exactly once', async () => {
    const { id: id44, record } = await teacherOf44();
    const id = await requestFrom11(record);
    await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
    await p11.close();
    assert.equal((await act(p44, tok.s44, id, 'approve')).status, 200);
    assert.equal((await act(p44, tok.c44, id, 'approve')).status, 200);
    await until('national sent the approval', async () => {
      const [h] = await national.db.query(`SELECT step FROM transfer_hub WHERE id = $1`, [id]);
      return h?.step === 'at_receiving_province';
    });
    p11 = await start11();
    await stateAt(p11, tok.s11, id, 'completed');
    await stateAt(p44, tok.s44, id, 'completed');
    // The approval delivered again (at least once): acknowledged, nothing created twice.
    const [msg] = await national.db.query(
      `SELECT message_id::text AS id, key, payload::text AS payload FROM federation_outbox WHERE type = 'transfer.cross.approved' AND key = $1`,
      [id],
    );
    const wire = `{"federation":1,"id":"${msg.id}","type":"transfer.cross.approved","from":"national","to":"11","key":"${msg.key}","sentAt":"x","payload":${msg.payload}}`;
    assert.equal(
      await p11.node.app.get(FederationReceiver).receive(wire, { from: 'national', channel: 'test' }),
      'duplicate',
    );
    assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 1);
    assert.equal(
      await p11.count(
        `SELECT count(*) FROM teacher_change c JOIN teacher t ON t.id = c.teacher_id WHERE t.id_number = $1 AND c.action = 'transfer-in-province'`,
        [idOf(record)],
      ),
      1,
    );
    assert.equal(await p44.count(`SELECT count(*) FROM teacher WHERE id = $1 AND person_status = '08'`, [id44]), 1);
    assert.equal(
      await national.count(`SELECT count(*) FROM transfer_hub WHERE id = $1 AND state = 'completed'`, [id]),
      1,
    );
  });
  // Last in this file: the broker goes down twice while one transfer is in flight.
  it(
    'a broker outage mid-transfer: both nodes keep working locally, the transfer completes exactly once and reconciliation is equal',
    { skip: skipOutage },
    async () => {
      const { id: id44, record } = await teacherOf44();
      await until(
        'the record at national',
        async () => (await national.count(`SELECT count(*) FROM national_teacher WHERE teacher_id = $1`, [id44])) === 1,
      );
      const unpublished = (n: TestNode, id: string) =>
        n.count(`SELECT count(*) FROM federation_outbox WHERE key = $1 AND published_at IS NULL`, [id]);
      let id = '';
      let id2 = '';
      let down = false;
      const stop = async () => {
        down = true;
        await broker('stop');
      };
      const start = async () => {
        await broker('start');
        down = false;
      };
      try {
        // Outage 1: right after 11's department approved (its request may or may not have left yet).
        id = await requestFrom11(record);
        await stop();
        // 11 keeps working while the broker is down: a second case is applied and approved locally.
        const other = await teacherOf44();
        id2 = await requestFrom11(other.record);
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await unpublished(p11, id2), 1, "11's request waits in its outbox");
        await start();
        await stateAt(p44, tok.s44, id, 'awaiting_sending_school');
        await stateAt(p44, tok.s44, id2, 'awaiting_sending_school');
        assert.equal((await act(p44, tok.s44, id, 'approve')).body.state, 'awaiting_sending_department');
        // Outage 2: 44's department confirms while the broker is down; the confirmation waits in 44's outbox.
        await stop();
        const confirm = await act(p44, tok.c44, id, 'approve');
        assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
        assert.equal(confirm.body.state, 'approved');
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(await unpublished(p44, id), 1, "44's confirmation waits in its outbox");
        assert.equal(
          (await caseAt(p11, tok.s11, id)).body.state,
          'awaiting_other_province',
          '11 has heard nothing yet',
        );
        // 44 refuses the second case meanwhile (locally too).
        assert.equal((await act(p44, tok.s44, id2, 'refuse', '暂不同意')).body.state, 'refused');
      } finally {
        if (down) await start();
      }
      await stateAt(p11, tok.s11, id, 'completed');
      await stateAt(p44, tok.s44, id, 'completed');
      // The case 44 refused while the broker was down reaches 11 too.
      assert.match((await stateAt(p11, tok.s11, id2, 'refused')).trail.at(-1).reason, /44: 暂不同意/);
      await until('the outboxes drained', async () =>
        (await Promise.all([national, p11, p44].map((n) => unpublished(n, id)))).every((c) => c === 0),
      );
      await until('the hub completed', async () => {
        const [h] = await national.db.query(`SELECT state FROM transfer_hub WHERE id = $1`, [id]);
        return h?.state === 'completed';
      });
      // Exactly once: one record at 11 (one transfer-in), 44's teacher marked transferred out once, one hub row.
      assert.equal(await p11.count(`SELECT count(*) FROM teacher WHERE id_number = $1`, [idOf(record)]), 1);
      assert.equal(
        await p11.count(
          `SELECT count(*) FROM teacher_change c JOIN teacher t ON t.id = c.teacher_id WHERE t.id_number = $1 AND c.action = 'transfer-in-province'`,
          [idOf(record)],
        ),
        1,
      );
      assert.equal(await p44.count(`SELECT count(*) FROM teacher WHERE id = $1 AND person_status = '08'`, [id44]), 1);
      assert.equal(
        await p44.count(`SELECT count(*) FROM teacher_change WHERE teacher_id = $1 AND action = 'status-change'`, [
          id44,
        ]),
        1,
        'marked transferred out once',
      );
      assert.equal(await national.count(`SELECT count(*) FROM transfer_hub WHERE id = $1`, [id]), 1);
      // Every message of this case was sent once (one outbox row per type and destination) and is in its
      // destination's inbox once: nothing lost, nothing doubled.
      const nodes = { national, '11': p11, '44': p44 } as Record<string, TestNode>;
      const sent: { from: string; to: string; type: string; mid: string }[] = [];
      for (const [from, n] of Object.entries(nodes)) {
        const rows = await n.db.query(
          `SELECT destination, type, message_id::text AS mid FROM federation_outbox WHERE key = $1 ORDER BY seq`,
          [id],
        );
        for (const r of rows) sent.push({ from, to: r.destination, type: r.type, mid: r.mid });
      }
      const kinds = sent.map((m) => `${m.from}>${m.to}:${m.type}`);
      assert.equal(new Set(kinds).size, kinds.length, `a message sent twice: ${kinds.join(', ')}`);
      assert.ok(sent.length >= 4, kinds.join(', '));
      for (const m of sent) {
        const [row] = await nodes[m.to].db.query(
          `SELECT count(*)::int AS n, min(source) AS source, min(type) AS type, min(outcome) AS outcome FROM federation_inbox WHERE message_id = $1`,
          [m.mid],
        );
        assert.deepEqual(
          [row.n, row.source, row.type, row.outcome],
          [1, m.from, m.type, 'applied'],
          `${m.from}>${m.to}:${m.type} in the inbox once`,
        );
      }
      for (const n of Object.values(nodes))
        assert.equal(
          await n.count(`SELECT count(*) FROM federation_dead_letter WHERE message_id = ANY($1::uuid[])`, [
            sent.map((m) => m.mid),
          ]),
          0,
          `nothing of this case dead-lettered on ${n.province}`,
        );
      // National: the teacher active in 11 only, once both records have synced.
      await until(
        'active in 11 only',
        async () => {
          const rows = await national.db.query(
            `SELECT province_code FROM national_teacher WHERE id_number = $1 AND active ORDER BY 1`,
            [idOf(record)],
          );
          return rows.length === 1 && rows[0].province_code === '11';
        },
        60000,
      );
      // Reconciliation afterwards: each province equal to what national holds of it.
      for (const n of [p11, p44]) {
        const pt = await n.tokenFor(await n.account(await n.province_(), Role.InfoAdmin));
        const eq = await until(
          `reconciliation equal for ${n.province}`,
          async () => {
            const r = await reconcile(n, national, pt, tok.ministry);
            return r.equal ? r : null;
          },
          60000,
        ).catch(async (e: Error) => {
          throw new Error(`${e.message}: ${JSON.stringify(await reconcile(n, national, pt, tok.ministry))}`);
        });
        assert.equal(eq.provinceTotal, eq.nationalTotal);
        assert.ok(eq.provinceTotal >= 1);
        assert.deepEqual(eq.differingSchools, []);
      }
    },
  );
});

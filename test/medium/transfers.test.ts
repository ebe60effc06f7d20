import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

const today = () => new Date().toISOString().slice(0, 10);
const inDays = (n: number) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);

describe('transfers (Art. 23) and exchange rotation (Art. 24) within a province', () => {
  let t: TestNode;
  let city: OrgUnitEntity;
  let countyA: OrgUnitEntity;
  let countyB: OrgUnitEntity;
  let countyC: OrgUnitEntity;
  let s1: OrgUnitEntity; // county A, sending school
  let s2: OrgUnitEntity; // county A
  let s3: OrgUnitEntity; // county B, receiving school
  let sC: OrgUnitEntity; // county C: out of everyone's way
  const tok: Record<string, string> = {};

  before(async () => {
    t = await TestNode.start('provincial');
    city = await t.newCity();
    countyA = await t.newCounty(city);
    countyB = await t.newCounty(city);
    countyC = await t.newCounty();
    s1 = await t.newSchool(countyA, '21');
    s2 = await t.newSchool(countyA, '31');
    s3 = await t.newSchool(countyB, '34');
    sC = await t.newSchool(countyC, '21');
    // s3 is a rural school: the mobility figures by urban/rural must show it.
    await t.db.query(`UPDATE org_unit SET urban_rural = '220' WHERE id = $1`, [s3.id]);
    const info = (u: OrgUnitEntity) => t.account(u, Role.InfoAdmin).then((a) => t.tokenFor(a));
    // One login after the other: a loaded machine's password-hash queue refuses a burst (AUTH_BUSY).
    for (const [k, u] of [
      ['s1', s1],
      ['s2', s2],
      ['s3', s3],
      ['sC', sC],
      ['a', countyA],
      ['b', countyB],
      ['c', countyC],
      ['city', city],
    ] as const)
      tok[k] = await info(u);
    tok.province = await info(await t.province_());
    tok.cityQuery = await t.tokenFor(await t.account(city, Role.Query));
  });
  after(() => t.close());

  /** A reported record at `school` (school admin `schoolTok`, county admin `countyTok`). */
  async function reportedTeacher(school: OrgUnitEntity, schoolTok: string, countyTok: string, over = {}) {
    const record = validRecord(over);
    const r = await t.api('POST', '/teachers', { token: schoolTok, body: { unitId: school.id, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id as string;
    const step = (tk: string, action: string, body: object) =>
      t.api('POST', `/teachers/${id}/review/${action}`, { token: tk, body: { version: 1, ...body } });
    assert.equal((await step(schoolTok, 'submit', {})).status, 200);
    assert.equal(
      (await step(schoolTok, 'school-approve', { participants: ['王校长', '李老师'], principal: '王校长' })).status,
      200,
    );
    const rep = await step(countyTok, 'department-approve', {});
    assert.equal(rep.status, 200, JSON.stringify(rep.body));
    return { id, record };
  }
  const act = (tk: string, id: string, action: string, reason?: string) =>
    t.api('POST', `/transfers/${id}/${action}`, { token: tk, body: reason === undefined ? {} : { reason } });
  const apply = (tk: string, body: Record<string, unknown>) => t.api('POST', '/transfers', { token: tk, body });
  const teacherRow = async (id: string) =>
    (await t.db.query(`SELECT unit_id, version, review_state, reported_version FROM teacher WHERE id = $1`, [id]))[0];

  it('happy path: receiving school → its department → sending school → its department; the record moves, keeps its history, is re-reported', async () => {
    const { id, record } = await reportedTeacher(s1, tok.s1, tok.a, {
      professionalTitle: [{ title: '013', startMonth: '2015-09' }],
    });
    const before = await teacherRow(id);
    const applied = await apply(tok.s3, {
      idNumber: idOf(record),
      toUnitId: s3.id,
      newPost: '高中数学教师',
      effectiveDate: today(),
      reason: '工作需要',
    });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const tr = applied.body;
    assert.equal(tr.state, 'awaiting_receiving_department');
    assert.deepEqual(tr.waitingFor, { side: 'receiving', level: 'department' });
    assert.deepEqual([tr.mayApprove, tr.mayRefuse, tr.mayWithdraw], [false, false, true]);
    assert.equal(tr.from.id, s1.id);
    assert.equal(tr.to.id, s3.id);

    // Hints differ per caller: county B acts now, county A and school 1 not yet.
    const asB = await t.api('GET', `/transfers/${tr.id}`, { token: tok.b });
    assert.deepEqual([asB.body.mayApprove, asB.body.mayRefuse, asB.body.mayWithdraw], [true, true, false]);
    const early = await act(tok.s1, tr.id, 'approve');
    assert.equal(early.status, 403);
    assert.equal(early.body.code, 'TRANSFER_NOT_YOUR_STEP');
    assert.ok(early.body.titleZh ?? early.body.title);

    let r = await act(tok.b, tr.id, 'approve');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'awaiting_sending_school');
    assert.equal(r.body.mayApprove, false, 'county B has no step at the sending school');
    const asS1 = await t.api('GET', `/transfers/${tr.id}`, { token: tok.s1 });
    assert.deepEqual([asS1.body.mayApprove, asS1.body.mayRefuse], [true, true]);
    r = await act(tok.s1, tr.id, 'approve');
    assert.equal(r.body.state, 'awaiting_sending_department');
    assert.equal((await teacherRow(id)).unit_id, s1.id, 'nothing moves before the last step');
    r = await act(tok.a, tr.id, 'approve', '同意调出');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.state, 'completed');
    assert.ok(r.body.movedAt);
    assert.deepEqual(
      r.body.trail.map((e: { action: string }) => e.action),
      ['apply', 'receiving-department-approve', 'sending-school-agree', 'sending-department-confirm', 'take-effect'],
    );

    const moved = await teacherRow(id);
    assert.equal(moved.unit_id, s3.id);
    assert.equal(moved.review_state, 'reported');
    assert.equal(moved.reported_version, moved.version, 're-reported at its new version');
    assert.equal(moved.version, before.version + 1);
    const [{ n: teachersWithThisId }] = await t.db.query(
      `SELECT count(*)::int AS n FROM teacher WHERE id_number = $1`,
      [idOf(record)],
    );
    assert.equal(teachersWithThisId, 1, 'one person, one record');
    // The national node learns the new unit through the outbox, as for any reported change.
    const [out] = await t.db.query(
      `SELECT payload FROM sync_outbox WHERE type = 'teacher.upserted' AND key = $1 ORDER BY sequence DESC LIMIT 1`,
      [id],
    );
    assert.equal(out.payload.unitCode, s3.code);
    // The receiving school reads the record and its whole history; the sending school no longer can.
    const hist = await t.api('GET', `/teachers/${id}/history`, { token: tok.s3 });
    assert.equal(hist.status, 200);
    assert.deepEqual(
      hist.body.map((h: { action: string }) => h.action).slice(0, 1),
      ['create'],
      'history from the first registration',
    );
    assert.equal(hist.body.at(-1).action, 'transfer-in');
    assert.equal((await t.api('GET', `/teachers/${id}`, { token: tok.s1 })).status, 403);
    // The sending school sees the teacher transferred out; the receiving school transferred in.
    const out1 = await t.api('GET', '/transfers?direction=out&state=completed', { token: tok.s1 });
    assert.ok(out1.body.items.some((x: { id: string }) => x.id === tr.id));
    const in3 = await t.api('GET', '/transfers?direction=in&state=completed', { token: tok.s3 });
    assert.ok(in3.body.items.some((x: { id: string }) => x.id === tr.id));
    assert.equal(
      (await t.api('GET', '/transfers?direction=in', { token: tok.s1 })).body.items.some(
        (x: { id: string }) => x.id === tr.id,
      ),
      false,
    );
  });

  it('each step may refuse, with a reason; the refusal ends the case', async () => {
    for (const [stepTok, reached] of [
      ['b', []],
      ['s1', ['b']],
      ['a', ['b', 's1']],
    ] as const) {
      const { id } = await reportedTeacher(s1, tok.s1, tok.a);
      const tr = (await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' })).body;
      for (const k of reached) assert.equal((await act(tok[k], tr.id, 'approve')).status, 200);
      const noReason = await act(tok[stepTok], tr.id, 'refuse');
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.code, 'TRANSFER_REASON_REQUIRED');
      assert.equal(noReason.body.errors[0].path, 'reason');
      const blank = await act(tok[stepTok], tr.id, 'refuse', '   ');
      assert.equal(blank.status, 400);
      const refused = await act(tok[stepTok], tr.id, 'refuse', '编制已满');
      assert.equal(refused.status, 200, JSON.stringify(refused.body));
      assert.equal(refused.body.state, 'refused');
      assert.equal(refused.body.trail.at(-1).reason, '编制已满');
      assert.deepEqual(
        [refused.body.mayApprove, refused.body.mayRefuse, refused.body.mayWithdraw],
        [false, false, false],
      );
      assert.equal((await act(tok[stepTok], tr.id, 'approve')).body.code, 'TRANSFER_ILLEGAL_STEP');
      assert.equal((await teacherRow(id)).unit_id, s1.id);
    }
  });

  it('the applicant may withdraw before the last step, not after; nobody else may', async () => {
    const { id } = await reportedTeacher(s1, tok.s1, tok.a);
    const tr = (await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: inDays(30), reason: '需要' }))
      .body;
    assert.equal((await act(tok.b, tr.id, 'approve')).status, 200);
    const notApplicant = await act(tok.s1, tr.id, 'withdraw');
    assert.equal(notApplicant.status, 403);
    const again = await apply(tok.s2, { teacherId: id, toUnitId: s2.id, effectiveDate: today(), reason: '另一申请' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'TRANSFER_ALREADY_OPEN');
    const w = await act(tok.s3, tr.id, 'withdraw', '不再需要');
    assert.equal(w.status, 200);
    assert.equal(w.body.state, 'withdrawn');

    // After the last step (a future effective date: approved, waiting for its date) withdrawal is refused.
    const tr2 = (await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: inDays(30), reason: '需要' }))
      .body;
    for (const k of ['b', 's1', 'a']) assert.equal((await act(tok[k], tr2.id, 'approve')).status, 200);
    const late = await act(tok.s3, tr2.id, 'withdraw');
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'TRANSFER_ILLEGAL_STEP');
    const approved = await t.api('GET', `/transfers/${tr2.id}`, { token: tok.s3 });
    assert.equal(approved.body.state, 'approved');
    assert.equal((await teacherRow(id)).unit_id, s1.id, 'the unit changes on the effective date, not before');
    // The date comes (moved back here: the clock of the test cannot wait a month): applied on the next read.
    await t.db.query(`UPDATE transfer SET effective_date = current_date WHERE id = $1`, [tr2.id]);
    const done = await t.api('GET', `/transfers/${tr2.id}`, { token: tok.s3 });
    assert.equal(done.body.state, 'completed');
    assert.equal((await teacherRow(id)).unit_id, s3.id);
  });

  it('a teacher under review or with an open change request cannot be transferred (409, zh/en)', async () => {
    const record = validRecord();
    const created = await t.api('POST', '/teachers', { token: tok.s1, body: { unitId: s1.id, record } });
    const id = created.body.id;
    await t.api('POST', `/teachers/${id}/review/submit`, { token: tok.s1, body: { version: 1 } });
    const inReview = await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' });
    assert.equal(inReview.status, 409);
    assert.equal(inReview.body.code, 'TRANSFER_TEACHER_IN_REVIEW');
    assert.match(inReview.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(inReview.body.title.includes('review'));
    assert.ok(JSON.stringify(inReview.body).includes('审核'));

    const rep = await reportedTeacher(s1, tok.s1, tok.a);
    const cr = await t.api('POST', `/teachers/${rep.id}/change-requests`, {
      token: tok.s1,
      body: { baseVersion: 1, changes: { basic: { formerName: '张旧名' } }, reason: '更正曾用名' },
    });
    assert.equal(cr.status, 201, JSON.stringify(cr.body));
    const blocked = await apply(tok.s3, { teacherId: rep.id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' });
    assert.equal(blocked.status, 409);
    assert.equal(blocked.body.code, 'TRANSFER_OPEN_CHANGE_REQUEST');
    // Settled (rejected), the transfer may go ahead.
    await t.api('POST', `/change-requests/${cr.body.id}/reject`, { token: tok.a, body: { reason: '无需更正' } });
    const ok = await apply(tok.s3, { teacherId: rep.id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  it('a case waiting past the province’s deadline is flagged on the to-do list; only the province sets it', async () => {
    const { id } = await reportedTeacher(s1, tok.s1, tok.a);
    const tr = (await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' })).body;
    assert.equal(tr.overdue, false);
    const days = (await t.api('GET', '/transfers/settings', { token: tok.b })).body.deadlineDays;
    assert.ok(days >= 1);
    await t.db.query(`UPDATE transfer SET state_since = now() - make_interval(days => $2) WHERE id = $1`, [
      tr.id,
      days + 1,
    ]);
    const todoB = await t.api('GET', '/transfers/todo', { token: tok.b });
    assert.equal(todoB.status, 200);
    assert.ok(todoB.body.waiting >= 1 && todoB.body.overdue >= 1, JSON.stringify(todoB.body));
    const waiting = await t.api('GET', '/transfers?waiting=true', { token: tok.b });
    const mine = waiting.body.items.find((x: { id: string }) => x.id === tr.id);
    assert.equal(mine.overdue, true);
    // County A has nothing to do on it yet.
    const waitingA = await t.api('GET', '/transfers?waiting=true', { token: tok.a });
    assert.equal(
      waitingA.body.items.some((x: { id: string }) => x.id === tr.id),
      false,
    );
    assert.equal((await t.api('PUT', '/transfers/settings', { token: tok.b, body: { deadlineDays: 5 } })).status, 403);
    const set = await t.api('PUT', '/transfers/settings', { token: tok.province, body: { deadlineDays: days + 30 } });
    assert.equal(set.status, 200);
    const later = await t.api('GET', `/transfers/${tr.id}`, { token: tok.b });
    assert.equal(later.body.overdue, false, 'a longer deadline: no longer overdue');
    await t.api('PUT', '/transfers/settings', { token: tok.province, body: { deadlineDays: days } });
  });

  it('the shared GET /todo lists the transfers and rotations at the caller’s step in its scope, overdue ones flagged; others see none', async () => {
    const todo = async (tk: string) => {
      const r = await t.api('GET', '/todo', { token: tk });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const items = r.body.items as { kind: string; count: number; overdue?: number; zh: string; en: string }[];
      return {
        total: r.body.total as number,
        transfers: items.find((x) => x.kind === 'transfers-waiting'),
        rotations: items.find((x) => x.kind === 'rotations-waiting'),
      };
    };
    const waitingFor = async (tk: string) =>
      (await t.api('GET', '/transfers?waiting=true&limit=200', { token: tk })).body.items as {
        kind: string;
        overdue: boolean;
      }[];
    // A transfer into county B (waits for B) and a rotation out of school 1 (waits for county A).
    const { id } = await reportedTeacher(s1, tok.s1, tok.a);
    const tr = (await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: inDays(5), reason: '需要' })).body;
    const { id: id2 } = await reportedTeacher(s1, tok.s1, tok.a);
    const rot = await apply(tok.s1, {
      kind: 'rotation',
      teacherId: id2,
      toUnitId: s3.id,
      effectiveDate: inDays(5),
      endDate: inDays(365),
      reason: '支教',
    });
    assert.equal(rot.status, 201, JSON.stringify(rot.body));
    const days = (await t.api('GET', '/transfers/settings', { token: tok.b })).body.deadlineDays;
    await t.db.query(`UPDATE transfer SET state_since = now() - make_interval(days => $2) WHERE id = $1`, [
      tr.id,
      days + 1,
    ]);

    // County B: its transfers (the same cases as GET /transfers?waiting=true), the overdue ones counted.
    const b = await todo(tok.b);
    const bWaiting = (await waitingFor(tok.b)).filter((x) => x.kind !== 'rotation' && x.kind !== 'rotation-transfer');
    assert.ok(b.transfers, JSON.stringify(b));
    assert.equal(b.transfers.count, bWaiting.length);
    assert.equal(b.transfers.overdue, bWaiting.filter((x) => x.overdue).length);
    assert.ok(b.transfers.overdue! >= 1);
    assert.ok(b.transfers.zh && b.transfers.en);
    // County A: the rotation waits for it (not overdue); the transfer into B is not its step.
    const a = await todo(tok.a);
    const aWaiting = await waitingFor(tok.a);
    assert.equal(a.rotations?.count, aWaiting.filter((x) => x.kind === 'rotation').length);
    assert.ok(a.rotations!.count >= 1);
    assert.equal(a.rotations!.overdue, aWaiting.filter((x) => x.kind === 'rotation' && x.overdue).length);
    // Outside the cases' scope (county C, a school elsewhere) and query users: nothing.
    for (const k of ['c', 'sC', 'cityQuery']) {
      const o = await todo(tok[k]);
      assert.equal(o.transfers, undefined, `${k}: ${JSON.stringify(o)}`);
      assert.equal(o.rotations, undefined, `${k}: ${JSON.stringify(o)}`);
    }
    // Once B takes its step the case leaves B's list (and reaches school 1's).
    const before = b.transfers.count;
    assert.equal((await act(tok.b, tr.id, 'approve')).status, 200);
    assert.equal((await todo(tok.b)).transfers?.count ?? 0, before - 1);
    assert.ok(((await todo(tok.s1)).transfers?.count ?? 0) >= 1);
    await act(tok.s3, tr.id, 'withdraw');
    await act(tok.s1, rot.body.id, 'withdraw');
  });

  it('cross-scope: other units can neither apply, read nor act', async () => {
    const { id, record } = await reportedTeacher(s1, tok.s1, tok.a);
    // School C applies for a transfer into school 3: not its school.
    const notMine = await apply(tok.sC, {
      idNumber: idOf(record),
      toUnitId: s3.id,
      effectiveDate: today(),
      reason: 'x',
    });
    assert.equal(notMine.status, 403);
    assert.equal(notMine.body.code, 'OUT_OF_SCOPE');
    // A department does not apply; a query user neither.
    assert.equal(
      (await apply(tok.b, { teacherId: id, toUnitId: s3.id, effectiveDate: today(), reason: 'x' })).status,
      403,
    );
    const tr = (await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' })).body;
    for (const k of ['sC', 'c', 's2']) {
      const read = await t.api('GET', `/transfers/${tr.id}`, { token: tok[k] });
      assert.equal(read.status, 403, k);
      assert.equal(read.body.code, 'OUT_OF_SCOPE');
      assert.equal((await act(tok[k], tr.id, 'approve')).status, 403);
      assert.equal(
        (await t.api('GET', '/transfers', { token: tok[k] })).body.items.some((x: { id: string }) => x.id === tr.id),
        false,
      );
    }
    // County C is no receiving department of school 3.
    assert.equal((await act(tok.c, tr.id, 'refuse', '无权')).status, 403);
  });

  it('a teacher who left and comes back is re-registered on the same record', async () => {
    const { id, record } = await reportedTeacher(s1, tok.s1, tok.a);
    const left = await t.api('POST', `/teachers/${id}/status`, {
      token: tok.s1,
      body: { version: 1, personStatus: '04', effectiveDate: today() },
    });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    // Left: a transfer is the wrong tool.
    const tr = await apply(tok.s3, { teacherId: id, toUnitId: s3.id, effectiveDate: today(), reason: '需要' });
    assert.equal(tr.status, 409);
    assert.equal(tr.body.code, 'TRANSFER_TEACHER_INACTIVE');
    const back = await t.api('POST', '/teachers', {
      token: tok.s3,
      body: { unitId: s3.id, record: { ...record, basic: { ...(record.basic as object), personStatus: '01' } } },
    });
    assert.equal(back.status, 201, JSON.stringify(back.body));
    assert.equal(back.body.id, id, 'the same record');
    const row = await teacherRow(id);
    assert.equal(row.unit_id, s3.id);
    assert.equal(row.review_state, 'draft');
    const hist = await t.api('GET', `/teachers/${id}/history`, { token: tok.s3 });
    const actions = hist.body.map((h: { action: string }) => h.action);
    assert.equal(actions[0], 'create');
    assert.ok(actions.includes('status-change'));
    assert.equal(actions.at(-1), 're-register');
    // An active teacher is still a duplicate, and the message points at the transfer route.
    const dup = await t.api('POST', '/teachers', { token: tok.s2, body: { unitId: s2.id, record } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'TEACHER_DUPLICATE');
    assert.match(dup.body.detail, /POST \/transfers/);
  });

  it('rotation without a change of personnel relation: sending school → its department; sub-set 16 filled; hosted while serving; closed at the end', async () => {
    const { id } = await reportedTeacher(s1, tok.s1, tok.a);
    const noEnd = await apply(tok.s1, {
      kind: 'rotation',
      teacherId: id,
      toUnitId: s3.id,
      effectiveDate: today(),
      reason: '支教',
    });
    assert.equal(noEnd.status, 400);
    assert.equal(noEnd.body.code, 'TRANSFER_PERIOD_REQUIRED');
    // The receiving side does not apply for a rotation.
    assert.equal(
      (
        await apply(tok.s3, {
          kind: 'rotation',
          teacherId: id,
          toUnitId: s3.id,
          effectiveDate: today(),
          endDate: inDays(365),
          reason: 'x',
        })
      ).status,
      403,
    );
    const rot = await apply(tok.s1, {
      kind: 'rotation',
      teacherId: id,
      toUnitId: s3.id,
      effectiveDate: today(),
      endDate: inDays(365),
      rotationKind: '1',
      reason: '城乡交流',
    });
    assert.equal(rot.status, 201, JSON.stringify(rot.body));
    assert.equal(rot.body.state, 'awaiting_sending_department');
    assert.equal((await act(tok.b, rot.body.id, 'approve')).status, 403, 'the host’s department has no step');
    const ok = await act(tok.a, rot.body.id, 'approve');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.state, 'serving');
    const row = await teacherRow(id);
    assert.equal(row.unit_id, s1.id, 'stays on the sending school’s record');
    assert.equal(row.review_state, 'reported');
    const rec = (await t.api('GET', `/teachers/${id}`, { token: tok.s1 })).body;
    const entries = rec.record.exchangeRotation;
    assert.equal(entries.length, 1);
    assert.deepEqual(
      [entries[0].kind, entries[0].startDate, entries[0].endDate, entries[0].toUnit, entries[0].relationChanged],
      ['1', today(), inDays(365), s3.name, false],
    );
    const hosted = await t.api('GET', '/rotations/hosted', { token: tok.s3 });
    assert.ok(hosted.body.some((x: { teacher: { id: string } }) => x.teacher.id === id));
    assert.equal(
      (await t.api('GET', '/rotations/hosted', { token: tok.s2 })).body.some(
        (x: { teacher: { id: string } }) => x.teacher.id === id,
      ),
      false,
    );
    // Counted once: the teacher stays one active record, at the sending school.
    assert.equal(await t.count(`SELECT count(*) FROM teacher WHERE id = $1 AND unit_id = $2`, [id, s1.id]), 1);
    // The end date comes: closed, no longer hosted.
    await t.db.query(`UPDATE transfer SET end_date = current_date WHERE id = $1`, [rot.body.id]);
    const closed = await t.api('GET', `/transfers/${rot.body.id}`, { token: tok.s1 });
    assert.equal(closed.body.state, 'completed');
    assert.ok(closed.body.closedAt);
    assert.equal(
      (await t.api('GET', '/rotations/hosted', { token: tok.s3 })).body.some(
        (x: { teacher: { id: string } }) => x.teacher.id === id,
      ),
      false,
    );
  });

  it('rotation with a change of personnel relation: sending school → sending department → receiving school → receiving department, then the record moves', async () => {
    const { id } = await reportedTeacher(s2, tok.s2, tok.a);
    const rot = await apply(tok.s2, {
      kind: 'rotation-transfer',
      teacherId: id,
      toUnitId: s3.id,
      effectiveDate: today(),
      reason: '交流并转关系',
    });
    assert.equal(rot.status, 201, JSON.stringify(rot.body));
    const path: [string, string][] = [
      ['a', 'awaiting_receiving_school'],
      ['s3', 'awaiting_receiving_department'],
      ['b', 'completed'],
    ];
    for (const [k, state] of path) {
      const r = await act(tok[k], rot.body.id, 'approve');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.state, state);
    }
    const row = await teacherRow(id);
    assert.equal(row.unit_id, s3.id);
    assert.equal(row.review_state, 'reported');
    const rec = (await t.api('GET', `/teachers/${id}`, { token: tok.s3 })).body;
    assert.equal(rec.record.exchangeRotation.at(-1).relationChanged, true);
  });

  it('mobility statistics (hand-checked): in, out, within, rotations by region, school type, urban/rural, title, subject and flows', async () => {
    // Fresh units so the figures are exactly this test's: a city with counties X (schools x1, x2) and Y (y1, rural).
    const c = await t.newCity();
    const X = await t.newCounty(c);
    const Y = await t.newCounty(c);
    const x1 = await t.newSchool(X, '21');
    const x2 = await t.newSchool(X, '31');
    const y1 = await t.newSchool(Y, '34');
    await t.db.query(`UPDATE org_unit SET urban_rural = '220' WHERE id = $1`, [y1.id]);
    const info = (u: OrgUnitEntity) => t.account(u, Role.InfoAdmin).then((a) => t.tokenFor(a));
    const [tx1, tx2, ty1, tX, tY, tc] = await Promise.all([x1, x2, y1, X, Y, c].map(info));
    const cq = await t.tokenFor(await t.account(c, Role.Query));
    const transfer = async (
      from: OrgUnitEntity,
      ft: string,
      fc: string,
      to: OrgUnitEntity,
      tt: string,
      tct: string,
      title: string,
    ) => {
      const { id } = await reportedTeacher(from, ft, fc, {
        professionalTitle: [{ title, startMonth: '2015-09' }],
      });
      const tr = (await apply(tt, { teacherId: id, toUnitId: to.id, effectiveDate: today(), reason: '需要' })).body;
      for (const k of [tct, ft, fc]) assert.equal((await act(k, tr.id, 'approve')).status, 200);
      return id;
    };
    // Two from x1 to y1 (titles 013 and 014), one from x1 to x2 (within X), and a rotation x2 → y1.
    await transfer(x1, tx1, tX, y1, ty1, tY, '013');
    await transfer(x1, tx1, tX, y1, ty1, tY, '014');
    await transfer(x1, tx1, tX, x2, tx2, tX, '013');
    const { id: rid } = await reportedTeacher(x2, tx2, tX);
    const rot = await apply(tx2, {
      kind: 'rotation',
      teacherId: rid,
      toUnitId: y1.id,
      effectiveDate: today(),
      endDate: inDays(200),
      reason: '交流',
    });
    assert.equal((await act(tX, rot.body.id, 'approve')).body.state, 'serving');
    // A refused case counts nowhere.
    const { id: other } = await reportedTeacher(x1, tx1, tX);
    const refused = (await apply(ty1, { teacherId: other, toUnitId: y1.id, effectiveDate: today(), reason: 'x' })).body;
    await act(tY, refused.id, 'refuse', '不同意');

    const m = await t.api('GET', '/stats/mobility', { token: tc });
    assert.equal(m.status, 200, JSON.stringify(m.body));
    // City level: all three transfers are in and out of the city (within it).
    assert.deepEqual(m.body.totals, {
      transfersIn: 3,
      transfersOut: 3,
      rotationsIn: 1,
      rotationsOut: 1,
      transfersWithin: 3,
    });
    const region = Object.fromEntries(
      m.body.byRegion.map((r: any) => [r.code, [r.transfersIn, r.transfersOut, r.rotationsIn, r.rotationsOut]]),
    );
    assert.deepEqual(region, { [X.code]: [1, 3, 0, 1], [Y.code]: [2, 0, 1, 0] });
    const flows = Object.fromEntries(
      m.body.flows.map((f: any) => [`${f.from.code}>${f.to.code}`, [f.transfers, f.rotations]]),
    );
    assert.deepEqual(flows, { [`${X.code}>${X.code}`]: [1, 0], [`${X.code}>${Y.code}`]: [2, 1] });
    const byType = Object.fromEntries(
      m.body.bySchoolType.map((r: any) => [r.code, [r.transfersIn, r.transfersOut, r.rotationsIn, r.rotationsOut]]),
    );
    assert.deepEqual(byType, { '21': [0, 3, 0, 0], '31': [1, 0, 0, 1], '34': [2, 0, 1, 0] });
    const ur = Object.fromEntries(m.body.byUrbanRural.map((r: any) => [r.code, [r.transfersIn, r.transfersOut]]));
    assert.deepEqual(ur['220'], [2, 0]);
    assert.deepEqual(ur['111'], [1, 3]);
    const byTitle = Object.fromEntries(m.body.byTitle.map((r: any) => [r.code, [r.transfersIn, r.transfersOut]]));
    assert.deepEqual(byTitle['013'], [2, 2]);
    assert.deepEqual(byTitle['014'], [1, 1]);
    assert.ok(m.body.bySchoolType.find((r: any) => r.code === '34').zh);
    // validRecord teaches subject 02: every transfer and the rotation carry it.
    const subj = m.body.bySubject.find((r: any) => r.code === '02');
    assert.deepEqual([subj.transfersIn, subj.transfersOut, subj.rotationsIn, subj.rotationsOut], [3, 3, 1, 1]);

    // County X: its children are its schools; two went out of the county, one stayed in.
    const mx = await t.api('GET', '/stats/mobility', { token: tX });
    assert.deepEqual(mx.body.totals, {
      transfersIn: 1,
      transfersOut: 3,
      rotationsIn: 0,
      rotationsOut: 1,
      transfersWithin: 1,
    });
    const my = await t.api('GET', '/stats/mobility', { token: tY });
    assert.deepEqual(my.body.totals, {
      transfersIn: 2,
      transfersOut: 0,
      rotationsIn: 1,
      rotationsOut: 0,
      transfersWithin: 0,
    });
    // A query user of the city reads the same; the school x1 sees its own three out.
    assert.deepEqual((await t.api('GET', '/stats/mobility', { token: cq })).body.totals, m.body.totals);
    const ms = await t.api('GET', '/stats/mobility', { token: tx1 });
    assert.deepEqual([ms.body.totals.transfersOut, ms.body.totals.transfersIn], [3, 0]);
    // A period before today holds nothing.
    const past = await t.api('GET', '/stats/mobility?to=2000-01-01', { token: tc });
    assert.equal(past.body.totals.transfersIn, 0);
    // Teachers do not read statistics.
    const teacherAcct = await t.account(x1, Role.Teacher);
    assert.equal((await t.api('GET', '/stats/mobility', { token: await t.tokenFor(teacherAcct) })).status, 403);
  });
});

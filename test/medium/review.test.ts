import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

describe('collection and review (Art. 17): teacher → school → department', () => {
  let t: TestNode;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let schoolAdmin: string;
  let countyAdmin: string;
  before(async () => {
    t = await TestNode.start('provincial');
    county = await t.newCounty();
    school = await t.newSchool(county);
    schoolAdmin = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    countyAdmin = await t.tokenFor(await t.account(county, Role.InfoAdmin));
  });
  after(() => t.close());

  async function newRecord(unit = school) {
    const record = validRecord();
    const r = await t.api('POST', '/teachers', { token: schoolAdmin, body: { unitId: unit.id, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { id: r.body.id as string, record };
  }
  async function teacherToken(record: Record<string, unknown>) {
    const acct = await t.account(school, Role.Teacher);
    await t.db.query(`UPDATE account SET id_number = $2::text, username = lower($2::text) WHERE id = $1`, [
      acct.id,
      idOf(record),
    ]);
    return t.login(idOf(record).toLowerCase(), acct.password);
  }
  const step = (token: string, id: string, action: string, body: Record<string, unknown>) =>
    t.api('POST', `/teachers/${id}/review/${action}`, { token, body });

  it('walks the whole flow with a return and a re-submission; responses say what the caller may do next', async () => {
    const { id, record } = await newRecord();
    const teacher = await teacherToken(record);
    const first = await t.api('GET', `/teachers/${id}/review`, { token: teacher });
    assert.equal(first.body.state, 'draft');
    assert.deepEqual([first.body.maySubmit, first.body.mayApprove, first.body.mayReturn], [true, false, false]);

    const submitted = await step(teacher, id, 'submit', { version: 1 });
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    assert.equal(submitted.body.state, 'submitted');
    assert.equal(submitted.body.maySubmit, false);
    const locked = await t.api('PATCH', `/teachers/${id}`, {
      token: teacher,
      body: { version: 1, changes: { contacts: { mobile: '13700000000' } } },
    });
    assert.equal(locked.status, 409);
    assert.equal(locked.body.code, 'TEACHER_RECORD_IN_REVIEW');

    const asSchool = await t.api('GET', `/teachers/${id}/review`, { token: schoolAdmin });
    assert.deepEqual([asSchool.body.mayApprove, asSchool.body.mayReturn], [true, true]);
    const noReason = await step(schoolAdmin, id, 'school-return', { version: 1 });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.errors[0].path, 'reason');
    const returned = await step(schoolAdmin, id, 'school-return', {
      version: 1,
      reason: '手机号有误',
      fieldReasons: { 'contacts.mobile': '请核对' },
    });
    assert.equal(returned.body.state, 'returned');

    const fixed = await t.api('PATCH', `/teachers/${id}`, {
      token: teacher,
      body: { version: 1, changes: { contacts: { mobile: '13700000000' } } },
    });
    assert.equal(fixed.status, 200);
    assert.equal(
      (await step(teacher, id, 'submit', { version: 1 })).status,
      409,
      'a stale version cannot be submitted',
    );
    assert.equal((await step(teacher, id, 'submit', { version: 2 })).body.state, 'submitted');

    const missing = await step(schoolAdmin, id, 'school-approve', { version: 2 });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path).sort(), ['participants', 'principal']);
    const approved = await step(schoolAdmin, id, 'school-approve', {
      version: 2,
      participants: ['王校长', '李主任', '赵老师'],
      principal: '王校长',
    });
    assert.equal(approved.body.state, 'school_approved');
    const schoolEdit = await t.api('PATCH', `/teachers/${id}`, {
      token: schoolAdmin,
      body: { version: 2, changes: { basic: { formerName: '改' } } },
    });
    assert.equal(schoolEdit.status, 409, 'nobody edits while the department reviews');

    const asCounty = await t.api('GET', `/teachers/${id}/review`, { token: countyAdmin });
    assert.deepEqual([asCounty.body.mayApprove, asCounty.body.mayReturn], [true, true]);
    const reported = await step(countyAdmin, id, 'department-approve', { version: 2 });
    assert.equal(reported.status, 200);
    assert.equal(reported.body.state, 'reported');
    assert.equal(reported.body.reportedVersion, 2);
    assert.deepEqual(
      reported.body.trail.map((e: { action: string }) => e.action),
      ['submit', 'school-return', 'submit', 'school-approve', 'department-approve'],
    );
    const schoolStep = reported.body.trail[3];
    assert.deepEqual(schoolStep.participants, ['王校长', '李主任', '赵老师']);
    assert.equal(schoolStep.principal, '王校长');
    assert.deepEqual(reported.body.trail[1].fieldReasons, { 'contacts.mobile': '请核对' });

    const edit = await t.api('PATCH', `/teachers/${id}`, {
      token: teacher,
      body: { version: 2, changes: { contacts: { email: 'new@school.example.cn' } } },
    });
    assert.equal(edit.status, 409, 'reported information changes through a change request (Art. 19)');
    const later = await t.api('POST', `/teachers/${id}/awards`.replace('awards', 'researchAwards'), {
      token: teacher,
      body: { version: 2, entry: { title: '优质课一等奖', date: '2026-06-01', level: '4' } },
    });
    assert.equal(later.status, 201, JSON.stringify(later.body));
    assert.equal(later.body.reviewState, 'draft', 'new information goes back through review');
    assert.equal(later.body.reportedVersion, 2);
  });

  it('nothing can skip a step: every illegal transition and every actor outside the step is refused', async () => {
    const { id, record } = await newRecord();
    const teacher = await teacherToken(record);
    const otherCounty = await t.newCounty();
    const outsider = await t.tokenFor(await t.account(otherCounty, Role.InfoAdmin));
    const otherSchoolAdmin = await t.tokenFor(await t.account(await t.newSchool(county), Role.InfoAdmin));
    const query = await t.tokenFor(await t.account(county, Role.Query));
    const refused = async (
      token: string,
      action: string,
      status: number,
      body: Record<string, unknown> = { version: 1, reason: 'x', participants: ['a'], principal: 'a' },
    ) => {
      const r = await step(token, id, action, body);
      assert.equal(r.status, status, `${action}: ${JSON.stringify(r.body)}`);
    };
    // draft: no approvals, no returns
    for (const a of ['school-approve', 'school-return', 'department-approve', 'department-return'])
      await refused(schoolAdmin, a, 409);
    await refused(countyAdmin, 'department-approve', 409);
    await refused(query, 'submit', 403);
    await refused(outsider, 'submit', 403);
    await refused(otherSchoolAdmin, 'submit', 403);
    assert.equal((await step(teacher, id, 'submit', { version: 1 })).status, 200);
    // submitted: the department cannot jump in, the teacher cannot approve, nobody resubmits
    await refused(countyAdmin, 'department-approve', 409);
    await refused(countyAdmin, 'school-approve', 403);
    await refused(teacher, 'school-approve', 403);
    await refused(teacher, 'submit', 409);
    await refused(otherSchoolAdmin, 'school-approve', 403);
    assert.equal(
      (await step(schoolAdmin, id, 'school-approve', { version: 1, participants: ['甲'], principal: '甲' })).status,
      200,
    );
    // school-approved: only the supervising department acts
    await refused(schoolAdmin, 'school-approve', 409);
    await refused(schoolAdmin, 'department-approve', 403);
    await refused(outsider, 'department-approve', 403);
    await refused(countyAdmin, 'department-return', 400, { version: 1 });
    assert.equal(
      (await step(countyAdmin, id, 'department-return', { version: 1, reason: '学历证明缺失' })).body.state,
      'returned',
    );
    const view = await t.api('GET', `/teachers/${id}/review`, { token: teacher });
    assert.equal(view.body.state, 'returned');
    assert.equal(view.body.maySubmit, true);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM review_event WHERE teacher_id = $1`, [id]);
    assert.equal(n, 3, 'refused steps leave no trail');
  });

  it('lists what awaits each level and lets the department approve in batches, record by record', async () => {
    const s = await t.newSchool(county);
    const admin = await t.tokenFor(await t.account(s, Role.InfoAdmin));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await t.api('POST', '/teachers', { token: admin, body: { unitId: s.id, record: validRecord() } });
      ids.push(r.body.id);
      await step(admin, r.body.id, 'submit', { version: 1 });
    }
    const draft = (await t.api('POST', '/teachers', { token: admin, body: { unitId: s.id, record: validRecord() } }))
      .body.id;
    const schoolQueue = await t.api('GET', '/reviews/pending', { token: admin });
    assert.equal(schoolQueue.body.stage, 'school-review');
    assert.deepEqual(schoolQueue.body.items.map((x: { id: string }) => x.id).sort(), [...ids].sort());
    for (const id of ids)
      await step(admin, id, 'school-approve', { version: 1, participants: ['甲', '乙'], principal: '甲' });
    const countyQueue = await t.api('GET', '/reviews/pending', { token: countyAdmin });
    assert.equal(countyQueue.body.stage, 'department-review');
    for (const id of ids) assert.ok(countyQueue.body.items.some((x: { id: string }) => x.id === id));
    const batch = await t.api('POST', '/reviews/department-approve', {
      token: countyAdmin,
      body: { items: [...ids.map((teacherId) => ({ teacherId, version: 1 })), { teacherId: draft, version: 1 }] },
    });
    assert.equal(batch.status, 200);
    assert.deepEqual(
      batch.body.map((r: { status: number }) => r.status),
      [200, 200, 200, 409],
    );
    const states = await t.db.query(`SELECT review_state FROM teacher WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids]);
    assert.deepEqual(
      states.map((r: { review_state: string }) => r.review_state),
      ['reported', 'reported', 'reported'],
    );
  });
});

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';
import { until } from '../support/sync-helpers.js';

const TOKEN = 'province-11-node-token-registration-0123456789';
const YEAR = Number(new Date().toISOString().slice(0, 4));
/** A qualification whose first five-year cycle ends this December: registration falls due this year. */
const ISSUED = `${YEAR - 10}-12-15`;
const CYCLE = { start: `${YEAR - 5}-12-15`, end: `${YEAR}-12-14` };
const YEARS = [YEAR - 5, YEAR - 4, YEAR - 3, YEAR - 2, YEAR - 1];

/**
 * Periodic registration (issue 15) through the API of a provincial node that pushes to a national
 * node over HTTP (both on databases of their own: the national roll-up is compared per province).
 */
describe('teacher qualification periodic registration and the ethics veto', () => {
  let national: TestNode;
  let p: TestNode;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let schoolAdmin: string;
  let countyAdmin: string;
  let cityAdmin: string;
  let otherSchoolAdmin: string;
  let provinceAdmin: string;
  let institutionAdmin: string;
  let institutionId: string;
  const dbs: { drop(): Promise<void> }[] = [];

  before(async () => {
    const n = await isolatedDatabase('regn');
    const pr = await isolatedDatabase('regp');
    dbs.push(n, pr);
    national = await TestNode.start('national', { SYNC_NODE_TOKENS: `11:${TOKEN}`, DATABASE_URL: n.url });
    p = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN,
      SYNC_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: pr.url,
    });
    county = await p.newCounty();
    school = await p.newSchool(county);
    schoolAdmin = await p.tokenFor(await p.account(school, Role.InfoAdmin));
    countyAdmin = await p.tokenFor(await p.account(county, Role.InfoAdmin));
    const city = await p.unitByCode(county.code.slice(0, 4) + '00');
    cityAdmin = await p.tokenFor(await p.account(city, Role.InfoAdmin));
    otherSchoolAdmin = await p.tokenFor(await p.account(await p.newSchool(await p.newCounty()), Role.InfoAdmin));
    // The credit bank (issue 14): the province's conversion rules and a training institution.
    provinceAdmin = await p.tokenFor(await p.account(await p.province_(), Role.InfoAdmin));
    const rules = await p.api('POST', '/training/credit-rules', {
      token: provinceAdmin,
      body: {
        effectiveFrom: '2020-01-01',
        rules: {
          hoursPerCredit: {
            training: 10,
            online: 20,
            school_based: 20,
            course: 10,
            degree: 10,
            research: 10,
            publication: 10,
          },
          capPerKindPerYear: {},
          registrationKinds: ['training', 'school_based', 'online', 'course'],
          registrationCredits: 36,
          cycleStartYear: 2021,
        },
      },
    });
    assert.equal(rules.status, 201, JSON.stringify(rules.body));
    const inst = await p.api('POST', '/training/institutions', {
      token: provinceAdmin,
      body: {
        code: `52${randomInt(100000, 999999)}MJ${randomInt(10000000, 99999999)}`,
        name: `培训机构${randomInt(1, 1e6)}`,
      },
    });
    assert.equal(inst.status, 201, JSON.stringify(inst.body));
    institutionId = inst.body.id;
    institutionAdmin = await p.tokenFor(await p.account({ id: institutionId }, Role.InfoAdmin));
  });

  /** Confirmed training through the credit bank's API: a national project, results, the province confirms. */
  async function giveHours(teacherIds: string[], hours: number) {
    const proj = await p.api('POST', '/training/projects', {
      token: provinceAdmin,
      body: {
        level: 'national',
        name: `国培计划 ${randomInt(1, 1e6)}`,
        category: 'national_project',
        organiser: '教师发展中心',
        hours,
        startsOn: `${YEAR}-03-01`,
        endsOn: `${YEAR}-03-10`,
        capacity: 100,
        institutionIds: [institutionId],
        nationalCode: `GP-${randomInt(1, 1e6)}`,
      },
    });
    assert.equal(proj.status, 201, JSON.stringify(proj.body));
    const en = await p.api('POST', `/training/projects/${proj.body.id}/enrolments`, {
      token: schoolAdmin,
      body: { teacherIds },
    });
    assert.equal(en.status, 200, JSON.stringify(en.body));
    const res = await p.api('POST', `/training/projects/${proj.body.id}/results`, {
      token: institutionAdmin,
      body: {
        results: teacherIds.map((teacherId, i) => ({
          teacherId,
          completedHours: hours,
          passed: true,
          certificateNo: `C-${i}`,
        })),
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const conf = await p.api('POST', `/training/projects/${proj.body.id}/confirm`, { token: provinceAdmin });
    assert.equal(conf.status, 200, JSON.stringify(conf.body));
  }
  after(async () => {
    await p?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  /** A record with a qualification and the cycle's assessments, taken through review to "reported". */
  async function reportedTeacher(opts: { results?: string[]; personStatus?: string } = {}) {
    const results = opts.results ?? YEARS.map(() => '2');
    const record = validRecord({
      basic: opts.personStatus ? { personStatus: opts.personStatus } : {},
      qualification: [
        {
          qualificationType: '3',
          subject: '数学',
          certificateNumber: `2016${Math.floor(Math.random() * 1e10)}`,
          issuedDate: ISSUED,
          issuingAuthority: '北京市东城区教育委员会',
        },
      ],
      annualAssessment: YEARS.map((year, i) => ({ year, result: results[i] })),
    });
    const r = await p.api('POST', '/teachers', { token: schoolAdmin, body: { unitId: school.id, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id as string;
    await p.api('POST', `/teachers/${id}/review/submit`, { token: schoolAdmin, body: { version: 1 } });
    await p.api('POST', `/teachers/${id}/review/school-approve`, {
      token: schoolAdmin,
      body: { version: 1, participants: ['王校长'], principal: '王校长' },
    });
    const rep = await p.api('POST', `/teachers/${id}/review/department-approve`, {
      token: countyAdmin,
      body: { version: 1 },
    });
    assert.equal(rep.body.state, 'reported', JSON.stringify(rep.body));
    return { id, record };
  }

  async function teacherToken(record: Record<string, unknown>) {
    const acct = await p.account(school, Role.Teacher);
    await p.db.query(`UPDATE account SET id_number = $2::text, username = lower($2::text) WHERE id = $1`, [
      acct.id,
      idOf(record),
    ]);
    return p.login(idOf(record).toLowerCase(), acct.password);
  }

  /** Apply (as `applicant`), the school confirms, the county decides; returns the decided application. */
  async function walk(teacherId: string, applicant = schoolAdmin) {
    const applied = await p.api('POST', '/registration/applications', { token: applicant, body: { teacherId } });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    assert.equal(applied.body.state, 'applied');
    const asSchool = await p.api('GET', `/registration/applications/${applied.body.id}`, { token: schoolAdmin });
    assert.deepEqual([asSchool.body.mayConfirm, asSchool.body.mayReturn, asSchool.body.mayDecide], [true, true, false]);
    const confirmed = await p.api('POST', `/registration/applications/${applied.body.id}/school-confirm`, {
      token: schoolAdmin,
      body: { version: applied.body.version },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.state, 'school_confirmed');
    const asCounty = await p.api('GET', `/registration/applications/${applied.body.id}`, { token: countyAdmin });
    assert.equal(asCounty.body.mayDecide, true);
    assert.equal(asCounty.body.mayConfirm, false);
    const decided = await p.api('POST', `/registration/applications/${applied.body.id}/decide`, {
      token: countyAdmin,
      body: { version: confirmed.body.version },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    return decided.body;
  }

  const condition = (e: { conditions: { key: string; met: boolean }[] }, key: string) =>
    e.conditions.find((c) => c.key === key)!;

  it('an eligible teacher registered end to end: result in the record, credits applied, registered for the next cycle', async () => {
    const { id, record } = await reportedTeacher();
    await giveHours([id], 200);
    await giveHours([id], 160);
    const teacher = await teacherToken(record);
    const mine = await p.api('GET', `/registration/teachers/${id}`, { token: teacher });
    assert.equal(mine.status, 200, JSON.stringify(mine.body));
    assert.equal(mine.body.eligibility.outcome, 'eligible', JSON.stringify(mine.body.missing));
    assert.equal(mine.body.qualification.issuedDate, ISSUED);
    const decided = await walk(id, teacher);
    assert.equal(decided.state, 'registered');
    assert.equal(decided.decisionReason, null);
    const credits = condition(decided.eligibility, 'credits') as unknown as {
      evidence: { totalHours: number; entries: { id: string }[] };
    };
    assert.equal(credits.evidence.totalHours, 360);
    assert.deepEqual(
      decided.trail.map((e: { action: string }) => e.action),
      ['apply', 'school-confirm', 'register'],
    );
    const t = await p.api('GET', `/teachers/${id}`, { token: schoolAdmin });
    const q = t.body.record.qualification[0];
    assert.deepEqual(
      [q.registrationResult, q.registrationCycleStart, q.registrationCycleEnd, q.registrationDate],
      ['1', CYCLE.start, CYCLE.end, new Date().toISOString().slice(0, 10)],
    );
    const bank = await p.api('GET', `/training/bank/teachers/${id}`, { token: countyAdmin });
    assert.equal(bank.status, 200, JSON.stringify(bank.body));
    assert.ok(
      bank.body.entries.every(
        (e: { applied: { purpose: string; reference: string } | null }) =>
          e.applied?.purpose === 'registration' && e.applied.reference === decided.id,
      ),
      JSON.stringify(bank.body.entries),
    );
    const after = await p.api('GET', `/registration/teachers/${id}`, { token: teacher });
    assert.deepEqual(
      [after.body.status, after.body.mayApply, after.body.cycle.start],
      ['registered', false, `${YEAR}-12-15`],
    );
    const again = await p.api('POST', '/registration/applications', { token: teacher, body: { teacherId: id } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'REGISTRATION_NOT_DUE');
    // The title check still sees the training (used for the registration, not for a title); no title held yet.
    const title = await p.api('GET', `/registration/teachers/${id}/title-eligibility`, { token: schoolAdmin });
    assert.equal(title.status, 200, JSON.stringify(title.body));
    const byKey = Object.fromEntries(title.body.conditions.map((c: { key: string; met: boolean }) => [c.key, c.met]));
    assert.deepEqual(byKey, { ethics: true, 'years-in-grade': false, assessments: true, credits: true });
    assert.equal(title.body.reason.key, 'years-in-grade');
  });

  it('re-application after the credits arrive: deferred, then registered', async () => {
    const { id } = await reportedTeacher();
    await giveHours([id], 300);
    const first = await walk(id);
    assert.equal(first.state, 'deferred');
    assert.match(first.decisionReason, /尚缺60学时/);
    const bank = await p.api('GET', `/training/bank/teachers/${id}`, { token: countyAdmin });
    assert.ok(
      bank.body.entries.every((e: { applied: unknown }) => !e.applied),
      'a deferral uses no credits',
    );
    await giveHours([id], 60);
    const now = await p.api('GET', `/registration/teachers/${id}`, { token: schoolAdmin });
    assert.deepEqual([now.body.status, now.body.mayApply, now.body.missing], ['deferred', true, []]);
    const second = await walk(id);
    assert.equal(second.state, 'registered');
    assert.deepEqual(second.cycle, CYCLE, 'the same cycle, re-applied');
  });

  it('deferred by assessment: an unqualified year defers, with the year as evidence, written into the record', async () => {
    const { id } = await reportedTeacher({ results: ['2', '1', '4', '2', '2'] });
    const before = await p.api('GET', `/registration/teachers/${id}`, { token: schoolAdmin });
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(before.body.status, 'first');
    assert.deepEqual(before.body.cycle, CYCLE);
    assert.equal(before.body.mayApply, true);
    const decided = await walk(id);
    assert.equal(decided.state, 'deferred');
    const a = condition(decided.eligibility, 'assessments') as unknown as { evidence: { unqualifiedYears: number[] } };
    assert.deepEqual(a.evidence.unqualifiedYears, [YEARS[2]]);
    assert.match(decided.decisionReason, /年度考核不合格/);
    const t = await p.api('GET', `/teachers/${id}`, { token: schoolAdmin });
    const q = t.body.record.qualification[0];
    assert.deepEqual(
      [q.registrationResult, q.registrationCycleStart, q.registrationCycleEnd],
      ['2', CYCLE.start, CYCLE.end],
    );
    assert.equal(t.body.reviewState, 'reported', 'the record stays reported (re-reported with the result)');
    const st = await p.api('GET', `/registration/teachers/${id}`, { token: schoolAdmin });
    assert.deepEqual([st.body.status, st.body.mayApply], ['deferred', true]);
    assert.ok(st.body.missing.some((m: { key: string }) => m.key === 'assessments'));
  });

  it('deferred by credits: below 360 hours in the cycle defers, and the teacher sees what is missing', async () => {
    const { id, record } = await reportedTeacher();
    const teacher = await teacherToken(record);
    const decided = await walk(id, teacher);
    assert.equal(decided.state, 'deferred');
    const c = condition(decided.eligibility, 'credits') as unknown as { met: boolean; evidence: { required: number } };
    assert.deepEqual([c.met, c.evidence.required], [false, 360]);
    assert.equal(condition(decided.eligibility, 'assessments').met, true);
    const mine = await p.api('GET', `/registration/teachers/${id}`, { token: teacher });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.status, 'deferred');
    assert.deepEqual(
      mine.body.missing.map((m: { key: string }) => m.key),
      ['credits'],
    );
    assert.match(mine.body.missing[0].zh, /尚缺360学时/);
    const lists = await p.api('GET', '/registration/lists/deferred', { token: countyAdmin });
    assert.ok(lists.body.rows.some((r: { teacherId: string }) => r.teacherId === id));
    // The county cannot register against the computed eligibility.
    const again = await p.api('POST', '/registration/applications', { token: teacher, body: { teacherId: id } });
    assert.equal(again.status, 201, 'a deferred teacher may re-apply');
    const conf = await p.api('POST', `/registration/applications/${again.body.id}/school-confirm`, {
      token: schoolAdmin,
      body: { version: again.body.version },
    });
    const forced = await p.api('POST', `/registration/applications/${again.body.id}/decide`, {
      token: countyAdmin,
      body: { version: conf.body.version, decision: 'register' },
    });
    assert.equal(forced.status, 409);
    assert.equal(forced.body.code, 'REGISTRATION_DECISION_CONTRADICTS_ELIGIBILITY');
    const open = await p.api('POST', '/registration/applications', { token: teacher, body: { teacherId: id } });
    assert.equal(open.status, 409, 'one open application per teacher');
    assert.equal(open.body.code, 'REGISTRATION_OPEN_APPLICATION');
  });

  it('the ethics veto: reported by the school, confirmed by the department; registration not passed, title check refused', async () => {
    const { id } = await reportedTeacher();
    const date = `${YEAR - 2}-05-10`;
    const typed = await p.api('POST', `/teachers/${id}/ethics`, {
      token: schoolAdmin,
      body: { version: 1, entry: { kind: '4', date, description: '直接录入' } },
    });
    assert.equal(typed.status, 403, 'a veto is never typed into the record');
    assert.equal(typed.body.errors[0].code, 'ethicsVeto');
    const notSchool = await p.api('POST', '/registration/ethics-violations', {
      token: countyAdmin,
      body: { teacherId: id, date, description: '体罚学生，情节严重' },
    });
    assert.equal(notSchool.status, 403, 'the school reports');
    const reported = await p.api('POST', '/registration/ethics-violations', {
      token: schoolAdmin,
      body: { teacherId: id, date, description: '体罚学生，情节严重' },
    });
    assert.equal(reported.status, 201, JSON.stringify(reported.body));
    assert.equal(reported.body.state, 'reported');
    const unconfirmed = await p.api('GET', `/registration/teachers/${id}/title-eligibility`, { token: schoolAdmin });
    assert.notEqual(unconfirmed.body.reason?.key, 'ethics', 'a report alone vetoes nothing');
    const bySchool = await p.api('POST', `/registration/ethics-violations/${reported.body.id}/confirm`, {
      token: schoolAdmin,
    });
    assert.equal(bySchool.status, 403, 'the supervising department confirms');
    const todo = await p.api('GET', '/todo', { token: countyAdmin });
    assert.ok(todo.body.items.some((i: { kind: string }) => i.kind === 'ethics-violations-to-confirm'));
    const confirmed = await p.api('POST', `/registration/ethics-violations/${reported.body.id}/confirm`, {
      token: countyAdmin,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.deepEqual([confirmed.body.state, confirmed.body.vetoUntil], ['confirmed', `${YEAR + 3}-05-09`]);
    const rec = await p.api('GET', `/teachers/${id}`, { token: countyAdmin });
    assert.ok(
      rec.body.record.ethics.some((e: { kind: string; date: string }) => e.kind === '4' && e.date === date),
      'the veto is in the record (sub-set 9, code 4)',
    );
    const decided = await walk(id);
    assert.equal(decided.state, 'not_passed');
    assert.equal(condition(decided.eligibility, 'ethics').met, false);
    const st = await p.api('GET', `/registration/teachers/${id}`, { token: schoolAdmin });
    assert.deepEqual([st.body.status, st.body.mayApply], ['not_passed', false]);
    const reapply = await p.api('POST', '/registration/applications', { token: schoolAdmin, body: { teacherId: id } });
    assert.equal(reapply.status, 409);
    assert.equal(reapply.body.code, 'REGISTRATION_NOT_DUE');
    const title = await p.api('GET', `/registration/teachers/${id}/title-eligibility`, { token: schoolAdmin });
    assert.equal(title.status, 200);
    assert.equal(title.body.eligible, false);
    assert.equal(title.body.reason.key, 'ethics');
    assert.match(title.body.reason.zh, /一票否决/);
  });

  it('a veto confirmed after registration revokes the registration it covers (record, status, application, national)', async () => {
    const { id } = await reportedTeacher();
    await giveHours([id], 360);
    const registered = await walk(id);
    assert.equal(registered.state, 'registered');
    // A violation whose veto period ended before the cycle began undoes nothing.
    const old = await p.api('POST', '/registration/ethics-violations', {
      token: schoolAdmin,
      body: { teacherId: id, date: `${YEAR - 12}-01-10`, description: '多年前的违规' },
    });
    assert.equal(old.status, 201, JSON.stringify(old.body));
    const oldConfirmed = await p.api('POST', `/registration/ethics-violations/${old.body.id}/confirm`, {
      token: countyAdmin,
    });
    assert.equal(oldConfirmed.status, 200, JSON.stringify(oldConfirmed.body));
    const still = await p.api('GET', `/registration/teachers/${id}`, { token: schoolAdmin });
    assert.equal(still.body.status, 'registered', 'a veto outside the cycle leaves the registration');

    // One inside the registered cycle, confirmed by the county: the registration is undone.
    const date = `${YEAR - 1}-09-01`;
    const reported = await p.api('POST', '/registration/ethics-violations', {
      token: schoolAdmin,
      body: { teacherId: id, date, description: '有偿补课，情节严重' },
    });
    assert.equal(reported.status, 201, JSON.stringify(reported.body));
    const confirmed = await p.api('POST', `/registration/ethics-violations/${reported.body.id}/confirm`, {
      token: countyAdmin,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const app = await p.api('GET', `/registration/applications/${registered.id}`, { token: countyAdmin });
    assert.equal(app.body.state, 'not_passed');
    assert.deepEqual(
      app.body.trail.map((e: { action: string }) => e.action),
      ['apply', 'school-confirm', 'register', 'veto-revoke'],
    );
    assert.match(app.body.decisionReason, /一票否决/);
    const st = await p.api('GET', `/registration/teachers/${id}`, { token: schoolAdmin });
    assert.deepEqual([st.body.status, st.body.mayApply], ['not_passed', false]);
    const rec = await p.api('GET', `/teachers/${id}`, { token: countyAdmin });
    assert.equal(rec.body.record.qualification[0].registrationResult, '3', 'the record says 不合格');
    assert.ok(rec.body.record.ethics.some((e: { kind: string; date: string }) => e.kind === '4' && e.date === date));
    assert.equal(rec.body.reviewState, 'reported', 'the change is re-reported');
    const [audit] = await p.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'registration.veto-revoke' AND target_id = $1`,
      [id],
    );
    assert.equal(audit.n, 1);
    // The national node receives the revoked result with the record.
    const [{ idNumber }] = await p.db.query(`SELECT id_number AS "idNumber" FROM teacher WHERE id = $1`, [id]);
    await until('revoked result at national', async () => {
      const rows = await national.db.query(
        `SELECT q->>'registrationResult' AS r FROM national_teacher, jsonb_array_elements(record->'qualification') q
          WHERE province_code = '11' AND id_number = $1`,
        [idNumber],
      );
      return rows[0]?.r === '3' ? true : null;
    });
  });

  it('batch application by a school: each applied or refused with its reason; a school outside its subtree is refused', async () => {
    const a = await reportedTeacher();
    const b = await reportedTeacher();
    const draft = await p.api('POST', '/teachers', {
      token: schoolAdmin,
      body: { unitId: school.id, record: validRecord() },
    });
    const batch = await p.api('POST', '/registration/applications/batch', {
      token: schoolAdmin,
      body: { teacherIds: [a.id, b.id, draft.body.id] },
    });
    assert.equal(batch.status, 201, JSON.stringify(batch.body));
    assert.deepEqual(batch.body.applied.map((x: { teacherId: string }) => x.teacherId).sort(), [a.id, b.id].sort());
    assert.deepEqual(batch.body.refused, [
      { teacherId: draft.body.id, code: 'REGISTRATION_RECORD_NOT_REPORTED', detail: batch.body.refused[0].detail },
    ]);
    const pending = await p.api('GET', '/registration/applications?state=applied', { token: schoolAdmin });
    const batchIds = pending.body.filter((x: { batchId: string }) => x.batchId === batch.body.batchId);
    assert.equal(batchIds.length, 2);
    const todo = await p.api('GET', '/todo', { token: schoolAdmin });
    const item = todo.body.items.find((i: { kind: string }) => i.kind === 'registration-to-confirm');
    assert.ok(item && item.count >= 2, JSON.stringify(todo.body));

    // Another school (another county) may neither apply for, confirm nor read these teachers.
    const outside = await p.api('POST', '/registration/applications', {
      token: otherSchoolAdmin,
      body: { teacherId: a.id },
    });
    assert.equal(outside.status, 403);
    assert.equal(outside.body.code, 'OUT_OF_SCOPE');
    const outsideBatch = await p.api('POST', '/registration/applications/batch', {
      token: otherSchoolAdmin,
      body: { teacherIds: [b.id] },
    });
    assert.deepEqual(
      outsideBatch.body.refused.map((r: { code: string }) => r.code),
      ['OUT_OF_SCOPE'],
    );
    const appId = batch.body.applied[0].applicationId;
    const confirm = await p.api('POST', `/registration/applications/${appId}/school-confirm`, {
      token: otherSchoolAdmin,
      body: { version: 1 },
    });
    assert.equal(confirm.status, 403);
    const read = await p.api('GET', `/registration/teachers/${a.id}`, { token: otherSchoolAdmin });
    assert.equal(read.status, 403);
    // The city is not the registration authority (the county is, by default).
    const conf = await p.api('POST', `/registration/applications/${appId}/school-confirm`, {
      token: schoolAdmin,
      body: { version: 1 },
    });
    const cityDecides = await p.api('POST', `/registration/applications/${appId}/decide`, {
      token: cityAdmin,
      body: { version: conf.body.version },
    });
    assert.equal(cityDecides.status, 403);
  });

  it('lists by school (and as xlsx), and the statistics table', async () => {
    const due = await p.api('GET', '/registration/lists/due', { token: countyAdmin });
    assert.equal(due.status, 200, JSON.stringify(due.body));
    assert.equal(due.body.year, YEAR);
    const mine = due.body.bySchool.find((s: { unitId: string }) => s.unitId === school.id);
    assert.ok(mine && mine.count >= 2, JSON.stringify(due.body.bySchool));
    const first = due.body.rows.filter(
      (r: { unitId: string; status: string }) => r.unitId === school.id && r.status === 'first',
    );
    assert.ok(first.length >= 1);
    for (const r of first) assert.equal(r.cycleEnd, CYCLE.end);
    const decided = await p.db.query(`SELECT teacher_id AS id, result FROM registration_status`);
    const listed = new Set(due.body.rows.map((r: { teacherId: string }) => r.teacherId));
    for (const d of decided)
      assert.equal(
        listed.has(d.id),
        d.result === 'deferred',
        `${d.result}: registered and not passed are not due this year`,
      );
    const page1 = await p.api('GET', '/registration/lists/due?limit=1', { token: countyAdmin });
    assert.equal(page1.body.rows.length, 1);
    assert.ok(page1.body.nextCursor);
    const page2 = await p.api('GET', `/registration/lists/due?limit=1&cursor=${page1.body.nextCursor}`, {
      token: countyAdmin,
    });
    assert.deepEqual(
      [page1.body.rows[0].teacherId, page2.body.rows[0].teacherId],
      due.body.rows.slice(0, 2).map((r: { teacherId: string }) => r.teacherId),
      'keyset pages follow the list order',
    );
    const outside = await p.api('GET', '/registration/lists/due', { token: otherSchoolAdmin });
    assert.ok(!outside.body.rows.some((r: { unitId: string }) => r.unitId === school.id), 'scoped to the subtree');
    const xlsx = await fetch(`${p.url}/registration/lists/due?format=xlsx`, {
      headers: { authorization: `Bearer ${countyAdmin}` },
    });
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers.get('content-type') ?? '', /spreadsheetml/);
    const bytes = Buffer.from(await xlsx.arrayBuffer());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK');
    const below = await p.api('GET', '/registration/lists/below-threshold', { token: countyAdmin });
    assert.ok(below.body.rows.length >= 1);
    const stats = await p.api('GET', '/stats/registration', { token: countyAdmin });
    assert.equal(stats.status, 200, JSON.stringify(stats.body));
    const row = stats.body.rows.find(
      (r: { region: string; year: number }) => r.region === school.code && r.year === YEAR,
    );
    assert.ok(row, JSON.stringify(stats.body.rows));
    assert.ok(row.deferred >= 2 && row.not_passed >= 1, JSON.stringify(row));
    assert.equal(row.schoolType, '21');
  });

  it('the national node receives the results in the records and counts them per province', async () => {
    const ministry = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    const rows = await until('results at national', async () => {
      const r = await national.api('GET', '/stats/registration', { token: ministry });
      const p11 = r.body.rows?.find((x: { region: string; year: number }) => x.region === '11' && x.year === YEAR);
      return p11 && p11.registered >= 2 && p11.deferred >= 2 && p11.not_passed >= 1 ? p11 : null;
    });
    const [{ n }] = await national.db.query(
      `SELECT count(*)::int AS n FROM national_teacher, jsonb_array_elements(record->'qualification') q
        WHERE province_code = '11' AND q->>'registrationResult' = '3'`,
    );
    assert.equal(rows.not_passed, n);
    const provincial = await p.api('GET', '/stats/registration', { token: provinceAdmin });
    const total = (k: string) =>
      provincial.body.rows
        .filter((r: { year: number }) => r.year === YEAR)
        .reduce((a: number, r: Record<string, number>) => a + r[k], 0);
    assert.deepEqual(
      [rows.registered, rows.deferred, rows.not_passed],
      [total('registered'), total('deferred'), total('not_passed')],
      'the national roll-up counts what the province decided',
    );
  });
});

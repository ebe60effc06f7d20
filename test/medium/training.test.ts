import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { CreditBank } from '@tmis/training';
import { TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

const RULES_11 = {
  hoursPerCredit: { training: 10, online: 20, school_based: 20, course: 10, degree: 10, research: 10, publication: 10 },
  capPerKindPerYear: { online: 5 },
  registrationKinds: ['training', 'school_based', 'online', 'course'],
  registrationCredits: 36,
  cycleStartYear: 2021,
};

/** A unified social credit code that no other test run picks. */
function creditCode(): string {
  return `52${String(randomInt(100000, 999999))}MJ${String(randomInt(10000000, 99999999))}`;
}

async function setup(t: TestNode) {
  const province = await t.province_();
  const city = await t.newCity();
  const county = await t.newCounty(city);
  const school = await t.newSchool(county);
  const otherSchool = await t.newSchool(await t.newCounty(city));
  const tok = async (u: OrgUnitEntity, r: Role) => t.tokenFor(await t.account(u, r));
  return {
    province,
    city,
    county,
    school,
    otherSchool,
    provinceAdmin: await tok(province, Role.InfoAdmin),
    cityAdmin: await tok(city, Role.InfoAdmin),
    countyAdmin: await tok(county, Role.InfoAdmin),
    schoolAdmin: await tok(school, Role.InfoAdmin),
    otherSchoolAdmin: await tok(otherSchool, Role.InfoAdmin),
    countyQuery: await tok(county, Role.Query),
  };
}

async function newTeacher(t: TestNode, school: OrgUnitEntity, token: string) {
  const record = validRecord();
  const r = await t.api('POST', '/teachers', { token, body: { unitId: school.id, record } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id as string, record };
}

async function teacherToken(t: TestNode, school: OrgUnitEntity, record: Record<string, unknown>) {
  const acct = await t.account(school, Role.Teacher);
  await t.db.query(`UPDATE account SET id_number = $2::text, username = lower($2::text) WHERE id = $1`, [
    acct.id,
    idOf(record),
  ]);
  return t.login(idOf(record).toLowerCase(), acct.password);
}

async function institution(t: TestNode, token: string) {
  const r = await t.api('POST', '/training/institutions', {
    token,
    body: { code: creditCode(), name: `培训机构${randomInt(1, 1e6)}` },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.kind, 'institution');
  const admin = await t.tokenFor(await t.account({ id: r.body.id }, Role.InfoAdmin));
  return { id: r.body.id as string, admin };
}

function project(level: string, institutionIds: string[], over: Record<string, unknown> = {}) {
  return {
    level,
    name: `${level} 培训项目 ${randomInt(1, 1e6)}`,
    category: {
      national: 'national_project',
      province: 'provincial',
      city: 'city',
      county: 'county',
      school: 'school_based',
    }[level],
    organiser: '教师发展中心',
    hours: 45,
    startsOn: '2026-03-01',
    endsOn: '2026-03-10',
    capacity: 100,
    institutionIds,
    ...over,
  };
}

describe('training credits (Art. 25)', () => {
  let t: TestNode;
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    t = await TestNode.start('provincial');
    s = await setup(t);
    const r = await t.api('POST', '/training/credit-rules', {
      token: s.provinceAdmin,
      body: { effectiveFrom: '2020-01-01', rules: RULES_11 },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(() => t.close());

  it('credit bank: results of a national project confirmed by the province, read, applied once and refused the second time', async () => {
    const inst = await institution(t, s.provinceAdmin);
    const p = await t.api('POST', '/training/projects', {
      token: s.provinceAdmin,
      body: project('national', [inst.id], { nationalCode: `GP-${randomInt(1, 1e6)}` }),
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.state, 'approved');
    const a = await newTeacher(t, s.school, s.schoolAdmin);
    const b = await newTeacher(t, s.school, s.schoolAdmin);
    const en = await t.api('POST', `/training/projects/${p.body.id}/enrolments`, {
      token: s.schoolAdmin,
      body: { teacherIds: [a.id, b.id] },
    });
    assert.equal(en.status, 200, JSON.stringify(en.body));
    assert.equal(en.body.enrolled, 2);
    const res = await t.api('POST', `/training/projects/${p.body.id}/results`, {
      token: inst.admin,
      body: {
        results: [
          { teacherId: a.id, completedHours: 45, passed: true, certificateNo: 'C-001' },
          { teacherId: b.id, completedHours: 20, passed: false },
        ],
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.written, 2);
    const conf = await t.api('POST', `/training/projects/${p.body.id}/confirm`, { token: s.provinceAdmin });
    assert.equal(conf.status, 200, JSON.stringify(conf.body));
    assert.deepEqual(conf.body, { confirmed: 2, credited: 1, credits: 4.5 });

    const bank = t.node.app.get(CreditBank);
    const w = await bank.creditsInWindow(a.id, '2026-01-01', '2030-12-31');
    assert.equal(w.totalCredits, 4.5);
    assert.equal(w.totalHours, 45);
    assert.deepEqual(w.byKind, { training: { credits: 4.5, hours: 45 } });
    assert.equal(w.entries.length, 1);
    assert.equal(w.entries[0].ruleVersion, '11-v1');
    assert.equal(w.entries[0].appliedTo, null);
    assert.equal((await bank.creditsInWindow(a.id, '2021-01-01', '2025-12-31')).totalCredits, 0);
    assert.equal((await bank.creditsInWindow(a.id, '2026-01-01', '2030-12-31', ['online'])).entries.length, 0);

    await bank.apply(a.id, [w.entries[0].id], 'registration', 'REG-1');
    await assert.rejects(bank.apply(a.id, [w.entries[0].id], 'title', 'T-1'), (e: { code: string; status: number }) => {
      assert.equal(e.code, 'CREDITS_ALREADY_APPLIED');
      assert.equal(e.status, 409);
      return true;
    });
    const after1 = await bank.creditsInWindow(a.id, '2026-01-01', '2030-12-31');
    assert.equal(after1.entries[0].appliedTo, 'registration:REG-1');
    assert.equal(
      await t.count(`SELECT count(*) FROM training_credit WHERE teacher_id = $1 AND applied_purpose IS NOT NULL`, [
        a.id,
      ]),
      1,
    );
    // The teacher reads their own bank.
    const own = await t.api('GET', '/training/bank/me', { token: await teacherToken(t, s.school, a.record) });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.teacher.id, a.id);
    assert.equal(own.body.totals.credits, 4.5);
    assert.equal(own.body.entries[0].applied.reference, 'REG-1');

    // The same over HTTP, by a department: refused the second time with the domain error.
    const c = await newTeacher(t, s.school, s.schoolAdmin);
    await t.api('POST', `/training/projects/${p.body.id}/enrolments`, {
      token: s.schoolAdmin,
      body: { teacherIds: [c.id] },
    });
    await t.api('POST', `/training/projects/${p.body.id}/results`, {
      token: inst.admin,
      body: { results: [{ teacherId: c.id, completedHours: 30, passed: true, certificateNo: 'C-002' }] },
    });
    await t.api('POST', `/training/projects/${p.body.id}/confirm`, { token: s.provinceAdmin });
    const view = await t.api('GET', `/training/bank/teachers/${c.id}`, { token: s.countyAdmin });
    assert.equal(view.status, 200, JSON.stringify(view.body));
    assert.equal(view.body.totals.credits, 3);
    const creditIds = view.body.entries.map((e: { id: string }) => e.id);
    const once = await t.api('POST', `/training/bank/teachers/${c.id}/apply`, {
      token: s.countyAdmin,
      body: { creditIds, purpose: 'title', referenceId: 'TITLE-2026-1' },
    });
    assert.equal(once.status, 200, JSON.stringify(once.body));
    assert.equal(once.body.entries[0].applied.purpose, 'title');
    const twice = await t.api('POST', `/training/bank/teachers/${c.id}/apply`, {
      token: s.countyAdmin,
      body: { creditIds, purpose: 'registration', referenceId: 'REG-2' },
    });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.code, 'CREDITS_ALREADY_APPLIED');
    assert.ok(twice.body.titleZh ?? twice.body.title);
  });
});

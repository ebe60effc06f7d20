import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { isolatedDatabase, TestNode, unique } from '../support/test-node.js';
import { validRecord } from '../support/records.js';

const YEAR = Number(new Date().toISOString().slice(0, 4));
const YEARS = [YEAR - 5, YEAR - 4, YEAR - 3, YEAR - 2, YEAR - 1];

/**
 * The central universities (中央部属高校) report straight to the national node (Art. 6): the ministry is
 * their department, so on the national node it sets their hour→credit rules, confirms national projects
 * for their teachers (Art. 25) and is the registration authority for them (Art. 26).
 */
describe('central universities on the national node: the ministry converts their credits and decides their registration', () => {
  let n: TestNode;
  let ministry: OrgUnitEntity;
  let uni: OrgUnitEntity;
  let ministryInfo: string;
  let uniInfo: string;
  let uni2Info: string;
  let provinceInfo: string;
  let institutionAdmin: string;
  let institutionId: string;
  const dbs: { drop(): Promise<void> }[] = [];

  before(async () => {
    const db = await isolatedDatabase('cu');
    dbs.push(db);
    n = await TestNode.start('national', { DATABASE_URL: db.url });
    ministry = await n.unitByCode('000000');
    uni = await n.newSchool(ministry, '41', { central: true });
    const uni2 = await n.newSchool(ministry, '41', { central: true });
    ministryInfo = await n.tokenFor(await n.account(ministry, Role.InfoAdmin));
    uniInfo = await n.tokenFor(await n.account(uni, Role.InfoAdmin));
    uni2Info = await n.tokenFor(await n.account(uni2, Role.InfoAdmin));
    provinceInfo = await n.tokenFor(await n.account(await n.province_(), Role.InfoAdmin));
    const inst = await n.api('POST', '/training/institutions', {
      token: ministryInfo,
      body: { code: `52${randomInt(100000, 999999)}MJ${randomInt(10000000, 99999999)}`, name: `培训机构${unique()}` },
    });
    assert.equal(inst.status, 201, JSON.stringify(inst.body));
    institutionId = inst.body.id;
    institutionAdmin = await n.tokenFor(await n.account({ id: institutionId }, Role.InfoAdmin));
  });
  after(async () => {
    await n?.close();
    for (const d of dbs) await d.drop();
  });

  /** A central university's record with a qualification due this year, taken through review to "reported". */
  async function reportedTeacher(): Promise<string> {
    const record = validRecord({
      qualification: [
        {
          qualificationType: '3',
          subject: '数学',
          certificateNumber: `2016${randomInt(1e9, 1e10)}`,
          issuedDate: `${YEAR - 10}-12-15`,
          issuingAuthority: '北京市东城区教育委员会',
        },
      ],
      annualAssessment: YEARS.map((year) => ({ year, result: '2' })),
    });
    const r = await n.api('POST', '/teachers', { token: uniInfo, body: { unitId: uni.id, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id as string;
    await n.api('POST', `/teachers/${id}/review/submit`, { token: uniInfo, body: { version: 1 } });
    await n.api('POST', `/teachers/${id}/review/school-approve`, {
      token: uniInfo,
      body: { version: 1, participants: ['王校长'], principal: '王校长' },
    });
    const rep = await n.api('POST', `/teachers/${id}/review/department-approve`, {
      token: ministryInfo,
      body: { version: 1 },
    });
    assert.equal(rep.body.state, 'reported', JSON.stringify(rep.body));
    return id;
  }

  /** The ministry's national project: the university enrols, the institution submits, the ministry confirms. */
  async function nationalProject(teacherIds: string[], hours: number) {
    const proj = await n.api('POST', '/training/projects', {
      token: ministryInfo,
      body: {
        level: 'national',
        name: `国培计划${unique()}`,
        category: 'national_project',
        organiser: '教师发展中心',
        hours,
        startsOn: `${YEAR}-03-01`,
        endsOn: `${YEAR}-03-10`,
        capacity: 100,
        institutionIds: [institutionId],
      },
    });
    assert.equal(proj.status, 201, JSON.stringify(proj.body));
    const en = await n.api('POST', `/training/projects/${proj.body.id}/enrolments`, {
      token: uniInfo,
      body: { teacherIds },
    });
    assert.equal(en.status, 200, JSON.stringify(en.body));
    const res = await n.api('POST', `/training/projects/${proj.body.id}/results`, {
      token: institutionAdmin,
      body: {
        results: teacherIds.map((teacherId, i) => ({
          teacherId,
          completedHours: hours,
          passed: true,
          certificateNo: `C${i}`,
        })),
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return n.api('POST', `/training/projects/${proj.body.id}/confirm`, { token: ministryInfo });
  }

  it("the ministry's conversion rules turn a national project's results into credits; the university applies them, another unit cannot", async () => {
    const teacherId = await reportedTeacher();
    // Without rules of the ministry's, the confirmation has nothing to convert with.
    const before = await nationalProject([teacherId], 45);
    assert.equal(before.status, 409, JSON.stringify(before.body));
    assert.equal(before.body.code, 'CREDIT_RULES_MISSING');

    // Only the ministry's information administrator sets them (for the units that report to it).
    const rules = {
      effectiveFrom: '2020-01-01',
      rules: {
        hoursPerCredit: {
          training: 15,
          online: 20,
          school_based: 20,
          course: 10,
          degree: 10,
          research: 10,
          publication: 10,
        },
        capPerKindPerYear: {},
        registrationKinds: ['training', 'school_based', 'online', 'course'],
        registrationCredits: 24,
        cycleStartYear: 2021,
      },
    };
    const byUni = await n.api('POST', '/training/credit-rules', { token: uniInfo, body: rules });
    assert.equal(byUni.status, 403, JSON.stringify(byUni.body));
    const added = await n.api('POST', '/training/credit-rules', { token: ministryInfo, body: rules });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.provinceCode, '00');
    const read = await n.api('GET', '/training/credit-rules', { token: uniInfo });
    assert.deepEqual(
      read.body.map((r: { version: number }) => r.version),
      [1],
      "the university reads the ministry's rules",
    );

    const conf = await nationalProject([teacherId], 45);
    assert.equal(conf.status, 200, JSON.stringify(conf.body));
    assert.deepEqual(
      conf.body,
      { confirmed: 1, credited: 1, credits: 3 },
      "45 h at 15 h per credit (the ministry's rules)",
    );
    const bank = await n.api('GET', `/training/bank/teachers/${teacherId}`, { token: uniInfo });
    assert.equal(bank.status, 200, JSON.stringify(bank.body));
    assert.deepEqual(
      bank.body.entries.map((e: { credits: number; ruleVersion: string }) => [e.credits, e.ruleVersion]),
      [[3, '00-v1']],
    );
    assert.equal(bank.body.rule.registrationCredits, 24);
    const creditIds = bank.body.entries.map((e: { id: string }) => e.id);

    const body = { creditIds, purpose: 'title', referenceId: `职称-${unique()}` };
    for (const token of [uni2Info, provinceInfo]) {
      const refused = await n.api('POST', `/training/bank/teachers/${teacherId}/apply`, { token, body });
      assert.equal(refused.status, 404, `another unit's account: ${JSON.stringify(refused.body)}`);
    }
    const applied = await n.api('POST', `/training/bank/teachers/${teacherId}/apply`, { token: uniInfo, body });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    assert.equal(applied.body.entries[0].applied.purpose, 'title');
    assert.equal(applied.body.totals.unappliedCredits, 0);
    const twice = await n.api('POST', `/training/bank/teachers/${teacherId}/apply`, { token: uniInfo, body });
    assert.equal(twice.status, 409, JSON.stringify(twice.body));
  });

  it("the ministry decides a central university teacher's registration; an account outside its scope or level cannot", async () => {
    const teacherId = await reportedTeacher();
    // 360 hours of national training: 24 credits under the ministry's rules (set in the test above, or here).
    const existing = await n.api('GET', '/training/credit-rules', { token: ministryInfo });
    if (!existing.body.length)
      assert.equal(
        (
          await n.api('POST', '/training/credit-rules', {
            token: ministryInfo,
            body: {
              effectiveFrom: '2020-01-01',
              rules: {
                hoursPerCredit: { training: 15 },
                registrationKinds: ['training'],
                registrationCredits: 24,
                cycleStartYear: 2021,
              },
            },
          })
        ).status,
        201,
      );
    assert.equal((await nationalProject([teacherId], 360)).status, 200);

    const applied = await n.api('POST', '/registration/applications', { token: uniInfo, body: { teacherId } });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const confirmed = await n.api('POST', `/registration/applications/${applied.body.id}/school-confirm`, {
      token: uniInfo,
      body: { version: applied.body.version },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const asMinistry = await n.api('GET', `/registration/applications/${applied.body.id}`, { token: ministryInfo });
    assert.equal(asMinistry.body.mayDecide, true, JSON.stringify(asMinistry.body));
    const todo = await n.api('GET', '/todo', { token: ministryInfo });
    assert.ok(
      todo.body.items.some((i: { kind: string; count: number }) => i.kind === 'registration-to-decide' && i.count >= 1),
      JSON.stringify(todo.body),
    );

    const decide = (token: string) =>
      n.api('POST', `/registration/applications/${applied.body.id}/decide`, {
        token,
        body: { version: confirmed.body.version },
      });
    // The university itself (the applicant's school), another university, a province's administrator: refused.
    for (const token of [uniInfo, uni2Info, provinceInfo]) {
      const refused = await decide(token);
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
    }
    const decided = await decide(ministryInfo);
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal(decided.body.state, 'registered', JSON.stringify(decided.body.eligibility));
    const t = await n.api('GET', `/teachers/${teacherId}`, { token: uniInfo });
    assert.equal(t.body.record.qualification[0].registrationResult, '1');
    const bank = await n.api('GET', `/training/bank/teachers/${teacherId}`, { token: uniInfo });
    assert.ok(
      bank.body.entries.every((e: { applied: { purpose: string } | null }) => e.applied?.purpose === 'registration'),
      JSON.stringify(bank.body.entries),
    );
  });
});

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { CreditBank } from '@tmis/training';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { validRecord } from '../support/records.js';
import { until } from '../support/sync-helpers.js';

const TOKEN_11 = 'province-11-training-federation-token-0123';

const RULES_11 = {
  hoursPerCredit: { training: 10, online: 20, school_based: 20, course: 10, degree: 10, research: 10, publication: 10 },
  capPerKindPerYear: { online: 5 },
  registrationKinds: ['training', 'school_based', 'online', 'course'],
  registrationCredits: 36,
  cycleStartYear: 2021,
};

/** A unified social credit code that no other test run picks. */
const creditCode = () => `52${String(randomInt(100000, 999999))}MJ${String(randomInt(10000000, 99999999))}`;

describe('national training projects travel down to the provinces (issue 14, HTTP federation)', () => {
  let national: TestNode;
  let p11: TestNode;
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  before(async () => {
    dbs.push(await isolatedDatabase('tfn'), await isolatedDatabase('tf11'));
    national = await TestNode.start('national', {
      SYNC_NODE_TOKENS: `11:${TOKEN_11}`,
      FEDERATION_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: dbs[0].url,
    });
    p11 = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN_11,
      FEDERATION_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: dbs[1].url,
    });
  });
  after(async () => {
    await p11?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it('the ministry creates a national project → one copy at the province, enrolled and credited under its rules; republishing never duplicates', async () => {
    const ministry = await national.unitByCode('000000');
    const ministryAdmin = await national.tokenFor(await national.account(ministry, Role.InfoAdmin));
    const instCode = creditCode();
    const inst = await national.api('POST', '/training/institutions', {
      token: ministryAdmin,
      body: { code: instCode, name: '国家教师发展中心' },
    });
    assert.equal(inst.status, 201, JSON.stringify(inst.body));
    const created = await national.api('POST', '/training/projects', {
      token: ministryAdmin,
      body: {
        level: 'national',
        name: `国培计划 ${randomInt(1, 1e6)}`,
        category: 'national_project',
        organiser: '教育部教师工作司',
        hours: 45,
        startsOn: '2026-03-01',
        endsOn: '2026-03-10',
        capacity: 1000,
        institutionIds: [inst.body.id],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const code = created.body.nationalCode as string;
    assert.ok(code, 'the ministry project carries a national code');

    // The province's copy appears, owned by the province, approved, organiser naming the institution.
    const province = await p11.province_();
    const provinceAdmin = await p11.tokenFor(await p11.account(province, Role.InfoAdmin));
    const copies = async () =>
      p11.db.query(`SELECT id, version, owner_unit_id FROM training_project WHERE national_code = $1`, [code]);
    await until('copy at 11', async () => (await copies()).length > 0, 20_000);
    const [copy] = await copies();
    assert.equal(copy.owner_unit_id, province.id);
    const got = await p11.api('GET', `/training/projects/${copy.id}`, { token: provinceAdmin });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body.level, 'national');
    assert.equal(got.body.state, 'approved');
    assert.equal(got.body.name, created.body.name);
    assert.equal(got.body.hours, 45);
    assert.match(got.body.organiser, /国家教师发展中心/);
    assert.deepEqual(got.body.institutions, [], 'no institution of that code registered at the province yet');
    assert.equal(got.body.mayConfirm, true);

    // The province registers the institution with the same code; the ministry publishes again: still one copy, now run by it.
    const local = await p11.api('POST', '/training/institutions', {
      token: provinceAdmin,
      body: { code: instCode, name: '国家教师发展中心（北京）' },
    });
    assert.equal(local.status, 201, JSON.stringify(local.body));
    const instAdmin = await p11.tokenFor(await p11.account({ id: local.body.id }, Role.InfoAdmin));
    const pub = await national.api('POST', `/training/projects/${created.body.id}/publish`, { token: ministryAdmin });
    assert.equal(pub.status, 200, JSON.stringify(pub.body));
    assert.equal(pub.body.nationalCode, code);
    await until('republished at 11', async () => (await copies())[0].version >= 2, 20_000);
    assert.equal((await copies()).length, 1, 'one copy per national code');
    const linked = await p11.api('GET', `/training/projects/${copy.id}`, { token: provinceAdmin });
    assert.deepEqual(
      linked.body.institutions.map((i: { id: string }) => i.id),
      [local.body.id],
    );

    // Province rules; a school enrols its teacher; the province's institution submits; the province confirms.
    const rules = await p11.api('POST', '/training/credit-rules', {
      token: provinceAdmin,
      body: { effectiveFrom: '2020-01-01', rules: RULES_11 },
    });
    assert.equal(rules.status, 201, JSON.stringify(rules.body));
    const school = await p11.newSchool();
    const schoolAdmin = await p11.tokenFor(await p11.account(school, Role.InfoAdmin));
    const teacher = await p11.api('POST', '/teachers', {
      token: schoolAdmin,
      body: { unitId: school.id, record: validRecord() },
    });
    assert.equal(teacher.status, 201, JSON.stringify(teacher.body));
    const en = await p11.api('POST', `/training/projects/${copy.id}/enrolments`, {
      token: schoolAdmin,
      body: { teacherIds: [teacher.body.id] },
    });
    assert.equal(en.status, 200, JSON.stringify(en.body));
    assert.equal(en.body.enrolled, 1);
    const res = await p11.api('POST', `/training/projects/${copy.id}/results`, {
      token: instAdmin,
      body: { results: [{ teacherId: teacher.body.id, completedHours: 45, passed: true, certificateNo: 'GP-001' }] },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const bySchool = await p11.api('POST', `/training/projects/${copy.id}/confirm`, { token: schoolAdmin });
    assert.equal(bySchool.status, 403, 'a school does not confirm a national project');
    const conf = await p11.api('POST', `/training/projects/${copy.id}/confirm`, { token: provinceAdmin });
    assert.equal(conf.status, 200, JSON.stringify(conf.body));
    assert.deepEqual(conf.body, { confirmed: 1, credited: 1, credits: 4.5 }, '45 h at 10 h per credit (rules of 11)');
    const w = await p11.node.app.get(CreditBank).creditsInWindow(teacher.body.id, '2026-01-01', '2030-12-31');
    assert.equal(w.totalCredits, 4.5);
    assert.equal(w.entries[0].ruleVersion, '11-v1');

    // Only the owning ministry publishes: a provincial node has no publish route (its copy is received).
    const byProvince = await p11.api('POST', `/training/projects/${copy.id}/publish`, { token: provinceAdmin });
    assert.equal(byProvince.status, 404, JSON.stringify(byProvince.body));

    // Publishing again: still one copy, the enrolment and the confirmed credits kept.
    const again = await national.api('POST', `/training/projects/${created.body.id}/publish`, { token: ministryAdmin });
    assert.equal(again.status, 200);
    await until('republished again at 11', async () => (await copies())[0].version >= 3, 20_000);
    assert.equal((await copies()).length, 1);
    const after2 = await p11.api('GET', `/training/projects/${copy.id}`, { token: provinceAdmin });
    assert.equal(after2.body.enrolled, 1);
    assert.equal(
      await p11.count(`SELECT count(*) FROM training_credit WHERE teacher_id = $1`, [teacher.body.id]),
      1,
      'credits not granted twice',
    );
    assert.equal(await p11.count(`SELECT count(*) FROM federation_dead_letter`), 0, 'nothing dead-lettered');
  });
});

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { SyncIngestService } from '@tmis/sync-ingest';
import { CreditBank } from '@tmis/training';
import ExcelJS from 'exceljs';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';
import { reportRecords, until } from '../support/sync-helpers.js';

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

    // Sub-set 13 of the record shows the confirmed training (not typed twice); a failed trainee has none.
    const recA = await t.api('GET', `/teachers/${a.id}`, { token: s.schoolAdmin });
    const trainingA = recA.body.record.domesticTraining as Record<string, unknown>[];
    assert.equal(trainingA.length, 1, JSON.stringify(recA.body.record.domesticTraining));
    assert.deepEqual(
      [trainingA[0].projectName, trainingA[0].hours, trainingA[0].level, trainingA[0].startDate],
      [p.body.name, 45, '1', '2026-03-01'],
    );
    const recB = await t.api('GET', `/teachers/${b.id}`, { token: s.schoolAdmin });
    assert.equal((recB.body.record.domesticTraining ?? []).length, 0);
    const [stored] = await t.db.query(`SELECT record->'domesticTraining' AS dt FROM teacher WHERE id = $1`, [a.id]);
    assert.equal(stored.dt, null, 'shown from confirmed training, not written into the record');

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

  it('a project at each level; a school-based plan waits for its supervising department, refused with a reason', async () => {
    const inst = await institution(t, s.provinceAdmin);
    const made: Record<string, { status: number; body: any }> = {};
    for (const [level, token] of [
      ['province', s.provinceAdmin],
      ['city', s.cityAdmin],
      ['county', s.countyAdmin],
      ['school', s.schoolAdmin],
    ] as const) {
      made[level] = await t.api('POST', '/training/projects', { token, body: project(level, [inst.id]) });
      assert.equal(made[level].status, 201, `${level}: ${JSON.stringify(made[level].body)}`);
      assert.equal(made[level].body.level, level);
    }
    assert.deepEqual(
      ['province', 'city', 'county', 'school'].map((l) => made[l].body.state),
      ['approved', 'approved', 'approved', 'pending'],
    );
    assert.equal(made.school.body.creditKind, 'school_based');
    // A county cannot enter a provincial project; a national one needs the national code.
    const wrong = await t.api('POST', '/training/projects', {
      token: s.countyAdmin,
      body: project('province', [inst.id]),
    });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.code, 'TRAINING_LEVEL_NOT_ALLOWED');
    const noCode = await t.api('POST', '/training/projects', {
      token: s.provinceAdmin,
      body: project('national', [inst.id]),
    });
    assert.equal(noCode.status, 400);
    assert.equal(noCode.body.errors[0].path, 'nationalCode');

    // The school's plan: its department sees mayApprove; enrolment waits for approval.
    const plan = made.school.body;
    const asCounty = await t.api('GET', `/training/projects/${plan.id}`, { token: s.countyAdmin });
    assert.equal(asCounty.body.mayApprove, true);
    assert.equal(
      (await t.api('GET', `/training/projects/${plan.id}`, { token: s.schoolAdmin })).body.mayApprove,
      false,
    );
    const teacher = await newTeacher(t, s.school, s.schoolAdmin);
    const early = await t.api('POST', `/training/projects/${plan.id}/enrolments`, {
      token: s.schoolAdmin,
      body: { teacherIds: [teacher.id] },
    });
    assert.equal(early.body.code, 'TRAINING_PROJECT_NOT_APPROVED');
    const byCity = await t.api('POST', `/training/projects/${plan.id}/approve`, {
      token: s.cityAdmin,
      body: { version: 1 },
    });
    assert.equal(byCity.status, 403, 'only the supervising department (the county) decides');
    const noReason = await t.api('POST', `/training/projects/${plan.id}/refuse`, {
      token: s.countyAdmin,
      body: { version: 1 },
    });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.code, 'CREDIT_CLAIM_REASON_REQUIRED');
    const refused = await t.api('POST', `/training/projects/${plan.id}/refuse`, {
      token: s.countyAdmin,
      body: { version: 1, reason: '学时安排不合理' },
    });
    assert.equal(refused.status, 200, JSON.stringify(refused.body));
    assert.equal(refused.body.state, 'refused');
    assert.equal(refused.body.refusalReason, '学时安排不合理');
    // A second plan is approved and credited by the county, as school-based credits.
    const plan2 = await t.api('POST', '/training/projects', {
      token: s.schoolAdmin,
      body: project('school', [inst.id]),
    });
    const ok = await t.api('POST', `/training/projects/${plan2.body.id}/approve`, {
      token: s.countyAdmin,
      body: { version: 1 },
    });
    assert.equal(ok.body.state, 'approved');
    await t.api('POST', `/training/projects/${plan2.body.id}/enrolments`, {
      token: s.schoolAdmin,
      body: { teacherIds: [teacher.id] },
    });
    await t.api('POST', `/training/projects/${plan2.body.id}/results`, {
      token: inst.admin,
      body: { results: [{ teacherId: teacher.id, completedHours: 40, passed: true, certificateNo: 'S-1' }] },
    });
    const bySchool = await t.api('POST', `/training/projects/${plan2.body.id}/confirm`, { token: s.schoolAdmin });
    assert.equal(bySchool.status, 403);
    assert.equal(bySchool.body.code, 'TRAINING_NOT_CONFIRMER');
    const conf = await t.api('POST', `/training/projects/${plan2.body.id}/confirm`, { token: s.countyAdmin });
    assert.deepEqual(conf.body, { confirmed: 1, credited: 1, credits: 2 });
    const [row] = await t.db.query(
      `SELECT kind, credits::float8 AS credits FROM training_credit WHERE teacher_id = $1`,
      [teacher.id],
    );
    assert.deepEqual(row, { kind: 'school_based', credits: 2 });
  });

  it("an institution submits results by API and xlsx (bad rows reported per cell), never for another institution's project; confirmed results are immutable", async () => {
    const inst = await institution(t, s.cityAdmin);
    const other = await institution(t, s.cityAdmin);
    const p = await t.api('POST', '/training/projects', { token: s.cityAdmin, body: project('city', [inst.id]) });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    const teachers = [];
    for (let i = 0; i < 3; i++) teachers.push(await newTeacher(t, s.school, s.schoolAdmin));
    const outsider = await newTeacher(t, s.otherSchool, s.otherSchoolAdmin);
    // The school enrols its own teachers only.
    const cross = await t.api('POST', `/training/projects/${p.body.id}/enrolments`, {
      token: s.schoolAdmin,
      body: { teacherIds: [outsider.id] },
    });
    assert.equal(cross.status, 404);
    assert.equal(cross.body.errors[0].path, 'teacherIds[0]');
    const en = await t.api('POST', `/training/projects/${p.body.id}/enrolments`, {
      token: s.schoolAdmin,
      body: { teacherIds: teachers.map((x) => x.id) },
    });
    assert.equal(en.body.enrolled, 3);

    // Another institution cannot read the trainees nor submit results.
    const foreign = await t.api('POST', `/training/projects/${p.body.id}/results`, {
      token: other.admin,
      body: { results: [{ teacherId: teachers[0].id, completedHours: 45, passed: true, certificateNo: 'X' }] },
    });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.code, 'TRAINING_NOT_PROJECT_INSTITUTION');
    assert.equal(
      (await t.api('GET', `/training/projects/${p.body.id}/enrolments`, { token: other.admin })).status,
      404,
    );
    assert.equal(
      (await t.api('GET', `/training/projects/${p.body.id}/results/template`, { token: other.admin })).status,
      403,
    );
    assert.equal((await t.api('GET', '/training/projects', { token: other.admin })).body.length, 0);
    assert.equal(
      await t.count(`SELECT count(*) FROM training_enrolment WHERE project_id = $1 AND result_at IS NOT NULL`, [
        p.body.id,
      ]),
      0,
    );

    // API: a bad batch is refused whole with the path of each bad row.
    const bad = await t.api('POST', `/training/projects/${p.body.id}/results`, {
      token: inst.admin,
      body: {
        results: [
          { teacherId: teachers[0].id, completedHours: 45, passed: true, certificateNo: 'A-1' },
          { teacherId: outsider.id, completedHours: 45, passed: true, certificateNo: 'A-2' },
          { teacherId: teachers[1].id, completedHours: 99, passed: true },
        ],
      },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.errors.map((e: { path: string }) => e.path),
      ['results[1].teacherId', 'results[2].completedHours', 'results[2].certificateNo'],
    );
    assert.equal(
      await t.count(`SELECT count(*) FROM training_enrolment WHERE project_id = $1 AND result_at IS NOT NULL`, [
        p.body.id,
      ]),
      0,
    );

    // xlsx: the template lists the trainees; a file with bad rows is refused cell by cell, with a marked report.
    const tpl = await fetch(`${t.url}/training/projects/${p.body.id}/results/template`, {
      headers: { authorization: `Bearer ${inst.admin}` },
    });
    assert.equal(tpl.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await tpl.arrayBuffer());
    const ws = wb.worksheets[0];
    const ids = [4, 5, 6].map((n) => String(ws.getRow(n).getCell(1).value));
    assert.deepEqual(ids.sort(), teachers.map((x) => idOf(x.record)).sort());
    const rowOf = (id: string) => [4, 5, 6].find((n) => String(ws.getRow(n).getCell(1).value) === id)!;
    const r0 = rowOf(idOf(teachers[0].record));
    const r1 = rowOf(idOf(teachers[1].record));
    const r2 = rowOf(idOf(teachers[2].record));
    ws.getRow(r0).getCell(3).value = 45;
    ws.getRow(r0).getCell(4).value = '是';
    ws.getRow(r0).getCell(5).value = 'X-001';
    ws.getRow(r1).getCell(3).value = '四十';
    ws.getRow(r1).getCell(4).value = '否';
    ws.getRow(r2).getCell(3).value = 30;
    ws.getRow(r2).getCell(4).value = '也许';
    ws.getRow(7).getCell(1).value = idOf(outsider.record);
    ws.getRow(7).getCell(3).value = 10;
    ws.getRow(7).getCell(4).value = '否';
    const upload = async (path: string, buf: ArrayBuffer) => {
      const form = new FormData();
      form.append('file', new Blob([buf]), 'results.xlsx');
      return fetch(`${t.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${inst.admin}` },
        body: form,
      });
    };
    const badFile = (await wb.xlsx.writeBuffer()) as ArrayBuffer;
    const refused = await upload(`/training/projects/${p.body.id}/results/import`, badFile);
    assert.equal(refused.status, 400);
    const problem = (await refused.json()) as { errors: { path: string }[]; cells: { row: number; field: string }[] };
    assert.deepEqual(
      problem.errors.map((e: { path: string }) => e.path),
      [`C${r1}`, `D${r2}`, 'A7'].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))),
    );
    assert.equal(problem.cells.find((c: { row: number }) => c.row === r1)?.field, 'completedHours');
    assert.equal(
      await t.count(`SELECT count(*) FROM training_enrolment WHERE project_id = $1 AND result_at IS NOT NULL`, [
        p.body.id,
      ]),
      0,
    );
    const report = await upload(`/training/projects/${p.body.id}/results/import/error-report`, badFile);
    assert.equal(report.status, 200);
    const rep = new ExcelJS.Workbook();
    await rep.xlsx.load(await report.arrayBuffer());
    const marked = rep.worksheets[0].getRow(r1).getCell(3);
    assert.match(String((marked.note as unknown as string) ?? ''), /completed hours/);
    assert.equal(rep.getWorksheet('_errors')!.rowCount, 4);

    // Fixed, the file is written whole.
    ws.getRow(r1).getCell(3).value = 40;
    ws.getRow(r2).getCell(4).value = '否';
    ws.getRow(7).values = [];
    const good = await upload(
      `/training/projects/${p.body.id}/results/import`,
      (await wb.xlsx.writeBuffer()) as ArrayBuffer,
    );
    assert.equal(good.status, 200);
    assert.deepEqual(await good.json(), { rows: 3, written: 3 });
    const conf = await t.api('POST', `/training/projects/${p.body.id}/confirm`, { token: s.cityAdmin });
    assert.deepEqual(conf.body, { confirmed: 3, credited: 1, credits: 4.5 });
    // Once confirmed, a result never changes.
    const again = await t.api('POST', `/training/projects/${p.body.id}/results`, {
      token: inst.admin,
      body: { results: [{ teacherId: teachers[0].id, completedHours: 10, passed: false }] },
    });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'TRAINING_RESULT_CONFIRMED');
    const [row] = await t.db.query(
      `SELECT completed_hours::float8 AS h, passed FROM training_enrolment WHERE project_id = $1 AND teacher_id = $2`,
      [p.body.id, teachers[0].id],
    );
    assert.deepEqual(row, { h: 45, passed: true });
  });

  it('a rule change applies from its date on and leaves confirmed credits alone', async () => {
    const inst = await institution(t, s.provinceAdmin);
    const p1 = await t.api('POST', '/training/projects', {
      token: s.provinceAdmin,
      body: project('province', [inst.id]),
    });
    const a = await newTeacher(t, s.school, s.schoolAdmin);
    await t.api('POST', `/training/projects/${p1.body.id}/enrolments`, {
      token: s.provinceAdmin,
      body: { teacherIds: [a.id] },
    });
    await t.api('POST', `/training/projects/${p1.body.id}/results`, {
      token: inst.admin,
      body: { results: [{ teacherId: a.id, completedHours: 40, passed: true, certificateNo: 'R-1' }] },
    });
    assert.equal(
      (await t.api('POST', `/training/projects/${p1.body.id}/confirm`, { token: s.provinceAdmin })).body.credits,
      4,
    );
    const before = await t.db.query(
      `SELECT id, credits::float8 AS credits, rule_version FROM training_credit WHERE teacher_id = $1`,
      [a.id],
    );

    // Only the province's department sets rules.
    const byCity = await t.api('POST', '/training/credit-rules', {
      token: s.cityAdmin,
      body: { effectiveFrom: '2026-01-01', rules: RULES_11 },
    });
    assert.equal(byCity.status, 403);
    const badRule = await t.api('POST', '/training/credit-rules', {
      token: s.provinceAdmin,
      body: { effectiveFrom: '2026-01-01', rules: { ...RULES_11, hoursPerCredit: { training: 0 } } },
    });
    assert.equal(badRule.status, 400);
    assert.equal(badRule.body.errors[0].path, 'rules.hoursPerCredit.training');
    const v2 = await t.api('POST', '/training/credit-rules', {
      token: s.provinceAdmin,
      body: {
        effectiveFrom: '2026-01-01',
        rules: { ...RULES_11, hoursPerCredit: { ...RULES_11.hoursPerCredit, training: 20 } },
      },
    });
    assert.equal(v2.status, 201, JSON.stringify(v2.body));
    try {
      const after = await t.db.query(
        `SELECT id, credits::float8 AS credits, rule_version FROM training_credit WHERE teacher_id = $1`,
        [a.id],
      );
      assert.deepEqual(after, before, 'a rule change never rewrites confirmed credits');
      // New confirmations convert under the new version.
      const p2 = await t.api('POST', '/training/projects', {
        token: s.provinceAdmin,
        body: project('province', [inst.id]),
      });
      await t.api('POST', `/training/projects/${p2.body.id}/enrolments`, {
        token: s.provinceAdmin,
        body: { teacherIds: [a.id] },
      });
      await t.api('POST', `/training/projects/${p2.body.id}/results`, {
        token: inst.admin,
        body: { results: [{ teacherId: a.id, completedHours: 40, passed: true, certificateNo: 'R-2' }] },
      });
      assert.equal(
        (await t.api('POST', `/training/projects/${p2.body.id}/confirm`, { token: s.provinceAdmin })).body.credits,
        2,
      );
      const bank = await t.api('GET', `/training/bank/teachers/${a.id}`, { token: s.provinceAdmin });
      assert.deepEqual(
        bank.body.entries.map((e: { credits: number; ruleVersion: string }) => [e.credits, e.ruleVersion]).sort(),
        [
          [2, `11-v${v2.body.version}`],
          [4, '11-v1'],
        ],
      );
    } finally {
      // Later tests convert under version 1 again (a newer version, effective from the same date).
      await t.api('POST', '/training/credit-rules', {
        token: s.provinceAdmin,
        body: { effectiveFrom: '2026-01-01', rules: RULES_11 },
      });
    }
  });

  it('self-study claims: reviewed by the school then the department, refused with a reason; approval credits the bank', async () => {
    const a = await newTeacher(t, s.school, s.schoolAdmin);
    const teacher = await teacherToken(t, s.school, a.record);
    const claim = (title: string) =>
      t.api('POST', '/training/claims', {
        token: teacher,
        body: { kind: 'course', title, hours: 30, occurredOn: '2026-05-01', evidence: '结业证书 2026-051' },
      });
    const c1 = await claim('教育心理学网络课程');
    assert.equal(c1.status, 201, JSON.stringify(c1.body));
    assert.equal(c1.body.state, 'submitted');
    assert.equal(c1.body.mayApprove, false);
    const asSchool = await t.api('GET', `/training/claims/${c1.body.id}`, { token: s.schoolAdmin });
    assert.deepEqual([asSchool.body.mayApprove, asSchool.body.mayRefuse], [true, true]);
    assert.equal((await t.api('GET', `/training/claims/${c1.body.id}`, { token: s.otherSchoolAdmin })).status, 404);
    const early = await t.api('POST', `/training/claims/${c1.body.id}/department-approve`, {
      token: s.countyAdmin,
      body: { version: 1 },
    });
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'CREDIT_CLAIM_STEP_REFUSED');
    const s1 = await t.api('POST', `/training/claims/${c1.body.id}/school-approve`, {
      token: s.schoolAdmin,
      body: { version: 1 },
    });
    assert.equal(s1.body.state, 'school_approved');
    const noReason = await t.api('POST', `/training/claims/${c1.body.id}/department-refuse`, {
      token: s.countyAdmin,
      body: { version: 2 },
    });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.errors[0].path, 'reason');
    const refused = await t.api('POST', `/training/claims/${c1.body.id}/department-refuse`, {
      token: s.countyAdmin,
      body: { version: 2, reason: '证明材料不完整' },
    });
    assert.equal(refused.status, 200, JSON.stringify(refused.body));
    assert.equal(refused.body.state, 'refused');
    assert.equal(refused.body.reason, '证明材料不完整');
    const mine = await t.api('GET', '/training/claims/mine', { token: teacher });
    assert.equal(mine.body[0].reason, '证明材料不完整');
    assert.equal(await t.count(`SELECT count(*) FROM training_credit WHERE teacher_id = $1`, [a.id]), 0);

    const c2 = await claim('课题研究');
    await t.api('POST', `/training/claims/${c2.body.id}/school-approve`, {
      token: s.schoolAdmin,
      body: { version: 1 },
    });
    const ok = await t.api('POST', `/training/claims/${c2.body.id}/department-approve`, {
      token: s.countyAdmin,
      body: { version: 2 },
    });
    assert.equal(ok.body.state, 'approved');
    const bank = await t.api('GET', '/training/bank/me', { token: teacher });
    assert.deepEqual(
      bank.body.entries.map((e: { source: string; kind: string; credits: number }) => [e.source, e.kind, e.credits]),
      [['self_study', 'course', 3]],
    );
  });

  it('bank views: a teacher their own only; departments their subtree; query users see ID numbers masked', async () => {
    const a = await newTeacher(t, s.school, s.schoolAdmin);
    const b = await newTeacher(t, s.otherSchool, s.otherSchoolAdmin);
    const teacherA = await teacherToken(t, s.school, a.record);
    assert.equal((await t.api('GET', `/training/bank/teachers/${b.id}`, { token: teacherA })).status, 403);
    assert.equal((await t.api('GET', `/training/bank/teachers/${b.id}`, { token: s.schoolAdmin })).status, 403);
    assert.equal((await t.api('GET', '/training/bank', { token: s.schoolAdmin, headers: {} })).status, 200);
    const other = await t.api('GET', `/training/bank?unitId=${s.otherSchool.id}`, { token: s.schoolAdmin });
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'OUT_OF_SCOPE');
    const schoolView = await t.api('GET', '/training/bank?limit=1000', { token: s.schoolAdmin });
    const ids = schoolView.body.items.map((i: { teacherId: string }) => i.teacherId);
    assert.ok(ids.includes(a.id) && !ids.includes(b.id));
    assert.equal(
      schoolView.body.items.find((i: { teacherId: string }) => i.teacherId === a.id).idNumber,
      idOf(a.record),
    );
    const q = await t.api('GET', `/training/bank?unitId=${s.school.id}&limit=1000`, { token: s.countyQuery });
    assert.equal(q.status, 200);
    const row = q.body.items.find((i: { teacherId: string }) => i.teacherId === a.id);
    assert.notEqual(row.idNumber, idOf(a.record));
    assert.match(row.idNumber, /^\d{3}\*+\w{4}$/);
    const one = await t.api('GET', `/training/bank/teachers/${a.id}`, { token: s.countyQuery });
    assert.match(one.body.teacher.idNumber, /\*/);
    assert.deepEqual(one.body.window, { from: '2026-01-01', to: '2030-12-31' });
    assert.equal(one.body.rule.registrationCredits, 36);
    assert.equal(one.body.belowThreshold, true);
  });
  it('statistics: coverage and credits per teacher by region and other dimensions, below-threshold list, CSV; scoped and masked', async () => {
    const county = await t.newCounty(s.city);
    const school = await t.newSchool(county);
    const countyAdmin = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    const countyQuery = await t.tokenFor(await t.account(county, Role.Query));
    const schoolAdmin = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    const inst = await institution(t, countyAdmin);
    const p = await t.api('POST', '/training/projects', { token: countyAdmin, body: project('county', [inst.id]) });
    const a = await newTeacher(t, school, schoolAdmin);
    const b = await newTeacher(t, school, schoolAdmin);
    await t.api('POST', `/training/projects/${p.body.id}/enrolments`, {
      token: countyAdmin,
      body: { teacherIds: [a.id] },
    });
    await t.api('POST', `/training/projects/${p.body.id}/results`, {
      token: inst.admin,
      body: { results: [{ teacherId: a.id, completedHours: 45, passed: true, certificateNo: 'S-9' }] },
    });
    await t.api('POST', `/training/projects/${p.body.id}/confirm`, { token: countyAdmin });

    const cov = await t.api('GET', '/stats/training/coverage?by=region', { token: countyAdmin });
    assert.equal(cov.status, 200, JSON.stringify(cov.body));
    assert.equal(cov.body.table, 'training-coverage-by-region');
    assert.deepEqual(cov.body.rows, [
      {
        key: school.code,
        label: school.name,
        teachers: 2,
        trained: 1,
        coverage: 0.5,
        hoursPerTeacher: 22.5,
        creditsPerTeacher: 2.25,
        registrationCredits: 4.5,
      },
    ]);
    for (const by of ['schoolType', 'subject', 'title', 'urbanRural']) {
      const r = await t.api('GET', `/stats/training/coverage?by=${by}`, { token: countyQuery });
      assert.equal(r.status, 200, by);
      assert.equal(
        r.body.rows.reduce((n: number, x: { trained: number }) => n + x.trained, 0),
        1,
        `${by}: the one trained teacher, once`,
      );
    }
    assert.equal(
      (await t.api('GET', '/stats/training/coverage?by=region', { token: schoolAdmin })).body.rows[0].teachers,
      2,
    );
    const csv = await t.api('GET', '/stats/training/coverage?by=region&format=csv', { token: countyAdmin });
    assert.match(String(csv.headers.get('content-type')), /text\/csv/);
    assert.ok(String(csv.body).includes(`${school.code},${school.name},2,1,0.5,22.5,2.25,4.5`), String(csv.body));

    const below = await t.api('GET', '/stats/training/below-threshold?withinMonths=120', { token: countyQuery });
    assert.equal(below.status, 200);
    assert.equal(below.body.approaching, true);
    assert.deepEqual(
      below.body.rows.map((r: { teacherId: string; missing: number }) => [r.teacherId, r.missing]).sort(),
      [
        [a.id, 31.5],
        [b.id, 36],
      ].sort(),
    );
    assert.ok(
      below.body.rows.every((r: { idNumber: string }) => r.idNumber.includes('*')),
      'masked for a query user',
    );
    const notYet = await t.api('GET', '/stats/training/below-threshold?withinMonths=0', { token: countyAdmin });
    assert.deepEqual([notYet.body.approaching, notYet.body.rows.length], [false, 0]);
    const teacher = await teacherToken(t, school, a.record);
    assert.equal((await t.api('GET', '/stats/training/coverage', { token: teacher })).status, 403);
  });
});

describe("training credits across provinces: the same national project under two provinces' rules", () => {
  let p11: TestNode;
  let p44: TestNode;
  let db44: Awaited<ReturnType<typeof isolatedDatabase>>;
  before(async () => {
    p11 = await TestNode.start('provincial');
    db44 = await isolatedDatabase('training44');
    p44 = await TestNode.start('provincial', { PROVINCE_CODE: '44', DATABASE_URL: db44.url });
  });
  after(async () => {
    await p11?.close();
    await p44?.close();
    await db44?.drop();
  });

  it('gives two different credit totals for the same hours', async () => {
    const nationalCode = `GP-${randomInt(1, 1e9)}`;
    const totals: number[] = [];
    for (const [node, hoursPerCredit] of [
      [p11, 10],
      [p44, 12],
    ] as const) {
      const s = await setup(node);
      const rules = { ...RULES_11, hoursPerCredit: { training: hoursPerCredit } };
      const existing = await node.api('GET', '/training/credit-rules', { token: s.provinceAdmin });
      if (node === p44 || !existing.body.length)
        assert.equal(
          (
            await node.api('POST', '/training/credit-rules', {
              token: s.provinceAdmin,
              body: { effectiveFrom: '2020-01-01', rules },
            })
          ).status,
          201,
        );
      const inst = await institution(node, s.provinceAdmin);
      const p = await node.api('POST', '/training/projects', {
        token: s.provinceAdmin,
        body: project('national', [inst.id], { nationalCode, hours: 60 }),
      });
      const x = await newTeacher(node, s.school, s.schoolAdmin);
      await node.api('POST', `/training/projects/${p.body.id}/enrolments`, {
        token: s.countyAdmin,
        body: { teacherIds: [x.id] },
      });
      await node.api('POST', `/training/projects/${p.body.id}/results`, {
        token: inst.admin,
        body: { results: [{ teacherId: x.id, completedHours: 60, passed: true, certificateNo: 'N-1' }] },
      });
      // A city cannot confirm a national project's credits: the province does.
      assert.equal(
        (await node.api('POST', `/training/projects/${p.body.id}/confirm`, { token: s.cityAdmin })).status,
        403,
      );
      const conf = await node.api('POST', `/training/projects/${p.body.id}/confirm`, { token: s.provinceAdmin });
      assert.equal(conf.status, 200, JSON.stringify(conf.body));
      const bank = await node.api('GET', `/training/bank/teachers/${x.id}`, { token: s.provinceAdmin });
      assert.equal(bank.body.entries[0].province, node.province);
      totals.push(bank.body.totals.credits);
    }
    assert.deepEqual(totals, [6, 5]);
  });
});

describe('confirmed credits travel to the national node (sync schema v3; v2 still accepted)', () => {
  const TOKEN = 'province-11-node-token-training-0123456789';
  let national: TestNode;
  let province: TestNode;
  const dbs: { drop(): Promise<void> }[] = [];
  before(async () => {
    const n = await isolatedDatabase('trn');
    const p = await isolatedDatabase('trp');
    dbs.push(n, p);
    national = await TestNode.start('national', { SYNC_NODE_TOKENS: `11:${TOKEN}`, DATABASE_URL: n.url });
    province = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN,
      SYNC_RELAY_INTERVAL_MS: '100',
      DATABASE_URL: p.url,
    });
  });
  after(async () => {
    await province?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it("national sees each teacher's credits and the completion by region; a v2 envelope cannot carry credits", async () => {
    const { ids, schoolAdmin } = await reportRecords(province, 3);
    const provinceUnit = await province.province_();
    const provinceAdmin = await province.tokenFor(await province.account(provinceUnit, Role.InfoAdmin));
    await province.api('POST', '/training/credit-rules', {
      token: provinceAdmin,
      body: { effectiveFrom: '2020-01-01', rules: RULES_11 },
    });
    const inst = await institution(province, provinceAdmin);
    const p = await province.api('POST', '/training/projects', {
      token: provinceAdmin,
      body: project('national', [inst.id], { nationalCode: 'GP-2026-001' }),
    });
    await province.api('POST', `/training/projects/${p.body.id}/enrolments`, {
      token: schoolAdmin,
      body: { teacherIds: ids.slice(0, 2) },
    });
    await province.api('POST', `/training/projects/${p.body.id}/results`, {
      token: inst.admin,
      body: {
        results: [
          { teacherId: ids[0], completedHours: 45, passed: true, certificateNo: 'N-1' },
          { teacherId: ids[1], completedHours: 30, passed: true, certificateNo: 'N-2' },
        ],
      },
    });
    const conf = await province.api('POST', `/training/projects/${p.body.id}/confirm`, { token: provinceAdmin });
    assert.deepEqual(conf.body, { confirmed: 2, credited: 2, credits: 7.5 });
    const rows = await until('credits at national', async () => {
      const r = await national.db.query(
        `SELECT teacher_id, total_credits::float8 AS credits, credits AS list FROM national_teacher_credit WHERE teacher_id = ANY($1::uuid[]) ORDER BY total_credits DESC`,
        [ids],
      );
      return r.length === 2 ? r : null;
    });
    assert.deepEqual(
      rows.map((r: { credits: number }) => r.credits),
      [4.5, 3],
    );
    assert.equal(rows[0].list[0].ruleVersion, '11-v1');
    assert.equal(rows[0].list[0].province, '11');
    const ministry = await national.tokenFor(await national.account(await national.unitByCode('000000'), Role.Query));

    // Sub-set 13 at national as the province shows it: the typed entries, then the confirmed training.
    const atProvince = await province.api('GET', `/teachers/${ids[0]}`, { token: provinceAdmin });
    assert.equal(atProvince.status, 200, JSON.stringify(atProvince.body));
    const provinceTraining = atProvince.body.record.domesticTraining as Record<string, unknown>[];
    const confirmedThere = provinceTraining.filter((e) => e.confirmed === true);
    assert.equal(confirmedThere.length, 1);
    assert.equal(confirmedThere[0].hours, 45);
    const ministryAdmin = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    for (const token of [ministryAdmin, ministry]) {
      const view = await national.api('GET', `/national/teachers/${ids[0]}`, { token });
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.deepEqual(view.body.record.domesticTraining, provinceTraining);
    }
    // The national export (the bulk layout) carries the same sub-set 13 rows, the confirmed one under its entry id.
    const idNumber = String(atProvince.body.record.basic.idNumber);
    const file = await fetch(`${national.url}/national/teachers/export?format=xlsx&idNumber=${idNumber}`, {
      headers: { authorization: `Bearer ${ministryAdmin}` },
    });
    assert.equal(file.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await file.arrayBuffer()) as never);
    const sheet = wb.getWorksheet('国内培训')!;
    const keys = (sheet.getRow(3).values as unknown[]).map(String);
    const exported: { id: string; hours: number }[] = [];
    for (let i = 4; i <= sheet.rowCount; i++) {
      const row = sheet.getRow(i);
      exported.push({
        id: String(row.getCell(keys.indexOf('id')).value),
        hours: Number(row.getCell(keys.indexOf('hours')).value),
      });
    }
    assert.deepEqual(
      exported.map((e) => e.id).sort(),
      provinceTraining.map((e) => String(e.id)).sort(),
      'the export has the typed entries and the confirmed one',
    );
    assert.equal(exported.find((e) => e.id === String(confirmedThere[0].id))?.hours, 45);
    // The teacher without a result: only what was typed.
    const other = await national.api('GET', `/national/teachers/${ids[2]}`, { token: ministryAdmin });
    assert.equal(other.status, 200);
    assert.ok(((other.body.record.domesticTraining ?? []) as { confirmed?: boolean }[]).every((e) => !e.confirmed));
    // Another province's reader does not see the record (nor its training).
    const p12 = await national.tokenFor(await national.account(await national.unitByCode('120000'), Role.InfoAdmin));
    assert.equal((await national.api('GET', `/national/teachers/${ids[0]}`, { token: p12 })).status, 404);

    // A national node that lost the credits gets them back from a resync (after the records), with the
    // confirmed training: the record view is as before.
    const held = await national.db.query(
      `SELECT teacher_id::text AS id, credits FROM national_teacher_credit WHERE teacher_id = ANY($1::uuid[]) ORDER BY 1`,
      [ids],
    );
    await national.db.query(`DELETE FROM national_teacher_credit WHERE teacher_id = ANY($1::uuid[])`, [ids]);
    const resync = await province.api('POST', '/sync/resync', { token: provinceAdmin });
    assert.equal(resync.status, 202, JSON.stringify(resync.body));
    const done = await until('the resync queued', async () => {
      const r = await province.api('GET', '/sync/resync', { token: provinceAdmin });
      return r.body.state === 'done' ? r.body : null;
    });
    assert.equal(done.creditsQueued, 2);
    const back = await until('credits at national again', async () => {
      const r = await national.db.query(
        `SELECT teacher_id::text AS id, credits FROM national_teacher_credit WHERE teacher_id = ANY($1::uuid[]) ORDER BY 1`,
        [ids],
      );
      return r.length === held.length ? r : null;
    });
    assert.deepEqual(back, held);
    const restored = await national.api('GET', `/national/teachers/${ids[0]}`, { token: ministryAdmin });
    assert.deepEqual(restored.body.record.domesticTraining, provinceTraining);
    const byCity = await national.api('GET', '/sync/training/completion?province=11', { token: ministry });
    assert.equal(byCity.status, 200, JSON.stringify(byCity.body));
    // The test's units were made by factories (not synced), so their city is unknown at national: the
    // breakdown still adds up to the province's figures.
    const sum = (k: 'teachers' | 'withCredits' | 'credits') =>
      byCity.body.rows.reduce((a: number, r: Record<string, number>) => a + r[k], 0);
    assert.deepEqual([sum('teachers'), sum('withCredits'), sum('credits')], [3, 2, 7.5]);
    const byProvince = await national.api('GET', '/sync/training/completion', { token: ministry });
    const p11 = byProvince.body.rows.find((r: { region: string }) => r.region === '110000');
    assert.deepEqual([p11.teachers, p11.withCredits, p11.credits, p11.coverage], [3, 2, 7.5, 0.667]);

    // Schema v3 is what the province sends now; an older envelope cannot carry the new type.
    const ingest = national.node.app.get(SyncIngestService);
    const v2 = JSON.stringify({
      schemaVersion: 2,
      eventId: crypto.randomUUID(),
      provinceCode: '11',
      sequence: 900000,
      type: 'teacher.credits',
      key: ids[2],
      occurredAt: new Date().toISOString(),
      payload: { teacherId: ids[2], unitCode: '2111000001', credits: [] },
    });
    assert.equal(await ingest.apply(v2), 'dead-letter');
    const [sent] = await province.db.query(
      `SELECT payload FROM sync_outbox WHERE type = 'teacher.credits' AND key = $1`,
      [ids[0]],
    );
    assert.equal(sent.payload.credits.length, 1);
  });
});

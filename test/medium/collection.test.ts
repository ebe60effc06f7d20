import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { TestNode } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

describe('change requests, status changes, spot checks, reporting cycles, to-do (provincial node)', () => {
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

  /** A record taken through the whole review: reported. */
  async function reported(unit = school, admin = schoolAdmin) {
    const record = validRecord();
    const r = await t.api('POST', '/teachers', { token: admin, body: { unitId: unit.id, record } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id as string;
    assert.equal(
      (await t.api('POST', `/teachers/${id}/review/submit`, { token: admin, body: { version: 1 } })).status,
      200,
    );
    assert.equal(
      (
        await t.api('POST', `/teachers/${id}/review/school-approve`, {
          token: admin,
          body: { version: 1, participants: ['甲'], principal: '甲' },
        })
      ).status,
      200,
    );
    assert.equal(
      (await t.api('POST', `/teachers/${id}/review/department-approve`, { token: countyAdmin, body: { version: 1 } }))
        .status,
      200,
    );
    return { id, record };
  }

  it('Art. 19: reported information changes only through a change request the department approves, atomically', async () => {
    const { id, record } = await reported();
    const direct = await t.api('PATCH', `/teachers/${id}`, {
      token: schoolAdmin,
      body: { version: 1, changes: { basic: { politicalStatus: '01' } } },
    });
    assert.equal(direct.status, 409);
    assert.equal(direct.body.code, 'TEACHER_CHANGE_REQUEST_REQUIRED');
    const eduId = (await t.api('GET', `/teachers/${id}`, { token: schoolAdmin })).body.record.education[0].id;
    const bad = await t.api('POST', `/teachers/${id}/change-requests`, {
      token: schoolAdmin,
      body: { baseVersion: 1, changes: { basic: { politicalStatus: '99' } }, reason: '入党' },
    });
    assert.equal(bad.status, 400, 'an invalid diff is refused at request time');
    const byCounty = await t.api('POST', `/teachers/${id}/change-requests`, {
      token: countyAdmin,
      body: { baseVersion: 1, changes: { basic: { politicalStatus: '01' } }, reason: 'x' },
    });
    assert.equal(byCounty.status, 403, 'requests come from the school');
    const cr = await t.api('POST', `/teachers/${id}/change-requests`, {
      token: schoolAdmin,
      body: {
        baseVersion: 1,
        changes: {
          basic: { politicalStatus: '01' },
          entries: [{ subSet: 'education', entryId: eduId, entry: { degree: '3' } }],
        },
        reason: '2026年入党；学位更正',
      },
    });
    assert.equal(cr.status, 201, JSON.stringify(cr.body));
    assert.equal(cr.body.state, 'pending');
    const unchanged = await t.api('GET', `/teachers/${id}`, { token: schoolAdmin });
    assert.equal(unchanged.body.record.basic.politicalStatus, '13', 'nothing applies before approval');
    const pending = await t.api('GET', '/change-requests', { token: countyAdmin });
    assert.ok(pending.body.some((x: { id: string }) => x.id === cr.body.id));
    assert.equal(
      (await t.api('POST', `/change-requests/${cr.body.id}/approve`, { token: schoolAdmin })).status,
      403,
      'the school cannot approve its own request',
    );
    const outsider = await t.tokenFor(await t.account(await t.newCounty(), Role.InfoAdmin));
    assert.equal((await t.api('POST', `/change-requests/${cr.body.id}/approve`, { token: outsider })).status, 403);
    const ok = await t.api('POST', `/change-requests/${cr.body.id}/approve`, { token: countyAdmin });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.state, 'approved');
    const after = await t.api('GET', `/teachers/${id}`, { token: schoolAdmin });
    assert.equal(after.body.record.basic.politicalStatus, '01');
    assert.equal(after.body.record.education[0].degree, '3');
    assert.equal(after.body.reviewState, 'reported');
    assert.equal(after.body.reportedVersion, 2);
    assert.equal(
      (await t.api('POST', `/change-requests/${cr.body.id}/approve`, { token: countyAdmin })).status,
      409,
      'decided once',
    );
    const h = await t.api('GET', `/teachers/${id}/history`, { token: schoolAdmin });
    assert.equal(h.body[h.body.length - 1].action, 'change-request');
    void record;
  });

  it('a stale change request is refused and marked stale; new information may still be added and goes back to review', async () => {
    const { id, record } = await reported();
    const first = await t.api('POST', `/teachers/${id}/change-requests`, {
      token: schoolAdmin,
      body: { baseVersion: 1, changes: { basic: { maritalStatus: '20' } }, reason: '婚姻状况' },
    });
    const second = await t.api('POST', `/teachers/${id}/change-requests`, {
      token: schoolAdmin,
      body: { baseVersion: 1, changes: { basic: { health: '1' } }, reason: '健康状况' },
    });
    assert.equal(
      (await t.api('POST', `/change-requests/${first.body.id}/approve`, { token: countyAdmin })).status,
      200,
    );
    const stale = await t.api('POST', `/change-requests/${second.body.id}/approve`, { token: countyAdmin });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'CHANGE_REQUEST_STALE');
    assert.equal(
      (await t.api('GET', `/change-requests/${second.body.id}`, { token: countyAdmin })).body.state,
      'stale',
    );
    assert.equal(
      (await t.api('GET', `/teachers/${id}`, { token: schoolAdmin })).body.record.basic.health,
      undefined,
      'nothing of the stale request applied',
    );
    // New information (a training) by the teacher is allowed and goes to review again.
    const acct = await t.account(school, Role.Teacher);
    await t.db.query(`UPDATE account SET id_number = $2::text, username = lower($2::text) WHERE id = $1`, [
      acct.id,
      idOf(record),
    ]);
    const teacher = await t.login(idOf(record).toLowerCase(), acct.password);
    const training = await t.api('POST', `/teachers/${id}/domesticTraining`, {
      token: teacher,
      body: { version: 2, entry: { projectName: '省培', startDate: '2026-07-01', endDate: '2026-07-05', hours: 30 } },
    });
    assert.equal(training.status, 201, JSON.stringify(training.body));
    assert.equal(training.body.reviewState, 'draft');
    const rejectMe = await t.api('POST', `/teachers/${id}/change-requests`, {
      token: schoolAdmin,
      body: { baseVersion: 3, changes: { basic: { health: '2' } }, reason: 'x' },
    });
    assert.equal(rejectMe.status, 409, 'a record back in review is edited directly, not by request');
  });

  it('Art. 22: status changes are recorded with effective dates by the school, audited, and move people out of active lists', async () => {
    const { id } = await reported();
    const teacherTry = await t.api('POST', `/teachers/${id}/status`, {
      token: await t.tokenFor(await t.account(school, Role.Query)),
      body: { version: 1, personStatus: '05', effectiveDate: '2026-08-31' },
    });
    assert.equal(teacherTry.status, 403);
    const r = await t.api('POST', `/teachers/${id}/status`, {
      token: schoolAdmin,
      body: { version: 1, personStatus: '05', effectiveDate: '2026-08-31', reason: '退休' },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.personStatus, '05');
    assert.equal(r.body.statusSince, '2026-08-31');
    assert.equal(r.body.active, false);
    assert.equal(r.body.reviewState, 'reported');
    const bad = await t.api('POST', `/teachers/${id}/status`, {
      token: schoolAdmin,
      body: { version: 2, personStatus: '42', effectiveDate: '2026-08-31' },
    });
    assert.equal(bad.status, 400);
    const audit = await t.db.query(`SELECT action FROM audit_log WHERE target_id = $1 ORDER BY id`, [id]);
    assert.ok(audit.some((a: { action: string }) => a.action === 'teacher.status-change'));
  });

  it('spot checks draw a reproducible sample, record results per item and publish a summary to the units concerned', async () => {
    const c = await t.newCounty();
    const admin = await t.tokenFor(await t.account(c, Role.InfoAdmin));
    const schools = [];
    for (let i = 0; i < 6; i++) schools.push(await t.newSchool(c));
    const a = await t.api('POST', '/spot-checks', { token: admin, body: { kind: 'schools', size: 3, seed: 'abc123' } });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(a.body.population, 6);
    assert.equal(a.body.items.length, 3);
    const b = await t.api('POST', '/spot-checks', { token: admin, body: { kind: 'schools', size: 3, seed: 'abc123' } });
    assert.deepEqual(
      b.body.items.map((x: { targetId: string }) => x.targetId),
      a.body.items.map((x: { targetId: string }) => x.targetId),
      'same seed, same sample',
    );
    for (const [i, item] of a.body.items.entries()) {
      const r = await t.api('PUT', `/spot-checks/${a.body.id}/items/${item.id}`, {
        token: admin,
        body: { result: i === 0 ? 'discrepancy' : 'verified', note: i === 0 ? '在编人数不符' : undefined },
      });
      assert.equal(r.status, 204);
    }
    const sampled = schools.find((s) => s.id === a.body.items[0].targetId)!;
    const schoolReader = await t.tokenFor(await t.account(sampled, Role.Query));
    assert.equal(
      (await t.api('GET', `/spot-checks/${a.body.id}`, { token: schoolReader })).status,
      403,
      'not visible before publication',
    );
    const pub = await t.api('POST', `/spot-checks/${a.body.id}/publish`, { token: admin });
    assert.deepEqual(pub.body.summary, { pending: 0, verified: 2, discrepancy: 1 });
    const seen = await t.api('GET', `/spot-checks/${a.body.id}`, { token: schoolReader });
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.summary, { pending: 0, verified: 2, discrepancy: 1 });
    assert.deepEqual(seen.body.items, [], 'the units concerned read the summary, not the working items');
    const stranger = await t.tokenFor(await t.account(await t.newCounty(), Role.InfoAdmin));
    assert.equal((await t.api('GET', `/spot-checks/${a.body.id}`, { token: stranger })).status, 403);
    assert.equal(
      (await t.api('POST', '/spot-checks', { token: schoolAdmin, body: { kind: 'teachers', size: 2 } })).status,
      403,
      'schools do not run spot checks',
    );
    const teachersCheck = await t.api('POST', '/spot-checks', {
      token: countyAdmin,
      body: { kind: 'teachers', size: 2 },
    });
    assert.equal(teachersCheck.status, 201);
    assert.match(teachersCheck.body.seed, /^[0-9a-f]{24}$/);
  });

  it('lists records failing ID validation or looking like duplicates to verify', async () => {
    const s = await t.newSchool(county);
    const a = await t.api('POST', '/teachers', { token: countyAdmin, body: { unitId: s.id, record: validRecord() } });
    const b = await t.api('POST', '/teachers', { token: countyAdmin, body: { unitId: s.id, record: validRecord() } });
    // legacy data: a record loaded before validation, and a second number for the same person
    await t.db.query(
      `UPDATE teacher SET id_number = substr(id_number, 1, 17) || CASE WHEN substr(id_number, 18) = '1' THEN '2' ELSE '1' END WHERE id = $1`,
      [a.body.id],
    );
    await t.db.query(
      `UPDATE teacher SET name = (SELECT name FROM teacher WHERE id = $1), birth_date = (SELECT birth_date FROM teacher WHERE id = $1), sex = (SELECT sex FROM teacher WHERE id = $1) WHERE id = $2`,
      [a.body.id, b.body.id],
    );
    const r = await t.api('GET', '/teachers-to-verify', { token: countyAdmin });
    assert.equal(r.status, 200);
    assert.ok(r.body.invalidIdNumber.some((x: { id: string }) => x.id === a.body.id));
    assert.ok(!r.body.invalidIdNumber.some((x: { id: string }) => x.id === b.body.id));
    assert.ok(
      r.body.possibleDuplicates.some(
        (d: { teacherIds: string[] }) => d.teacherIds.includes(a.body.id) && d.teacherIds.includes(b.body.id),
      ),
    );
  });

  it('Art. 18: a province sets cycles (31 March / 30 September by default), schools confirm, progress and overdue roll up', async () => {
    const provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
    assert.equal(
      (await t.api('POST', '/reporting-cycles/defaults', { token: countyAdmin, body: { year: 2027 } })).status,
      403,
    );
    const defaults = await t.api('POST', '/reporting-cycles/defaults', { token: provinceAdmin, body: { year: 2027 } });
    assert.equal(defaults.status, 201, JSON.stringify(defaults.body));
    assert.deepEqual(
      defaults.body.map((c: { deadline: string }) => c.deadline),
      ['2027-03-31', '2027-09-30'],
    );
    const period = `T${Date.now().toString(36)}`;
    const past = await t.api('POST', '/reporting-cycles', {
      token: provinceAdmin,
      body: { name: '测试周期', period, deadline: '2026-01-31' },
    });
    assert.equal(past.status, 201);
    const c = await t.newCounty();
    const s1 = await t.newSchool(c);
    const s2 = await t.newSchool(c);
    const s3 = await t.newSchool(c);
    const s1Admin = await t.tokenFor(await t.account(s1, Role.InfoAdmin));
    await t.api('POST', '/teachers', { token: s1Admin, body: { unitId: s1.id, record: validRecord() } });
    const conf = await t.api('POST', `/reporting-cycles/${past.body.id}/confirm`, { token: s1Admin, body: {} });
    assert.equal(conf.status, 200, JSON.stringify(conf.body));
    assert.equal(conf.body.teachers, 1);
    assert.equal(
      (await t.api('POST', `/reporting-cycles/${past.body.id}/confirm`, { token: s1Admin, body: { schoolId: s2.id } }))
        .status,
      403,
      'a school confirms only itself',
    );
    const countyInfo = await t.tokenFor(await t.account(c, Role.InfoAdmin));
    assert.equal(
      (
        await t.api('POST', `/reporting-cycles/${past.body.id}/confirm`, {
          token: countyInfo,
          body: { schoolId: s2.id },
        })
      ).status,
      200,
      'or its department on its behalf',
    );
    const progress = await t.api('GET', `/reporting-cycles/${past.body.id}/progress?unitId=${c.id}`, {
      token: countyInfo,
    });
    assert.equal(progress.status, 200, JSON.stringify(progress.body));
    assert.equal(progress.body.schools, 3);
    assert.equal(progress.body.confirmed, 2);
    assert.equal(progress.body.pastDeadline, true);
    assert.deepEqual(
      progress.body.overdueSchools.map((x: { id: string }) => x.id),
      [s3.id],
    );
    assert.equal(progress.body.children.length, 3);
    const up = await t.api('GET', `/reporting-cycles/${past.body.id}/progress`, { token: provinceAdmin });
    const cityRow = up.body.children.find((x: { code: string }) => c.code.startsWith(x.code.slice(0, 4)));
    assert.ok(cityRow.schools >= 3 && cityRow.confirmed >= 2);
    const todo = await t.api('GET', '/todo', { token: await t.tokenFor(await t.account(s3, Role.InfoAdmin)) });
    assert.ok(
      todo.body.items.some((i: { kind: string }) => i.kind === 'cycle-confirmation'),
      JSON.stringify(todo.body),
    );
  });

  it('submission runs a completeness check: a new required custom field blocks it until filled in', async () => {
    // A special-education school: no other test uses that indicator set, so the required field bothers nobody else.
    const s = await t.newSchool(county, '51');
    const admin = await t.tokenFor(await t.account(s, Role.InfoAdmin));
    const created = await t.api('POST', '/teachers', {
      token: admin,
      body: { unitId: s.id, record: validRecord({ exchangeRotation: undefined }) },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
    const key = `x_req${Date.now().toString(36)}`;
    assert.equal(
      (
        await t.api('POST', '/custom-fields', {
          token: provinceAdmin,
          body: {
            key,
            zh: '必填测试',
            en: 'Required test',
            type: 'boolean',
            subSet: 'basic',
            requiredIn: ['special-education'],
            owner: 'school',
            sensitivity: 'normal',
          },
        })
      ).status,
      201,
    );
    try {
      await new Promise((r) => setTimeout(r, 5100)); // custom definitions are cached for 5 s
      const check = await t.api('GET', `/teachers/${created.body.id}/completeness`, { token: admin });
      assert.equal(check.body.complete, false);
      assert.deepEqual(
        check.body.problems.map((p: { path: string }) => p.path),
        [`record.basic.${key}`],
      );
      const refused = await t.api('POST', `/teachers/${created.body.id}/review/submit`, {
        token: admin,
        body: { version: 1 },
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0].path, `record.basic.${key}`);
      const filled = await t.api('PATCH', `/teachers/${created.body.id}`, {
        token: admin,
        body: { version: 1, changes: { basic: { [key]: true } } },
      });
      assert.equal(filled.status, 200);
      assert.equal(
        (await t.api('POST', `/teachers/${created.body.id}/review/submit`, { token: admin, body: { version: 2 } }))
          .status,
        200,
      );
    } finally {
      await t.api('POST', `/custom-fields/${key}/retire`, { token: provinceAdmin });
    }
  });

  it('the to-do list counts what awaits each account', async () => {
    const c = await t.newCounty();
    const s = await t.newSchool(c);
    const sAdmin = await t.tokenFor(await t.account(s, Role.InfoAdmin));
    const cAdmin = await t.tokenFor(await t.account(c, Role.InfoAdmin));
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const r = await t.api('POST', '/teachers', { token: sAdmin, body: { unitId: s.id, record: validRecord() } });
      await t.api('POST', `/teachers/${r.body.id}/review/submit`, { token: sAdmin, body: { version: 1 } });
      ids.push(r.body.id);
    }
    await t.api('POST', `/teachers/${ids[0]}/review/school-approve`, {
      token: sAdmin,
      body: { version: 1, participants: ['甲'], principal: '甲' },
    });
    const schoolTodo = await t.api('GET', '/todo', { token: sAdmin });
    assert.equal(schoolTodo.body.items.find((i: { kind: string }) => i.kind === 'school-review').count, 2);
    const countyTodo = await t.api('GET', '/todo', { token: cAdmin });
    assert.equal(countyTodo.body.items.find((i: { kind: string }) => i.kind === 'department-review').count, 1);
    assert.ok(countyTodo.body.items.every((i: { zh: string; en: string }) => i.zh && i.en));
  });
});

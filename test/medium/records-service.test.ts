import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role, type Actor } from '@tmis/access';
import { randomInt } from 'node:crypto';
import { OrgRepository, UnitKind, type OrgUnitEntity } from '@tmis/org';
import {
  ChangeRequestService,
  RecordReporting,
  ReviewService,
  TeacherService,
  UnitChangesService,
} from '@tmis/teachers';
import { TestNode, type TestAccount } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';

type Rec = Record<string, unknown>;

/** The Actor the auth guard would resolve for a test account. */
function actorOf(a: TestAccount, unit: OrgUnitEntity): Actor {
  return {
    accountId: a.id,
    sessionId: 'service-test',
    role: a.role,
    unitId: unit.id,
    unitPath: unit.path,
    unitLevel: unit.level,
    mustChangePassword: false,
  };
}

const refused = (code: string) => (e: unknown) => {
  assert.equal((e as { code?: string }).code, code, String(e));
  return true;
};

/** The services of one node, and a county with a school and its actors. */
async function setup(t: TestNode, county: OrgUnitEntity, school: OrgUnitEntity) {
  const app = t.node.app;
  const actor = async (unit: OrgUnitEntity, role: Role) => actorOf(await t.account(unit, role), unit);
  const ctx = {
    teachers: app.get(TeacherService),
    review: app.get(ReviewService),
    changes: app.get(ChangeRequestService),
    units: app.get(UnitChangesService),
    reporting: app.get(RecordReporting),
    schoolAdmin: await actor(school, Role.InfoAdmin),
    countyAdmin: await actor(county, Role.InfoAdmin),
    query: await actor(school, Role.Query),
    sysAdmin: await actor(school, Role.SysAdmin),
    admins: new Map<string, Actor>(),
    /** The school's information administrator (one per school). */
    async adminOf(unit: OrgUnitEntity): Promise<Actor> {
      if (unit.id === school.id) return ctx.schoolAdmin;
      if (!ctx.admins.has(unit.id)) ctx.admins.set(unit.id, await actor(unit, Role.InfoAdmin));
      return ctx.admins.get(unit.id)!;
    },
    async create(unit = school, record: Rec = validRecord()) {
      return ctx.teachers.create(await ctx.adminOf(unit), { unitId: unit.id, record } as never);
    },
    async approvedBySchool(unit = school) {
      const t0 = await ctx.create(unit);
      const admin = await ctx.adminOf(unit);
      await ctx.review.act(admin, t0.id, 'submit', { version: 1 });
      await ctx.review.act(admin, t0.id, 'school-approve', {
        version: 1,
        participants: ['甲'],
        principal: '甲',
      });
      return t0.id;
    },
    async reported(unit = school) {
      const id = await ctx.approvedBySchool(unit);
      await ctx.review.act(ctx.countyAdmin, id, 'department-approve', { version: 1 });
      return id;
    },
    /** `teacher.upserted` rows in this node's outbox for a record. */
    async events(teacherId: string): Promise<number> {
      return t.count(`SELECT count(*) FROM sync_outbox WHERE type = 'teacher.upserted' AND key = $1`, [teacherId]);
    },
  };
  return ctx;
}

describe('TeacherService and the reported transition, called as services (provincial node)', () => {
  let t: TestNode;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    t = await TestNode.start('provincial');
    county = await t.newCounty();
    school = await t.newSchool(county);
    s = await setup(t, county, school);
  });
  after(() => t.close());

  async function teacherActor(record: Rec): Promise<Actor> {
    const acct = await t.account(school, Role.Teacher);
    await t.db.query(`UPDATE account SET id_number = $2::text WHERE id = $1`, [acct.id, idOf(record)]);
    return actorOf(acct, school);
  }

  it('owner rules: a teacher may not write pay, assessment, ethics or title fields; query users and system administrators write nothing', async () => {
    const record = validRecord();
    const created = await s.create(school, record);
    const teacher = await teacherActor(record);
    const entries: [string, Rec][] = [
      ['annualAssessment', { year: 2025, result: '1' }],
      ['payBenefits', { year: 2025, annualPay: 120000 }],
      ['ethics', { kind: '2', date: '2025-06-01', description: '优秀教师' }],
      ['professionalTitle', { title: '013', startMonth: '2020-09' }],
    ];
    for (const [subSet, entry] of entries)
      await assert.rejects(
        s.teachers.addEntry(teacher, created.id, subSet, 1, entry),
        refused('TEACHER_FIELD_NOT_WRITABLE'),
      );
    for (const who of [s.query, s.sysAdmin])
      await assert.rejects(
        s.teachers.update(who, created.id, { version: 1, changes: { contacts: { mobile: '13912345678' } } }),
        refused('FORBIDDEN'),
      );
    assert.equal((await s.teachers.get(s.schoolAdmin, created.id)).version, 1, 'nothing was written');
    const own = await s.teachers.update(teacher, created.id, {
      version: 1,
      changes: { contacts: { mobile: '13912345678' } },
    });
    assert.equal(own.version, 2);
    const bySchool = await s.teachers.addEntry(s.schoolAdmin, created.id, 'annualAssessment', 2, {
      year: 2025,
      result: '1',
    });
    assert.equal((bySchool.record.annualAssessment as Rec[]).length, 1);
  });

  it('status rules: recorded by an information administrator, also during review; the record keeps its review state', async () => {
    const record = validRecord();
    const created = await s.create(school, record);
    const teacher = await teacherActor(record);
    await assert.rejects(s.teachers.changeStatus(teacher, created.id, 1, '04', '2026-08-31'), refused('FORBIDDEN'));
    await s.review.act(s.schoolAdmin, created.id, 'submit', { version: 1 });
    const changed = await s.teachers.changeStatus(s.schoolAdmin, created.id, 1, '04', '2026-08-31', '辞职');
    assert.equal(changed.personStatus, '04');
    assert.equal(changed.active, false);
    assert.equal(changed.reviewState, 'submitted');
    assert.equal(await s.events(created.id), 0, 'a record not reported is not announced');
  });

  it('review locks: the teacher does not edit a submitted record, nobody edits one awaiting the department, reported fields need a change request', async () => {
    const record = validRecord();
    const created = await s.create(school, record);
    const teacher = await teacherActor(record);
    const mobile = { version: 1, changes: { contacts: { mobile: '13700000000' } } };
    await s.review.act(s.schoolAdmin, created.id, 'submit', { version: 1 });
    await assert.rejects(s.teachers.update(teacher, created.id, mobile), refused('TEACHER_RECORD_IN_REVIEW'));
    await s.review.act(s.schoolAdmin, created.id, 'school-approve', {
      version: 1,
      participants: ['甲'],
      principal: '甲',
    });
    await assert.rejects(s.teachers.update(s.schoolAdmin, created.id, mobile), refused('TEACHER_RECORD_IN_REVIEW'));
    await s.review.act(s.countyAdmin, created.id, 'department-approve', { version: 1 });
    await assert.rejects(
      s.teachers.update(s.schoolAdmin, created.id, { version: 1, changes: { basic: { name: '改名' } } }),
      refused('TEACHER_CHANGE_REQUEST_REQUIRED'),
    );
    // New information on a reported record sends it back to draft, and is not announced.
    const before = await s.events(created.id);
    const added = await s.teachers.addEntry(s.schoolAdmin, created.id, 'teaching', 1, {
      schoolYear: '2025-2026',
      semester: '2',
      subject: '02',
      grade: '八年级',
      weeklyHours: 10,
    });
    assert.equal(added.reviewState, 'draft');
    assert.equal(await s.events(created.id), before);
  });

  it('every path that reports a record writes exactly one teacher.upserted per record to sync_outbox', async () => {
    // Department approval.
    const approved = await s.reported();
    assert.equal(await s.events(approved), 1);
    const row = await s.teachers.get(s.schoolAdmin, approved);
    assert.equal(row.reviewState, 'reported');
    assert.equal(row.reportedVersion, row.version);

    // An approved change request: stays reported at its new version.
    const cr = await s.changes.create(s.schoolAdmin, approved, 1, { contacts: { mobile: '13600000000' } }, '换号');
    assert.equal(await s.events(approved), 1, 'requesting announces nothing (and writes nothing)');
    assert.equal((await s.teachers.get(s.schoolAdmin, approved)).version, 1);
    await s.changes.approve(s.countyAdmin, cr.id);
    assert.equal(await s.events(approved), 2);
    const afterCr = await s.teachers.get(s.schoolAdmin, approved);
    assert.equal(afterCr.reviewState, 'reported');
    assert.equal(afterCr.reportedVersion, 2);

    // A status change of a reported record.
    await s.teachers.changeStatus(s.schoolAdmin, approved, 2, '03', '2026-09-01');
    assert.equal(await s.events(approved), 3);
    const [payload] = await t.db.query(
      `SELECT payload FROM sync_outbox WHERE type = 'teacher.upserted' AND key = $1 ORDER BY sequence DESC LIMIT 1`,
      [approved],
    );
    assert.equal(payload.payload.personStatus, '03');
    assert.equal(payload.payload.reportedVersion, 3);
    assert.equal(payload.payload.unitCode, school.code);

    // A merge moves the school's records: the reported ones are re-reported under the absorbing school.
    const from = await t.newSchool(county);
    const into = await t.newSchool(county);
    const movedReported = [await s.reported(from), await s.reported(from)];
    const movedDraft = (await s.create(from)).id;
    const counts = async (ids: string[]) => Promise.all(ids.map((id) => s.events(id)));
    assert.deepEqual(await counts(movedReported), [1, 1]);
    await s.units.merge(s.countyAdmin, from.id, { version: from.version, intoId: into.id });
    assert.deepEqual(await counts(movedReported), [2, 2]);
    assert.equal(await s.events(movedDraft), 0);
    const [merged] = await t.db.query(
      `SELECT payload FROM sync_outbox WHERE type = 'teacher.upserted' AND key = $1 ORDER BY sequence DESC LIMIT 1`,
      [movedReported[0]],
    );
    assert.equal(merged.payload.unitCode, into.code);

    // The set-based method bulk paths call.
    const ready = [await s.approvedBySchool(), await s.approvedBySchool(), await s.approvedBySchool()];
    assert.equal(await s.reporting.reportMany([...ready, ready[0]]), 3);
    assert.deepEqual(await counts(ready), [1, 1, 1]);
    for (const id of ready) assert.equal((await s.teachers.get(s.schoolAdmin, id)).reviewState, 'reported');
  });
});

describe('the reported transition on the national node (central universities) announces nothing', () => {
  let n: TestNode;
  before(async () => {
    n = await TestNode.start('national');
  });
  after(() => n.close());

  it('department approval, change request, status change and reportMany write no sync_outbox row', async () => {
    const ministry = await n.unitByCode('000000');
    // A central-ministry university (directly under the ministry), made by the factory's repository.
    let school: OrgUnitEntity | null = null;
    for (let attempt = 0; !school && attempt < 20; attempt++) {
      const code = `4111${String(randomInt(0, 1e6)).padStart(6, '0')}`;
      school = await n.node.app
        .get(OrgRepository)
        .insert({
          kind: UnitKind.School,
          level: 5,
          code,
          name: `服务测试部属大学${code}`,
          parentId: ministry.id,
          path: `${ministry.path}${code}/`,
          schoolType: '41',
          urbanRural: '111',
          sponsor: '1',
          central: true,
        })
        .catch(() => null);
    }
    assert.ok(school);
    const s = await setup(n, ministry, school);
    const before = await n.count(`SELECT count(*) FROM sync_outbox`);
    const id = await s.reported();
    const cr = await s.changes.create(s.schoolAdmin, id, 1, { contacts: { mobile: '13500000000' } }, '换号');
    await s.changes.approve(s.countyAdmin, cr.id);
    await s.teachers.changeStatus(s.schoolAdmin, id, 2, '03', '2026-09-01');
    const other = await s.approvedBySchool();
    assert.equal(await s.reporting.reportMany([other]), 1);
    assert.equal((await s.teachers.get(s.schoolAdmin, id)).reviewState, 'reported');
    assert.equal(await n.count(`SELECT count(*) FROM sync_outbox`), before);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { TestNode, type ApiResponse, type TestAccount } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';
import type { OrgUnitEntity } from '@tmis/org';

describe('teacher electronic record (provincial node)', () => {
  let t: TestNode;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let schoolAdmin: string;
  let countyAdmin: string;
  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11' });
    county = await t.newCounty();
    school = await t.newSchool(county);
    schoolAdmin = await t.tokenFor(await t.account(school, Role.InfoAdmin));
    countyAdmin = await t.tokenFor(await t.account(county, Role.InfoAdmin));
  });
  after(() => t.close());

  const create = (token: string, record: Record<string, unknown>, unitId = school.id) =>
    t.api('POST', '/teachers', { token, body: { unitId, record } });

  /** A teacher account for the record's person (same ID number), at the record's school. */
  async function teacherAccountFor(record: Record<string, unknown>, unit = school): Promise<TestAccount> {
    const acct = await t.account(unit, Role.Teacher);
    await t.db.query(`UPDATE account SET id_number = $2::text, username = lower($2::text) WHERE id = $1`, [
      acct.id,
      idOf(record),
    ]);
    return { ...acct, username: idOf(record).toLowerCase() };
  }

  it('registers a record (Art. 21): stored with its catalogue version, searchable columns and a history entry', async () => {
    const record = validRecord();
    const r = await create(schoolAdmin, record);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.catalogueVersion, '2026.1');
    assert.equal(r.body.record.basic.idNumber, idOf(record));
    assert.equal(r.body.record.education.length, 1);
    assert.match(r.body.record.education[0].id, /^[0-9a-f-]{36}$/);
    const [row] = await t.db.query(`SELECT name, active, school_type, subjects, unit_path FROM teacher WHERE id = $1`, [
      r.body.id,
    ]);
    assert.equal(row.name, (record.basic as { name: string }).name);
    assert.equal(row.active, true);
    assert.equal(row.school_type, '21');
    assert.deepEqual(row.subjects, ['02']);
    assert.equal(row.unit_path, school.path);
    const h = await t.api('GET', `/teachers/${r.body.id}/history`, { token: schoolAdmin });
    assert.equal(h.body.length, 1);
    assert.equal(h.body[0].action, 'create');
    assert.ok(h.body[0].changes.some((c: { path: string }) => c.path === 'basic.name'));
  });

  it('refuses malformed records with field paths (wrong types, unknown fields, oversize lists, bad codes, ID rules) and writes nothing', async () => {
    const before = await t.count('SELECT count(*) FROM teacher WHERE unit_id = $1', [school.id]);
    const cases: [Record<string, unknown>, string[]][] = [
      [validRecord({ basic: { sex: 1 } }), ['record.basic.sex']],
      [validRecord({ basic: { shoeSize: 42 } }), ['record.basic.shoeSize']],
      [validRecord({ basic: { politicalStatus: '77' } }), ['record.basic.politicalStatus']],
      [validRecord({ basic: { idNumber: '110101199001011230' } }), ['record.basic.idNumber']],
      [validRecord({ basic: { onEstablishment: false } }), ['record.basic.employmentForm']],
      [
        validRecord({
          education: Array.from({ length: 101 }, () => ({
            startMonth: '2000-09',
            schoolName: 'x',
            educationLevel: '21',
          })),
        }),
        ['record.education'],
      ],
      [validRecord({ awards: [] }), ['record.awards']],
    ];
    for (const [record, paths] of cases) {
      const r = await create(schoolAdmin, record);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.code, 'TEACHER_INVALID_RECORD');
      assert.deepEqual(r.body.errors.map((e: { path: string }) => e.path).sort(), paths);
      assert.ok(r.body.errors.every((e: { messageZh: string }) => e.messageZh.length > 0));
    }
    const notObject = await t.api('POST', '/teachers', {
      token: schoolAdmin,
      body: { unitId: school.id, record: 'x', extra: 1 },
    });
    assert.equal(notObject.status, 400);
    assert.deepEqual(notObject.body.errors.map((e: { path: string }) => e.path).sort(), ['extra', 'record']);
    assert.equal(await t.count('SELECT count(*) FROM teacher WHERE unit_id = $1', [school.id]), before);
  });

  it('one person, one record: a second record is refused with a pointer to the existing school within scope', async () => {
    const record = validRecord();
    assert.equal((await create(schoolAdmin, record)).status, 201);
    const other = await t.newSchool(county);
    const again = await create(
      countyAdmin,
      { ...record, basic: { ...(record.basic as object), name: '另一个名字' } },
      other.id,
    );
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'TEACHER_DUPLICATE');
    assert.equal(again.body.existing.unitId, school.id);
    const elsewhere = await t.newSchool();
    const stranger = await t.tokenFor(await t.account(elsewhere, Role.InfoAdmin));
    const hidden = await create(stranger, record, elsewhere.id);
    assert.equal(hidden.status, 409);
    assert.deepEqual(hidden.body.existing, { inYourScope: false });
  });

  it('owner rules per role: the teacher edits teacher-owned fields only; the school enters assessment; the teacher never sees it', async () => {
    const record = validRecord();
    const created = await create(schoolAdmin, record);
    const id = created.body.id;
    const teacher = await t.tokenFor(await teacherAccountFor(record));
    const mine = await t.api('GET', '/teachers/me', { token: teacher });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.id, id);
    const assessment = await t.api('POST', `/teachers/${id}/annualAssessment`, {
      token: teacher,
      body: { version: mine.body.version, entry: { year: 2025, result: '1' } },
    });
    assert.equal(assessment.status, 403);
    assert.equal(assessment.body.code, 'TEACHER_FIELD_NOT_WRITABLE');
    assert.ok(assessment.body.errors.some((e: { path: string }) => e.path === 'record.annualAssessment[0].result'));
    const status = await t.api('PATCH', `/teachers/${id}`, {
      token: teacher,
      body: { version: mine.body.version, changes: { basic: { personStatus: '04' } } },
    });
    assert.equal(status.status, 403);
    const contacts = await t.api('PATCH', `/teachers/${id}`, {
      token: teacher,
      body: { version: mine.body.version, changes: { contacts: { mobile: '13912345678' } } },
    });
    assert.equal(contacts.status, 200, JSON.stringify(contacts.body));
    const training = await t.api('POST', `/teachers/${id}/domesticTraining`, {
      token: teacher,
      body: {
        version: contacts.body.version,
        entry: { projectName: '国培计划', startDate: '2025-07-01', endDate: '2025-07-10', hours: 40 },
      },
    });
    assert.equal(training.status, 201, JSON.stringify(training.body));
    const bySchool = await t.api('POST', `/teachers/${id}/annualAssessment`, {
      token: schoolAdmin,
      body: { version: training.body.version, entry: { year: 2025, result: '1' } },
    });
    assert.equal(bySchool.status, 201);
    assert.equal(bySchool.body.record.annualAssessment[0].result, '1');
    const teacherView = await t.api('GET', `/teachers/${id}`, { token: teacher });
    assert.equal(teacherView.body.record.annualAssessment, undefined, 'assessment is kept by the school');
    assert.equal(teacherView.body.record.domesticTraining.length, 1);
    const otherRecord = await create(schoolAdmin, validRecord());
    assert.equal(
      (await t.api('GET', `/teachers/${otherRecord.body.id}`, { token: teacher })).status,
      403,
      'a teacher reads only their own record',
    );
    const [row] = await t.db.query(`SELECT record->'contacts'->>'mobile' AS m FROM teacher WHERE id = $1`, [id]);
    assert.equal(row.m, '13912345678');
  });

  it('query users see ID numbers and contacts masked, and no pay; they cannot write', async () => {
    const created = await create(schoolAdmin, validRecord({ payBenefits: [{ year: 2025, annualPay: 120000 }] }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const query = await t.tokenFor(await t.account(county, Role.Query));
    const r = await t.api('GET', `/teachers/${created.body.id}`, { token: query });
    assert.equal(r.status, 200);
    assert.match(r.body.idNumber, /^\d{3}\*{11}[\dX]{4}$/);
    assert.match(r.body.record.basic.idNumber, /\*/);
    assert.match(r.body.record.contacts.mobile, /^\d{3}\*{4}\d{4}$/);
    assert.equal(r.body.record.payBenefits, undefined);
    assert.ok(!JSON.stringify(r.body).includes(created.body.record.basic.idNumber));
    const w = await t.api('PATCH', `/teachers/${created.body.id}`, {
      token: query,
      body: { version: 1, changes: { basic: { name: '改名' } } },
    });
    assert.equal(w.status, 403);
    const sysadmin = await t.tokenFor(await t.account(await t.newSchool(county), Role.SysAdmin));
    assert.equal((await t.api('GET', '/teachers', { token: sysadmin })).status, 403);
  });

  it('refuses cross-scope reads and writes', async () => {
    const created = await create(schoolAdmin, validRecord());
    const otherCounty = await t.newCounty();
    const outsider = await t.tokenFor(await t.account(otherCounty, Role.InfoAdmin));
    assert.equal((await t.api('GET', `/teachers/${created.body.id}`, { token: outsider })).status, 403);
    assert.equal(
      (
        await t.api('PATCH', `/teachers/${created.body.id}`, {
          token: outsider,
          body: { version: 1, changes: { basic: { name: '越权' } } },
        })
      ).status,
      403,
    );
    assert.equal((await t.api('GET', `/teachers?unitId=${county.id}`, { token: outsider })).status, 403);
    const list = await t.api('GET', '/teachers', { token: outsider });
    assert.ok(!list.body.items.some((x: { id: string }) => x.id === created.body.id));
    assert.equal((await create(outsider, validRecord())).status, 403);
  });

  it('keeps every change (who, when, before, after) and refuses a stale update', async () => {
    const created = await create(schoolAdmin, validRecord());
    const id = created.body.id;
    const first = await t.api('PATCH', `/teachers/${id}`, {
      token: schoolAdmin,
      body: { version: 1, changes: { basic: { formerName: '张小明', maritalStatus: '20' } } },
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.version, 2);
    const stale = await t.api('PATCH', `/teachers/${id}`, {
      token: countyAdmin,
      body: { version: 1, changes: { basic: { formerName: '冲突' } } },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.code, 'STALE_VERSION');
    const eduId = first.body.record.education[0].id;
    const edu = await t.api('PATCH', `/teachers/${id}/education/${eduId}`, {
      token: countyAdmin,
      body: { version: 2, entry: { degree: '3', major: '数学' } },
    });
    assert.equal(edu.status, 200, JSON.stringify(edu.body));
    const removed = await t.api('DELETE', `/teachers/${id}/teaching/${edu.body.record.teaching[0].id}?version=3`, {
      token: schoolAdmin,
    });
    assert.equal(removed.status, 200);
    assert.deepEqual(removed.body.subjects, []);
    const h = await t.api('GET', `/teachers/${id}/history`, { token: schoolAdmin });
    assert.deepEqual(
      h.body.map((c: { action: string }) => c.action),
      ['create', 'update', 'entry.update', 'entry.remove'],
    );
    assert.deepEqual(h.body[1].changes.map((c: { path: string }) => c.path).sort(), [
      'basic.formerName',
      'basic.maritalStatus',
    ]);
    assert.deepEqual(
      h.body[2].changes.find((c: { path: string }) => c.path === 'education[0].degree'),
      { path: 'education[0].degree', before: '4', after: '3' },
    );
    assert.ok(h.body.every((c: { actorAccountId: string; at: string }) => c.actorAccountId && c.at));
  });

  it('people who left stay in the archive but drop out of active lists (Art. 22)', async () => {
    const s = await t.newSchool(county);
    const created = await create(schoolAdmin, validRecord(), s.id).catch(() => null);
    void created;
    const rec = await create(countyAdmin, validRecord(), s.id);
    const left = await t.api('PATCH', `/teachers/${rec.body.id}`, {
      token: countyAdmin,
      body: { version: 1, changes: { basic: { personStatus: '04', statusSince: '2026-07-31' } } },
    });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    assert.equal(left.body.active, false);
    assert.equal(left.body.statusSince, '2026-07-31');
    const active = await t.api('GET', `/teachers?unitId=${s.id}`, { token: countyAdmin });
    assert.ok(!active.body.items.some((x: { id: string }) => x.id === rec.body.id));
    const all = await t.api('GET', `/teachers?unitId=${s.id}&includeInactive=true`, { token: countyAdmin });
    assert.ok(all.body.items.some((x: { id: string }) => x.id === rec.body.id));
    const resigned = await t.api('GET', `/teachers?unitId=${s.id}&personStatus=04`, { token: countyAdmin });
    assert.deepEqual(
      resigned.body.items.map((x: { id: string }) => x.id),
      [rec.body.id],
    );
  });

  it('a name prefix over the whole province pages through every match in page order, across counties', async () => {
    // Over a province a name prefix is looked up through the name index and its matches sorted into
    // page order (unit path, name, id): the pages must still be that order, with no gap or repeat.
    const province = await t.tokenFor(await t.account(await t.unitByCode('110000'), Role.InfoAdmin));
    const prefix = `谭${Date.now().toString(36).slice(-3)}`;
    const made: string[] = [];
    const pathOf = new Map<string, string>();
    for (const c of [await t.newCounty(), await t.newCounty()]) {
      const sch = await t.newSchool(c);
      pathOf.set(sch.id, sch.path);
      const admin = await t.tokenFor(await t.account(c, Role.InfoAdmin));
      for (const n of ['乙', '甲', '丙']) {
        const r = await create(admin, validRecord({ basic: { name: `${prefix}${n}` } }), sch.id);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        made.push(r.body.id);
      }
    }
    const rows: { id: string; unitId: string; name: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r: { status: number; body: { items: typeof rows; nextCursor: string | null } } = await t.api(
        'GET',
        `/teachers?name=${encodeURIComponent(prefix)}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        { token: province },
      );
      assert.equal(r.status, 200, JSON.stringify(r.body));
      rows.push(...r.body.items);
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 2);
    assert.deepEqual(rows.map((x) => x.id).sort(), [...made].sort(), 'every match once');
    const key = (x: (typeof rows)[number]) => [pathOf.get(x.unitId)!, x.name, x.id];
    const inOrder = [...rows].sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return Buffer.compare(Buffer.from(ka[i]), Buffer.from(kb[i]));
      return 0;
    });
    assert.deepEqual(
      rows.map((x) => x.id),
      inOrder.map((x) => x.id),
      'page order: unit path, then name, then id',
    );
  });

  it('searches a subtree by name, subject, title and qualification with stable keyset paging', async () => {
    const s = await t.newSchool(county);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await create(
        countyAdmin,
        validRecord({
          basic: { name: `王${i}` },
          teaching: [{ schoolYear: '2025-2026', subject: i % 2 ? '03' : '02' }],
          professionalTitle: [{ title: '013', startMonth: '2020-09' }],
          qualification: [{ qualificationType: '3' }],
        }),
        s.id,
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.api(
        'GET',
        `/teachers?unitId=${s.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: countyAdmin },
      );
      pages.push(...r.body.items.map((x) => x.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    assert.deepEqual([...pages].sort(), [...ids].sort());
    const english = await t.api('GET', `/teachers?unitId=${s.id}&subject=03`, { token: countyAdmin });
    assert.equal(english.body.items.length, 2);
    const named = await t.api('GET', `/teachers?unitId=${s.id}&name=${encodeURIComponent('王3')}`, {
      token: countyAdmin,
    });
    assert.deepEqual(
      named.body.items.map((x: { id: string }) => x.id),
      [ids[3]],
    );
    assert.equal(
      (await t.api('GET', `/teachers?unitId=${s.id}&title=013&qualificationType=3`, { token: countyAdmin })).body.items
        .length,
      5,
    );
    assert.equal(
      (await t.api('GET', `/teachers?unitId=${s.id}&title=012`, { token: countyAdmin })).body.items.length,
      0,
    );
    assert.equal(
      (await t.api('GET', `/teachers?unitId=${s.id}&idNumber=${'x'.repeat(40)}`, { token: countyAdmin })).status,
      400,
    );
  });

  it('a custom-value filter lists exactly the records holding that value, in list order, across pages, changes, moves and leavers', async () => {
    const provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
    const stamp = Date.now().toString(36);
    const field = (key: string, type: string) => ({
      key,
      zh: '自定义',
      en: 'Custom',
      type,
      subSet: 'basic',
      requiredIn: [],
      owner: 'school',
      sensitivity: 'normal',
    });
    const num = `x_band${stamp}`;
    const str = `x_area${stamp}`;
    for (const d of [field(num, 'integer'), field(str, 'string')])
      assert.equal((await t.api('POST', '/custom-fields', { token: provinceAdmin, body: d })).status, 201);
    const c = await t.newCounty();
    const admin = await t.tokenFor(await t.account(c, Role.InfoAdmin));
    const schools = [await t.newSchool(c), await t.newSchool(c)];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const basic: Record<string, unknown> = { name: `李${'一二三四五六'[i % 6]}${i}` };
      if (i % 3 !== 2) basic[num] = i % 3;
      if (i % 2 === 0) basic[str] = i % 4 === 0 ? '山区 A' : 'B';
      const r = await create(admin, validRecord({ basic }), schools[i % 2].id);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    // What the filter must answer: the county's active records whose custom document holds the values,
    // in list order (unit path, name, id).
    const expected = async (values: Record<string, unknown>, includeInactive = false) =>
      (
        await t.db.query(
          `SELECT id FROM teacher WHERE unit_path LIKE $1 AND custom @> $2::jsonb AND ($3 OR active) ORDER BY unit_path, name, id`,
          [c.path + '%', JSON.stringify(values), includeInactive],
        )
      ).map((r: { id: string }) => r.id);
    const listAll = async (query: string, limit = 2) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const r: ApiResponse = await t.api(
          'GET',
          `/teachers?unitId=${c.id}&limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token: admin },
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
        out.push(...r.body.items.map((x: { id: string }) => x.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      return out;
    };
    const check = async (query: string, values: Record<string, unknown>, includeInactive = false) => {
      const want = await expected(values, includeInactive);
      assert.ok(want.length > 0, `${query} matches something`);
      assert.deepEqual(await listAll(query), want, query);
      assert.deepEqual(await listAll(query, 50), want, `${query} (one page)`);
    };
    await check(`custom=${num}:1`, { [num]: 1 });
    await check(`custom=${num}:0`, { [num]: 0 });
    await check(`custom=${encodeURIComponent(`${str}:山区 A`)}`, { [str]: '山区 A' });
    await check(`custom=${encodeURIComponent(`${num}:0,${str}:山区 A`)}`, { [num]: 0, [str]: '山区 A' });
    await check(`custom=${num}:1&name=${encodeURIComponent('李')}`, { [num]: 1 });
    assert.deepEqual(await listAll(`custom=${num}:7`), [], 'a value nobody holds');

    // A value changed through the API moves the record from one list to the other.
    const moved = ids[1];
    const cur = await t.api('GET', `/teachers/${moved}`, { token: admin });
    const patched = await t.api('PATCH', `/teachers/${moved}`, {
      token: admin,
      body: { version: cur.body.version, changes: { basic: { [num]: 0, name: '李改名' } } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.ok(!(await listAll(`custom=${num}:1`)).includes(moved));
    assert.ok((await listAll(`custom=${num}:0`)).includes(moved));
    await check(`custom=${num}:0`, { [num]: 0 });
    // Set-based writes (a leaver, a subtree moved, a value removed) are followed too.
    await t.db.query(`UPDATE teacher SET active = false WHERE id = $1`, [ids[0]]);
    await t.db.query(`UPDATE teacher SET unit_id = $2, unit_path = $3 WHERE unit_id = $1`, [
      schools[1].id,
      schools[0].id,
      schools[0].path,
    ]);
    await t.db.query(`UPDATE teacher SET custom = custom - $2 WHERE id = $1`, [ids[3], num]);
    await check(`custom=${num}:0`, { [num]: 0 });
    await check(`custom=${num}:0&includeInactive=true`, { [num]: 0 }, true);
    assert.ok(!(await listAll(`custom=${num}:0`)).includes(ids[0]), 'a leaver is not listed');
    assert.ok(!(await listAll(`custom=${num}:1`)).includes(ids[3]), 'a removed value is not listed');
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM teacher t FULL JOIN (SELECT * FROM teacher_custom_value WHERE key IN ($2, $3)) v
          ON v.teacher_id = t.id AND t.custom -> v.key = v.value AND v.unit_path = t.unit_path AND v.name = t.name AND v.active = t.active
        WHERE (t.unit_path LIKE $1 AND (t.custom ? $2 OR t.custom ? $3) OR v.teacher_id IS NOT NULL) AND (t.id IS NULL OR v.teacher_id IS NULL)`,
      [c.path + '%', num, str],
    );
    assert.equal(n, 0, "teacher_custom_value holds exactly the records' values");
    // Out of scope: another county's administrator cannot list this county by a custom value.
    const stranger = await t.tokenFor(await t.account(await t.newCounty(), Role.InfoAdmin));
    assert.equal((await t.api('GET', `/teachers?unitId=${c.id}&custom=${num}:0`, { token: stranger })).status, 403);
  });

  it('a subject filter lists exactly the records teaching it, with the other filters, across pages, changes, moves, leavers and set-based writes', async () => {
    const provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
    const stamp = Date.now().toString(36);
    const c = await t.newCounty();
    const admin = await t.tokenFor(await t.account(c, Role.InfoAdmin));
    const schools = [await t.newSchool(c), await t.newSchool(c)];
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const teaching = [{ schoolYear: '2025-2026', subject: i % 3 === 0 ? '03' : '02' }];
      if (i % 4 === 1) teaching.push({ schoolYear: '2025-2026', subject: '03' }); // two subjects
      const r = await create(
        admin,
        validRecord({
          basic: { name: `赵${stamp}${'一二三四五六'[i % 6]}${i}`, staffCategory: i % 2 ? '11' : '12' },
          teaching,
          professionalTitle: [{ title: i % 2 ? '013' : '012', startMonth: '2020-09' }],
        }),
        schools[i % 2].id,
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    // What the filter must answer, from the records themselves, in list order (unit path, name, id).
    const expected = async (path: string, where: string, params: unknown[]) =>
      (
        await t.db.query(`SELECT id FROM teacher WHERE unit_path LIKE $1 AND ${where} ORDER BY unit_path, name, id`, [
          path + '%',
          ...params,
        ])
      ).map((r: { id: string }) => r.id);
    const listAll = async (unitId: string, token: string, query: string, limit = 2) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const r: ApiResponse = await t.api(
          'GET',
          `/teachers?unitId=${unitId}&limit=${limit}&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token },
        );
        assert.equal(r.status, 200, JSON.stringify(r.body));
        out.push(...r.body.items.map((x: { id: string }) => x.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      return out;
    };
    const name = encodeURIComponent(`赵${stamp}`);
    const checks: [string, string, unknown[]][] = [
      ['subject=03', `'03' = ANY (subjects) AND active`, []],
      ['subject=02', `'02' = ANY (subjects) AND active`, []],
      ['subject=03&title=012', `'03' = ANY (subjects) AND title = '012' AND active`, []],
      [
        'subject=02&staffCategory=11&title=013',
        `'02' = ANY (subjects) AND staff_category = '11' AND title = '013' AND active`,
        [],
      ],
      [`subject=03&name=${name}`, `'03' = ANY (subjects) AND name LIKE $2 AND active`, [`赵${stamp}%`]],
      ['subject=03&includeInactive=true', `'03' = ANY (subjects)`, []],
      ['subject=03&personStatus=04', `'03' = ANY (subjects) AND person_status = '04'`, []],
      // One column alone: the page's keys from that column's index, its rows from the list index.
      ['title=013', `title = '013' AND active`, []],
      ['staffCategory=11', `staff_category = '11' AND active`, []],
      ['personStatus=04', `person_status = '04'`, []],
    ];
    const checkAll = async () => {
      for (const [query, where, params] of checks) {
        const want = await expected(c.path, where, params);
        assert.deepEqual(await listAll(c.id, admin, query), want, query);
        assert.deepEqual(await listAll(c.id, admin, query, 50), want, `${query} (one page)`);
      }
      // Over the whole province, a name prefix with a subject (its own index; the matches sorted).
      const province = await t.province_();
      const want = await expected(province.path, `'03' = ANY (subjects) AND name LIKE $2 AND active`, [`赵${stamp}%`]);
      assert.deepEqual(await listAll(province.id, provinceAdmin, `subject=03&name=${name}`), want, 'province + name');
      // teacher_subject holds exactly each record's subjects with its current filter columns.
      const [{ n }] = await t.db.query(
        `WITH a AS (SELECT t.id, x.subject, t.unit_path, t.name, t.active, t.person_status, t.school_type, t.staff_category, t.title
                      FROM teacher t CROSS JOIN LATERAL unnest(t.subjects) x(subject) WHERE t.unit_path LIKE $1),
              s AS (SELECT teacher_id, subject, unit_path, name, active, person_status, school_type, staff_category, title
                      FROM teacher_subject WHERE unit_path LIKE $1)
         SELECT count(*)::int AS n FROM ((SELECT * FROM a EXCEPT ALL SELECT * FROM s) UNION ALL (SELECT * FROM s EXCEPT ALL SELECT * FROM a)) d`,
        [c.path + '%'],
      );
      assert.equal(n, 0, "teacher_subject holds exactly the records' subjects");
    };
    assert.equal((await expected(c.path, `'03' = ANY (subjects) AND active`, [])).length, 6);
    await checkAll();

    // A subject and a title changed through the API move the record from one list to the other.
    const moved = ids[1];
    const cur = await t.api('GET', `/teachers/${moved}`, { token: admin });
    const entry = (cur.body.record.teaching as { id: string; subject: string }[]).find((e) => e.subject === '02')!;
    const patched = await t.api('PATCH', `/teachers/${moved}/teaching/${entry.id}`, {
      token: admin,
      body: { version: cur.body.version, entry: { subject: '05' } },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.ok(!(await listAll(c.id, admin, 'subject=02')).includes(moved));
    assert.ok((await listAll(c.id, admin, 'subject=05')).includes(moved));
    // A leaver through the API drops out of the active list and stays in the archive's.
    const leaver = ids[0];
    const before0 = await t.api('GET', `/teachers/${leaver}`, { token: admin });
    const left = await t.api('PATCH', `/teachers/${leaver}`, {
      token: admin,
      body: { version: before0.body.version, changes: { basic: { personStatus: '04', statusSince: '2026-07-31' } } },
    });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    assert.ok(!(await listAll(c.id, admin, 'subject=03')).includes(leaver));
    assert.ok((await listAll(c.id, admin, 'subject=03&personStatus=04')).includes(leaver));
    await checkAll();
    // Set-based writes: a subtree moved, a renamed record, subjects replaced, a record deleted, records inserted together.
    await t.db.query(`UPDATE teacher SET unit_id = $2, unit_path = $3 WHERE unit_id = $1`, [
      schools[1].id,
      schools[0].id,
      schools[0].path,
    ]);
    await t.db.query(`UPDATE teacher SET name = $2 WHERE id = $1`, [ids[3], `赵${stamp}零`]);
    await t.db.query(`UPDATE teacher SET subjects = '{}' WHERE id = $1`, [ids[6]]);
    await t.db.query(`UPDATE teacher SET subjects = '{03,07}', title = '012' WHERE id = $1`, [ids[4]]);
    await t.db.query(`DELETE FROM teacher_change WHERE teacher_id = $1`, [ids[9]]);
    await t.db.query(`DELETE FROM teacher WHERE id = $1`, [ids[9]]);
    await t.db.query(
      `INSERT INTO teacher (unit_id, unit_path, id_type, id_number, name, person_status, active, subjects, title, record, catalogue_version)
       SELECT $1, $2, '9', $3 || g, $4 || g, '01', true, ARRAY['03'], '012', '{}', '1' FROM generate_series(1, 3) g`,
      [schools[1].id, schools[1].path, `P${stamp}`, `赵${stamp}新`],
    );
    await checkAll();
    assert.deepEqual(await listAll(c.id, admin, 'subject=11'), [], 'a subject nobody teaches');
    // Out of scope: another county's administrator cannot list this county by subject.
    const stranger = await t.tokenFor(await t.account(await t.newCounty(), Role.InfoAdmin));
    assert.equal((await t.api('GET', `/teachers?unitId=${c.id}&subject=03`, { token: stranger })).status, 403);
  });

  it('a province defines custom indicators; values round-trip, validate, search; in-use types are fixed; retired fields refuse writes', async () => {
    const provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
    const key = `x_rural${Date.now().toString(36)}`;
    const def = {
      key,
      zh: '乡村任教年限',
      en: 'Years in rural schools',
      type: 'integer',
      subSet: 'basic',
      requiredIn: [],
      owner: 'school',
      sensitivity: 'normal',
    };
    assert.equal(
      (await t.api('POST', '/custom-fields', { token: countyAdmin, body: def })).status,
      403,
      'counties do not define indicators',
    );
    const bad = await t.api('POST', '/custom-fields', { token: provinceAdmin, body: { ...def, key: 'name' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'CUSTOM_FIELD_INVALID');
    const defined = await t.api('POST', '/custom-fields', { token: provinceAdmin, body: def });
    assert.equal(defined.status, 201, JSON.stringify(defined.body));
    assert.equal(defined.body.version, 1);
    const s = await t.newSchool(county);
    const wrongType = await create(countyAdmin, validRecord({ basic: { [key]: 'six' } }), s.id);
    assert.equal(wrongType.status, 400);
    assert.deepEqual(
      wrongType.body.errors.map((e: { path: string }) => e.path),
      [`record.basic.${key}`],
    );
    const ok = await create(countyAdmin, validRecord({ basic: { [key]: 6 } }), s.id);
    assert.equal(ok.status, 201);
    assert.equal(ok.body.record.basic[key], 6);
    const found = await t.api('GET', `/teachers?unitId=${s.id}&custom=${key}:6`, { token: countyAdmin });
    assert.deepEqual(
      found.body.items.map((x: { id: string }) => x.id),
      [ok.body.id],
    );
    const retype = await t.api('PUT', `/custom-fields/${key}`, {
      token: provinceAdmin,
      body: { ...def, type: 'string' },
    });
    assert.equal(retype.status, 400, 'a field in use keeps its type');
    const relabel = await t.api('PUT', `/custom-fields/${key}`, {
      token: provinceAdmin,
      body: { ...def, zh: '乡村教龄' },
    });
    assert.equal(relabel.status, 200);
    assert.equal(relabel.body.version, 2);
    const retired = await t.api('POST', `/custom-fields/${key}/retire`, { token: provinceAdmin });
    assert.equal(retired.body.status, 'retired');
    const write = await t.api('PATCH', `/teachers/${ok.body.id}`, {
      token: countyAdmin,
      body: { version: 1, changes: { basic: { [key]: 7 } } },
    });
    assert.equal(write.status, 400);
    const versions = await t.api('GET', `/custom-fields/${key}/versions`, { token: countyAdmin });
    assert.deepEqual(
      versions.body.map((v: { version: number; status: string }) => [v.version, v.status]),
      [
        [1, 'active'],
        [2, 'active'],
        [3, 'retired'],
      ],
    );
    const read = await t.api('GET', `/teachers/${ok.body.id}`, { token: countyAdmin });
    assert.equal(read.body.record.basic[key], 6, 'values of a retired field stay');
    const other = await t.api('PATCH', `/teachers/${ok.body.id}`, {
      token: countyAdmin,
      body: { version: 1, changes: { basic: { formerName: '曾用名' } } },
    });
    assert.equal(other.status, 200, 'a record holding a retired value can still be edited otherwise');
  });
});

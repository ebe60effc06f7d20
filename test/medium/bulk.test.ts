import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { Role } from '@tmis/access';
import { CATALOGUE_VERSION, makeIdNumber } from '@tmis/core-indicators';
import type { OrgUnitEntity } from '@tmis/org';
import { isolatedDatabase, TestNode, unique } from '../support/test-node.js';
import { idOf, validRecord } from '../support/records.js';
import { confirmedResult } from '../support/training.js';

type Rec = Record<string, any>;
const RUNNING = ['queued', 'validating', 'committing'];

/** Rows of a filled template, keyed by sheet name (the sub-set's Chinese label). */
type Sheets = Record<string, Rec[]>;

/** A record as template rows: basic (with the unit code), contacts, and list rows keyed by the person. */
function rowsOf(record: Rec, unitCode: string | undefined): Sheets {
  const key = { idType: record.basic.idType, idNumber: record.basic.idNumber };
  const b = record.basic;
  const out: Sheets = {
    基本信息: [{ ...(unitCode ? { unitCode } : {}), ...b, onEstablishment: b.onEstablishment ? '是' : '否' }],
  };
  if (record.contacts) out['联系方式'] = [{ ...key, ...record.contacts }];
  for (const [ss, sheet] of [
    ['education', '学习经历'],
    ['teaching', '教育教学'],
    ['annualAssessment', '年度考核'],
  ] as const) {
    if (record[ss])
      out[sheet] = record[ss].map((e: Rec) => ({
        ...key,
        ...e,
        ...(typeof e.isHighest === 'boolean' ? { isHighest: e.isHighest ? '是' : '否' } : {}),
      }));
  }
  return out;
}

function merge(...parts: Sheets[]): Sheets {
  const out: Sheets = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

/** Fills a downloaded template (or export) with exceljs, as a school's own system would. */
async function fill(template: Buffer, sheets: Sheets, edit?: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as never);
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.getWorksheet(name);
    assert.ok(ws, `sheet ${name}`);
    const keys = ws.getRow(3).values as unknown[];
    let r = ws.actualRowCount + 1;
    for (const rec of rows) {
      const row = ws.getRow(r++);
      keys.forEach((k, c) => {
        if (typeof k === 'string' && rec[k] !== undefined) row.getCell(c).value = rec[k];
      });
      row.commit();
    }
  }
  edit?.(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Where a row of `sheets` lands: data starts on row 4 of a fresh template. */
const ROW = (i: number) => 4 + i;

describe('bulk import and export (Art. 16)', () => {
  let t: TestNode;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let school2: OrgUnitEntity;
  let outside: OrgUnitEntity;
  let schoolAdmin: string;
  let schoolAdminId: string;
  let school2Admin: string;
  let countyAdmin: string;
  let queryUser: string;
  let teacher: string;
  let provinceAdmin: string;

  let db: { url: string; drop(): Promise<void> };

  before(async () => {
    // A database of its own: other files define custom fields on the shared provincial database, and a
    // template downloaded before such a definition no longer matches the layout when the file comes back.
    db = await isolatedDatabase('bulk');
    t = await TestNode.start('provincial', { BULK_MAX_UPLOAD_MB: '2', DATABASE_URL: db.url });
    county = await t.newCounty();
    school = await t.newSchool(county);
    school2 = await t.newSchool(county);
    outside = await t.newSchool();
    const a = await t.account(school, Role.InfoAdmin);
    schoolAdminId = a.id;
    schoolAdmin = await t.tokenFor(a);
    school2Admin = await t.tokenFor(await t.account(school2, Role.InfoAdmin));
    countyAdmin = await t.tokenFor(await t.account(county, Role.InfoAdmin));
    queryUser = await t.tokenFor(await t.account(county, Role.Query));
    teacher = await t.tokenFor(await t.account(school, Role.Teacher));
    provinceAdmin = await t.tokenFor(await t.account(await t.province_(), Role.InfoAdmin));
  });
  after(async () => {
    await t.close();
    await db.drop();
  });

  async function download(token: string, path: string): Promise<Buffer> {
    const res = await fetch(t.url + path, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200, `${path}: ${res.status} ${res.status !== 200 ? await res.text() : ''}`);
    return Buffer.from(await res.arrayBuffer());
  }
  async function upload(token: string, file: Buffer, name: string, query = ''): Promise<{ status: number; body: any }> {
    const form = new FormData();
    form.append('file', new Blob([file]), name);
    const res = await fetch(`${t.url}/bulk/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  async function waitJob(token: string, id: string): Promise<any> {
    // Up to three minutes: a job's speed is the bench's subject, not this test's (a loaded CI machine took 80 s).
    for (const end = Date.now() + 180_000; Date.now() < end;) {
      const r = await t.api('GET', `/bulk/jobs/${id}`, { token });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      if (!RUNNING.includes(r.body.state)) return r.body;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('job did not finish');
  }
  async function importFile(token: string, file: Buffer, query = '', name = 'teachers.xlsx'): Promise<any> {
    const up = await upload(token, file, name, query);
    assert.equal(up.status, 202, JSON.stringify(up.body));
    return waitJob(token, up.body.id);
  }
  async function errorsOf(token: string, id: string): Promise<any[]> {
    const r = await t.api('GET', `/bulk/jobs/${id}/errors?limit=1000`, { token });
    assert.equal(r.status, 200);
    return r.body.items;
  }
  const inSchool = (u: OrgUnitEntity) => t.count(`SELECT count(*) FROM teacher WHERE unit_id = $1`, [u.id]);

  it('round trip: template → filled file → dry run → commit (records submitted, with history) → export → re-import changes nothing', async () => {
    const template = await download(schoolAdmin, '/bulk/templates');
    const tpl = new ExcelJS.Workbook();
    await tpl.xlsx.load(template as never);
    const meta = Object.fromEntries(
      tpl
        .getWorksheet('_meta')!
        .getSheetValues()
        .filter(Boolean)
        .map((r: any) => [r[1], r[2]]),
    );
    assert.equal(meta.catalogueVersion, CATALOGUE_VERSION, 'a template says its catalogue version');
    assert.equal(meta.indicatorSet, 'primary-secondary');
    assert.equal(tpl.getWorksheet('_meta')!.state, 'hidden');
    const basic = tpl.getWorksheet('基本信息')!;
    assert.equal(basic.getCell('A1').value, '单位代码（学校标识码）');
    assert.equal(basic.getCell('A2').value, 'Unit code (school identification code)');
    assert.equal(basic.getRow(3).hidden, true);
    assert.equal(basic.getCell('B4').dataValidation?.type, 'list', 'code columns have drop-downs');
    assert.ok(tpl.getWorksheet('说明 Instructions'));
    assert.equal(
      tpl.worksheets.filter((w) => !w.name.startsWith('_') && w.name !== '说明 Instructions').length,
      17,
      'one sheet per sub-set of the primary/secondary set',
    );

    const people = [validRecord(), validRecord(), validRecord({ annualAssessment: [{ year: 2025, result: '2' }] })];
    // Codes as "code label" (from the drop-down) are accepted like the bare code.
    const sheets = merge(...people.map((p, i) => rowsOf(p, i === 0 ? undefined : school.code)));
    sheets['基本信息'][1].politicalStatus = '13 群众';
    const file = await fill(template, sheets);

    const dry = await importFile(schoolAdmin, file);
    assert.equal(dry.state, 'validated', JSON.stringify(dry));
    assert.equal(dry.dryRun, true);
    assert.deepEqual([dry.counts.persons, dry.counts.created, dry.counts.errors], [3, 3, 0]);
    assert.equal(await inSchool(school), 0, 'a dry run writes nothing');

    const committed = await t.api('POST', `/bulk/jobs/${dry.id}/commit`, { token: schoolAdmin });
    assert.equal(committed.status, 202, JSON.stringify(committed.body));
    const done = await waitJob(schoolAdmin, committed.body.id);
    assert.equal(done.state, 'committed', JSON.stringify(done));
    assert.equal(done.counts.created, 3);
    const rows = await t.db.query(
      `SELECT id, version, review_state AS "reviewState", record FROM teacher WHERE unit_id = $1 ORDER BY id_number`,
      [school.id],
    );
    assert.equal(rows.length, 3);
    assert.ok(
      rows.every((r: Rec) => r.reviewState === 'submitted' && r.version === 1),
      'imported records are submissions',
    );
    const one = rows.find((r: Rec) => r.record.basic.idNumber === idOf(people[1]))!;
    assert.equal(one.record.basic.politicalStatus, '13');
    assert.equal(one.record.education.length, 1);
    const review = await t.api('GET', `/teachers/${one.id}/review`, { token: schoolAdmin });
    assert.equal(review.body.state, 'submitted');
    assert.deepEqual(
      review.body.trail.map((e: Rec) => [e.action, e.fromState, e.toState]),
      [['submit', 'draft', 'submitted']],
    );
    const history = await t.api('GET', `/teachers/${one.id}/history`, { token: schoolAdmin });
    assert.deepEqual(
      history.body.map((h: Rec) => h.action),
      ['create'],
    );
    assert.equal(
      await t.count(
        `SELECT count(*) FROM audit_log WHERE target_id = $1 AND action IN ('teacher.create','review.submit')`,
        [one.id],
      ),
      2,
    );

    const exported = await download(schoolAdmin, `/teachers/export?format=xlsx&unitId=${school.id}`);
    const changesBefore = await t.count(
      `SELECT count(*) FROM teacher_change c JOIN teacher t ON t.id = c.teacher_id WHERE t.unit_id = $1`,
      [school.id],
    );
    const again = await importFile(schoolAdmin, exported, '?dryRun=false', 'export.xlsx');
    assert.equal(again.state, 'committed', JSON.stringify(again));
    assert.deepEqual(
      [again.counts.created, again.counts.updated, again.counts.unchanged, again.counts.errors],
      [0, 0, 3, 0],
      'an export re-imports cleanly and changes nothing',
    );
    const same = await importFile(schoolAdmin, file, '?dryRun=false');
    assert.deepEqual(
      [same.counts.created, same.counts.updated, same.counts.unchanged],
      [0, 0, 3],
      're-importing the same file changes nothing',
    );
    assert.equal(
      await t.count(
        `SELECT count(*) FROM teacher_change c JOIN teacher t ON t.id = c.teacher_id WHERE t.unit_id = $1`,
        [school.id],
      ),
      changesBefore,
      'no new history rows',
    );
    assert.deepEqual(
      (await t.db.query(`SELECT version FROM teacher WHERE unit_id = $1`, [school.id])).map((r: Rec) => r.version),
      [1, 1, 1],
      'no version bumps',
    );

    // Sub-set 13's confirmed training (kept by the training module, not typed into the record): the export
    // carries it under its entry id, as the record reads; the file re-imports without storing it as typed
    // entries, and a changed confirmed row is refused, naming the entry.
    const resultId = await confirmedResult(t.db, school, one.id, {
      name: '校本研修：课堂观察',
      organiser: '本校',
      creditKind: 'school_based',
      hours: 12,
      startsOn: '2026-03-01',
      endsOn: '2026-03-20',
    });
    const withTraining = await download(schoolAdmin, `/teachers/export?format=xlsx&unitId=${school.id}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(withTraining as never);
    const sheet = wb.getWorksheet('国内培训')!;
    const keys = (sheet.getRow(3).values as unknown[]).map(String);
    const rowOf = () => {
      for (let i = 4; i <= sheet.rowCount; i++)
        if (String(sheet.getRow(i).getCell(keys.indexOf('id')).value) === resultId) return sheet.getRow(i);
      return null;
    };
    const confirmedRow = rowOf();
    assert.ok(confirmedRow, 'the confirmed result is exported under its entry id');
    assert.equal(Number(confirmedRow.getCell(keys.indexOf('hours')).value), 12);
    assert.equal(String(confirmedRow.getCell(keys.indexOf('projectName')).value), '校本研修：课堂观察');
    const clean = await importFile(schoolAdmin, withTraining, '?dryRun=false', 'export.xlsx');
    assert.deepEqual(
      [clean.state, clean.counts.created, clean.counts.updated, clean.counts.unchanged, clean.counts.errors],
      ['committed', 0, 0, 3, 0],
      'an export with confirmed training re-imports cleanly and changes nothing',
    );
    const [stored] = await t.db.query(`SELECT version, record FROM teacher WHERE id = $1`, [one.id]);
    assert.equal(stored.version, 1);
    assert.ok(
      !((stored.record.domesticTraining ?? []) as Rec[]).some((e) => e.id === resultId),
      'the confirmed entry is not stored as a typed one',
    );
    confirmedRow.getCell(keys.indexOf('hours')).value = 40;
    const edited = Buffer.from(await wb.xlsx.writeBuffer());
    const refused = await importFile(schoolAdmin, edited, '', 'export.xlsx');
    const refusal = await errorsOf(schoolAdmin, refused.id);
    assert.deepEqual(
      refusal.map((e) => [e.sheet, e.row, e.field, e.code]),
      [['国内培训', confirmedRow.number, 'id', 'confirmedTraining']],
      JSON.stringify(refusal),
    );
    assert.match(refusal[0].messageZh ?? refusal[0].message, /培训|training/);

    // A changed row updates the record through the same rules, and stays a submission.
    const changed = await fill(template, {
      基本信息: [{ ...rowsOf(people[0], school.code)['基本信息'][0], formerName: '曾用' }],
    });
    const upd = await importFile(schoolAdmin, changed, '?dryRun=false');
    assert.deepEqual([upd.state, upd.counts.updated, upd.counts.created], ['committed', 1, 0], JSON.stringify(upd));
    const [after] = await t.db.query(`SELECT version, record FROM teacher WHERE id_number = $1`, [idOf(people[0])]);
    assert.equal(after.version, 2);
    assert.equal(after.record.basic.formerName, '曾用');
    assert.equal(after.record.education.length, 1, 'rows never delete');
  });

  it("a dry run's commit writes what the dry run staged; when a record moved on meanwhile, the commit validates the file again", async () => {
    const s = await t.newSchool(county);
    const template = await download(countyAdmin, '/bulk/templates?indicatorSet=primary-secondary');
    const people = [validRecord(), validRecord()];
    const first = await importFile(
      countyAdmin,
      await fill(template, merge(...people.map((p) => rowsOf(p, s.code)))),
      '?dryRun=false',
    );
    assert.equal(first.state, 'committed', JSON.stringify(first));
    assert.equal(
      await t.count(`SELECT count(*) FROM bulk_job_person WHERE job_id = $1`, [first.id]),
      0,
      'a commit leaves no staged persons',
    );

    // Dry run of a change to person 0 and a new person; then person 0's record moves on (another writer).
    const newcomer = validRecord();
    const file = await fill(template, {
      基本信息: [
        { ...rowsOf(people[0], s.code)['基本信息'][0], formerName: '旧名' },
        rowsOf(newcomer, s.code)['基本信息'][0],
      ],
    });
    const dry = await importFile(countyAdmin, file);
    assert.deepEqual([dry.state, dry.counts.updated, dry.counts.created], ['validated', 1, 1], JSON.stringify(dry));
    assert.equal(
      await t.count(`SELECT count(*) FROM bulk_job_person WHERE job_id = $1`, [dry.id]),
      2,
      'kept for the commit',
    );
    await t.db.query(
      `UPDATE teacher SET version = version + 1, record = jsonb_set(record, '{contacts}', '{"officePhone":"020-12345678"}') WHERE id_number = $1`,
      [idOf(people[0])],
    );
    const committed = await t.api('POST', `/bulk/jobs/${dry.id}/commit`, { token: countyAdmin });
    assert.equal(committed.status, 202, JSON.stringify(committed.body));
    const done = await waitJob(countyAdmin, committed.body.id);
    assert.deepEqual([done.state, done.counts.updated, done.counts.created], ['committed', 1, 1], JSON.stringify(done));
    const [after] = await t.db.query(`SELECT version, record FROM teacher WHERE id_number = $1`, [idOf(people[0])]);
    assert.equal(after.version, 3, 'the update applied on top of the version the record moved to');
    assert.equal(after.record.basic.formerName, '旧名');
    assert.equal(after.record.contacts.officePhone, '020-12345678', "the other writer's change is kept");
    const [created] = await t.db.query(
      `SELECT t.version, (SELECT count(*)::int FROM review_event e WHERE e.teacher_id = t.id) AS events,
              (SELECT count(*)::int FROM audit_log a WHERE a.target_id = t.id::text AND a.details->>'bulkJobId' = $2) AS audits
         FROM teacher t WHERE id_number = $1`,
      [idOf(newcomer), committed.body.id],
    );
    assert.deepEqual([created.version, created.events, created.audits], [1, 1, 2]);
    assert.equal(
      await t.count(`SELECT count(*) FROM bulk_job_person WHERE job_id IN ($1, $2)`, [dry.id, committed.body.id]),
      0,
      'no staged persons left behind',
    );
  });

  it('a file seeded with one error of each kind yields exactly those errors at the right cells, with both messages; the error xlsx marks them', async () => {
    const template = await download(countyAdmin, '/bulk/templates?indicatorSet=primary-secondary');
    const good = () => validRecord();
    const r = Array.from({ length: 9 }, good);
    const b = (i: number, over: Rec = {}) => ({ ...rowsOf(r[i], school2.code)['基本信息'][0], ...over });
    const dupOf = b(0);
    const basic = [
      b(0), // fine
      b(1, { politicalStatus: '99' }), // code
      b(2, { idNumber: idOf(r[2]).slice(0, 17) + (idOf(r[2])[17] === '0' ? '1' : '0') }), // GB 11643 check character
      b(3, { statusSince: '2021-02-30' }), // date
      b(4, { name: undefined }), // required
      dupOf, // duplicate within the file (row 9)
      b(5, { unitCode: outside.code }), // out of scope
      b(6, { unitCode: '2199999999' }), // unknown unit
    ];
    delete basic[4].name;
    const education = [
      { idType: '1', idNumber: idOf(r[7]), startMonth: '2001-09', schoolName: '某大学', educationLevel: '21' },
    ]; // no basic row, no record
    const file = await fill(template, { 基本信息: basic, 学习经历: education });
    const job = await importFile(countyAdmin, file);
    assert.equal(job.state, 'validated');
    const errors = await errorsOf(countyAdmin, job.id);
    const got = errors
      .map((e) => [e.sheet, e.row, e.column, e.code])
      .sort((x, y) => String(x).localeCompare(String(y)));
    const tpl = new ExcelJS.Workbook();
    await tpl.xlsx.load(template as never);
    const col = (sheet: string, key: string) => {
      const ws = tpl.getWorksheet(sheet)!;
      let letter = '';
      ws.getRow(3).eachCell((c, n) => {
        if (c.value === key) letter = ws.getColumn(n).letter;
      });
      return letter;
    };
    const expected = [
      ['基本信息', ROW(1), col('基本信息', 'politicalStatus'), 'code'],
      ['基本信息', ROW(2), col('基本信息', 'idNumber'), 'idNumber'],
      ['基本信息', ROW(3), col('基本信息', 'statusSince'), 'type'],
      ['基本信息', ROW(4), col('基本信息', 'name'), 'required'],
      ['基本信息', ROW(5), col('基本信息', 'idNumber'), 'duplicateInFile'],
      ['基本信息', ROW(6), col('基本信息', 'unitCode'), 'scope'],
      ['基本信息', ROW(7), col('基本信息', 'unitCode'), 'unknownUnit'],
      ['学习经历', ROW(0), col('学习经历', 'idNumber'), 'noBasicRow'],
    ].sort((x, y) => String(x).localeCompare(String(y)));
    assert.deepEqual(got, expected, JSON.stringify(errors, null, 1));
    assert.ok(
      errors.every((e) => e.message && /[\u4e00-\u9fff]/.test(e.messageZh)),
      'every error has an English and a Chinese message',
    );
    assert.equal(errors.find((e) => e.code === 'code').value, '99');
    assert.deepEqual(
      [job.counts.persons, job.counts.invalidPersons, job.counts.created, job.counts.errors],
      [8, 8, 0, 8],
      'a person with a duplicate row is not imported at all',
    );

    const report = await download(countyAdmin, `/bulk/jobs/${job.id}/error-report`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(report as never);
    const bad = wb.getWorksheet('基本信息')!.getCell(`${col('基本信息', 'politicalStatus')}${ROW(1)}`);
    assert.equal((bad.fill as ExcelJS.FillPattern).fgColor?.argb, 'FFFFC7CE', 'the bad cell is marked');
    assert.match(String(typeof bad.note === 'string' ? bad.note : JSON.stringify(bad.note)), /code/);
    const okCell = wb.getWorksheet('基本信息')!.getCell(`${col('基本信息', 'politicalStatus')}${ROW(0)}`);
    assert.notEqual((okCell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb, 'FFFFC7CE');
    assert.equal(wb.getWorksheet('_errors')!.actualRowCount, 1 + errors.length);
  });

  it('scope and owner rules are checked row by row; a teacher cannot import', async () => {
    const key = `x_bulk${unique().replace(/[^a-z0-9]/gi, '')}`.slice(0, 30);
    const def = await t.api('POST', '/custom-fields', {
      token: provinceAdmin,
      body: {
        key,
        zh: '部门核定',
        en: 'Department-set',
        type: 'string',
        subSet: 'basic',
        requiredIn: [],
        owner: 'department',
        sensitivity: 'normal',
      },
    });
    assert.equal(def.status, 201, JSON.stringify(def.body));
    try {
      const template = await download(countyAdmin, '/bulk/templates?indicatorSet=primary-secondary');
      const inScope = validRecord();
      const outOfScope = validRecord();
      const file = await fill(template, {
        基本信息: [
          { ...rowsOf(inScope, school2.code)['基本信息'][0], [key]: '核定' },
          rowsOf(outOfScope, outside.code)['基本信息'][0],
        ],
      });
      const asSchool = await importFile(school2Admin, file);
      const schoolErrors = await errorsOf(school2Admin, asSchool.id);
      assert.deepEqual(
        schoolErrors.map((e) => [e.row, e.field, e.code]).sort((x, y) => x[0] - y[0]),
        [
          [ROW(0), key, 'owner'],
          [ROW(1), 'unitCode', 'scope'],
        ],
        JSON.stringify(schoolErrors),
      );
      const asCounty = await importFile(countyAdmin, file);
      assert.deepEqual(
        (await errorsOf(countyAdmin, asCounty.id)).map((e) => [e.row, e.code]),
        [[ROW(1), 'scope']],
        'the department may write department fields',
      );

      // A person whose record is in a school outside the caller's scope.
      const elsewhere = validRecord();
      assert.equal(
        (await t.api('POST', '/teachers', { token: provinceAdmin, body: { unitId: outside.id, record: elsewhere } }))
          .status,
        201,
      );
      const clash = await importFile(
        countyAdmin,
        await fill(template, { 基本信息: [rowsOf(elsewhere, school2.code)['基本信息'][0]] }),
      );
      assert.deepEqual(
        (await errorsOf(countyAdmin, clash.id)).map((e) => e.code),
        ['duplicateOutOfScope'],
      );

      const up = await upload(teacher, file, 'x.xlsx');
      assert.equal(up.status, 403);
    } finally {
      await t.api('POST', `/custom-fields/${key}/retire`, { token: provinceAdmin });
    }
  });

  it('a person who left and comes back is re-registered on their record (dry run + commit); one still in post elsewhere is refused at the row', async () => {
    const template = await download(countyAdmin, '/bulk/templates?indicatorSet=primary-secondary');
    // Left: registered at a school outside the county, then resigned (04).
    const returning = validRecord();
    const created = await t.api('POST', '/teachers', {
      token: provinceAdmin,
      body: { unitId: outside.id, record: returning },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    const left = await t.api('POST', `/teachers/${id}/status`, {
      token: provinceAdmin,
      body: { version: 1, personStatus: '04', effectiveDate: new Date().toISOString().slice(0, 10) },
    });
    assert.equal(left.status, 200, JSON.stringify(left.body));
    const historyBefore = await t.count(`SELECT count(*) FROM teacher_change WHERE teacher_id = $1`, [id]);
    // Still in post: one at a school outside the county, one at another school of the county.
    const busyOutside = validRecord();
    const busyInCounty = validRecord();
    for (const [u, r] of [
      [outside, busyOutside],
      [school2, busyInCounty],
    ] as const)
      assert.equal(
        (await t.api('POST', '/teachers', { token: provinceAdmin, body: { unitId: u.id, record: r } })).status,
        201,
      );
    const back = { ...returning, basic: { ...(returning.basic as Rec), personStatus: '01' } };
    const file = await fill(template, {
      基本信息: [
        rowsOf(back, school.code)['基本信息'][0],
        rowsOf(busyOutside, school.code)['基本信息'][0],
        rowsOf(busyInCounty, school.code)['基本信息'][0],
      ],
    });
    const dry = await importFile(countyAdmin, file, '?mode=valid-only');
    assert.equal(dry.state, 'validated', JSON.stringify(dry));
    assert.deepEqual(
      [dry.counts.created, dry.counts.updated, dry.counts.reRegistered, dry.counts.invalidPersons],
      [0, 1, 1, 2],
      JSON.stringify(dry.counts),
    );
    const errors = await errorsOf(countyAdmin, dry.id);
    assert.deepEqual(
      errors.map((e) => [e.row, e.code]).sort((x, y) => x[0] - y[0]),
      [
        [ROW(1), 'duplicateOutOfScope'],
        [ROW(2), 'otherUnit'],
      ],
      JSON.stringify(errors),
    );
    for (const e of errors) {
      assert.match(e.message ?? e.en ?? JSON.stringify(e), /transfer/);
      assert.match(e.messageZh ?? e.zh ?? JSON.stringify(e), /调动/);
    }
    assert.equal((await t.db.query(`SELECT unit_id FROM teacher WHERE id = $1`, [id]))[0].unit_id, outside.id);

    const committed = await t.api('POST', `/bulk/jobs/${dry.id}/commit`, { token: countyAdmin });
    assert.equal(committed.status, 202, JSON.stringify(committed.body));
    const done = await waitJob(countyAdmin, committed.body.id);
    assert.deepEqual(
      [done.state, done.counts.created, done.counts.updated, done.counts.reRegistered],
      ['committed', 0, 1, 1],
      JSON.stringify(done),
    );
    // The same record (one per person), back in post at the school, its history kept and extended.
    const rows = await t.db.query(
      `SELECT id, unit_id, active, person_status, review_state FROM teacher WHERE id_number = $1`,
      [idOf(returning)],
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [rows[0].id, rows[0].unit_id, rows[0].active, rows[0].person_status, rows[0].review_state],
      [id, school.id, true, '01', 'submitted'],
    );
    const hist = await t.db.query(`SELECT action, changes FROM teacher_change WHERE teacher_id = $1 ORDER BY id`, [id]);
    assert.equal(hist.length, historyBefore + 1);
    assert.deepEqual(
      hist.map((h: Rec) => h.action),
      ['create', 'status-change', 're-register'],
    );
    assert.deepEqual(
      hist.at(-1).changes.find((c: Rec) => c.path === 'unitId'),
      { path: 'unitId', before: outside.id, after: school.id },
    );
    assert.equal(
      await t.count(`SELECT count(*) FROM audit_log WHERE target_id = $1 AND action = 'teacher.re-register'`, [id]),
      1,
    );
    // The ones in post were not touched.
    assert.equal(
      await t.count(`SELECT count(*) FROM teacher WHERE id_number = ANY($1) AND unit_id <> $2`, [
        [idOf(busyOutside), idOf(busyInCounty)],
        school.id,
      ]),
      2,
    );
  });

  it('all-or-nothing commits nothing when a row is bad; valid-only commits the valid rows', async () => {
    const s = await t.newSchool(county);
    const template = await download(countyAdmin, '/bulk/templates?indicatorSet=primary-secondary');
    const ok = [validRecord(), validRecord()];
    const badRow = { ...rowsOf(validRecord(), s.code)['基本信息'][0], sex: 'X' };
    const file = await fill(template, { 基本信息: [...ok.map((p) => rowsOf(p, s.code)['基本信息'][0]), badRow] });
    const strict = await importFile(countyAdmin, file, '?dryRun=false');
    assert.equal(strict.state, 'failed');
    assert.match(strict.message, /nothing was written/);
    assert.equal(await inSchool(s), 0);
    const lenient = await importFile(countyAdmin, file, '?dryRun=false&mode=valid-only');
    assert.equal(lenient.state, 'committed', JSON.stringify(lenient));
    assert.deepEqual([lenient.counts.created, lenient.counts.invalidPersons], [2, 1]);
    assert.deepEqual(
      (await t.db.query(`SELECT id_number FROM teacher WHERE unit_id = $1 ORDER BY 1`, [s.id])).map(
        (r: Rec) => r.id_number,
      ),
      ok.map(idOf).sort(),
    );
  });

  it('a dry run of more persons than one batch is validated in the worker thread: every person counted, the errors at their rows, nothing written', async () => {
    const s = await t.newSchool(county);
    const admin = await t.tokenFor(await t.account(s, Role.InfoAdmin));
    const keys = [
      'unitCode',
      'idType',
      'idNumber',
      'name',
      'sex',
      'nationality',
      'ethnicity',
      'birthDate',
      'politicalStatus',
      'workStartMonth',
      'schoolEntryMonth',
      'staffCategory',
      'onEstablishment',
      'personStatus',
    ];
    const lines = [
      `#tmis-bulk;layout=1;catalogue=${CATALOGUE_VERSION};subSet=basic;kind=export;masked=false`,
      keys.map(() => '列').join(','),
      keys.join(','),
      keys.join(','),
    ];
    const PERSONS = 1100; // two batches of 1,000
    const bad = new Map([
      [1040, ['ethnicity', 'ZZ']],
      [1090, ['politicalStatus', '99']],
    ]);
    const day0 = Date.UTC(1970, 0, 1);
    for (let i = 0; i < PERSONS; i++) {
      const birth = new Date(day0 + (i % 9000) * 86400000).toISOString().slice(0, 10);
      const seq = 101 + 2 * Math.floor(i / 9000) + (i % 2);
      const b = validRecord().basic as Rec;
      const row: Rec = {
        ...b,
        idNumber: makeIdNumber('110101', birth.replaceAll('-', ''), seq),
        birthDate: birth,
        sex: seq % 2 === 1 ? '1 男' : '2 女',
        unitCode: s.code,
        onEstablishment: '是',
      };
      const [field, value] = bad.get(i) ?? [];
      if (field) row[field] = value;
      lines.push(keys.map((k) => row[k]).join(','));
    }
    const job = await importFile(admin, Buffer.from(lines.join('\r\n') + '\r\n', 'utf8'), '', 'many.csv');
    assert.equal(job.state, 'validated', JSON.stringify(job));
    assert.deepEqual(
      [job.counts.rows, job.counts.persons, job.counts.created, job.counts.invalidPersons, job.counts.errors],
      [PERSONS, PERSONS, PERSONS - 2, 2, 2],
    );
    const errs = (await errorsOf(admin, job.id)).sort((a, b) => a.row - b.row);
    assert.deepEqual(
      errs.map((e) => [e.field, e.value]),
      [
        ['ethnicity', 'ZZ'],
        ['politicalStatus', '99'],
      ],
    );
    assert.equal(errs[1].row - errs[0].row, 50, 'each error at its own row');
    assert.equal(await inSchool(s), 0, 'a dry run writes no record');
  });

  it("imports CSV in UTF-8 and in GB18030; exports CSV; a query user's export is masked and does not re-import", async () => {
    const s = await t.newSchool(county);
    const admin = await t.tokenFor(await t.account(s, Role.InfoAdmin));
    const csvOf = (records: Rec[]) => {
      const keys = [
        'unitCode',
        'idType',
        'idNumber',
        'name',
        'sex',
        'nationality',
        'ethnicity',
        'birthDate',
        'politicalStatus',
        'workStartMonth',
        'schoolEntryMonth',
        'staffCategory',
        'onEstablishment',
        'personStatus',
      ];
      const lines = [
        `#tmis-bulk;layout=1;catalogue=${CATALOGUE_VERSION};subSet=basic;kind=export;masked=false`,
        keys.map(() => '列').join(','),
        keys.join(','),
        keys.join(','),
      ];
      for (const r of records)
        lines.push(
          keys
            .map((k) =>
              k === 'unitCode'
                ? s.code
                : k === 'onEstablishment'
                  ? '是'
                  : k === 'sex'
                    ? `${r.basic.sex} ${r.basic.sex === '1' ? '男' : '女'}`
                    : r.basic[k],
            )
            .join(','),
        );
      return lines.join('\r\n') + '\r\n';
    };
    const utf8 = [validRecord(), validRecord()];
    const j1 = await importFile(admin, Buffer.from(csvOf(utf8), 'utf8'), '?dryRun=false', 'a.csv');
    assert.deepEqual([j1.state, j1.format, j1.counts.created], ['committed', 'csv', 2], JSON.stringify(j1));
    const gb = [validRecord({ basic: { name: '欧阳娜' } })];
    const j2 = await importFile(admin, iconv.encode(csvOf(gb), 'gb18030'), '?dryRun=false', 'b.csv');
    assert.deepEqual([j2.state, j2.counts.created], ['committed', 1], JSON.stringify(j2));
    const [row] = await t.db.query(`SELECT name FROM teacher WHERE id_number = $1`, [idOf(gb[0])]);
    assert.equal(row.name, '欧阳娜', 'GB18030 text decoded');

    const csv = (await download(admin, '/teachers/export?format=csv&subSet=basic')).toString('utf8');
    assert.ok(csv.startsWith(`\uFEFF#tmis-bulk;layout=1;catalogue=${CATALOGUE_VERSION};subSet=basic`));
    assert.equal(csv.trim().split('\r\n').length, 4 + 3);
    const back = await importFile(admin, Buffer.from(csv, 'utf8'), '?dryRun=false', 'export.csv');
    assert.deepEqual(
      [back.counts.unchanged, back.counts.created, back.counts.updated],
      [3, 0, 0],
      JSON.stringify(back),
    );

    const masked = await download(queryUser, `/teachers/export?format=xlsx&unitId=${s.id}`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(masked as never);
    const ids = wb.getWorksheet('基本信息')!.getColumn(3).values.slice(4) as string[];
    assert.equal(ids.length, 3);
    assert.ok(
      ids.every((v) => /\*{4,}/.test(v)),
      'ID numbers are masked for query users',
    );
    assert.equal(wb.getWorksheet('基本待遇'), undefined, 'no pay for query users');
    const refused = await upload(admin, masked, 'masked.xlsx');
    assert.equal(refused.status, 422);
    assert.equal(refused.body.code, 'BULK_MASKED_EXPORT');
  });

  it('refuses bad files with a clear error and writes nothing', async () => {
    const template = await download(schoolAdmin, '/bulk/templates');
    const person = rowsOf(validRecord(), school.code);
    const jobsBefore = await t.count(`SELECT count(*) FROM bulk_job WHERE created_by = $1`, [schoolAdminId]);
    const cases: [string, Buffer, number, string][] = [
      ['text file', Buffer.from('Dear colleagues,\nplease find the list attached.\n'), 422, 'BULK_NOT_A_TEMPLATE'],
      ['garbage', randomBytes(300_000), 415, 'BULK_NOT_A_SPREADSHEET'],
      ['oversized garbage', randomBytes(3 * 1024 * 1024), 413, 'PAYLOAD_TOO_LARGE'],
      [
        'formula',
        await fill(template, person, (wb) => {
          wb.getWorksheet('基本信息')!.getCell('Z4').value = { formula: 'A1&B1' } as never;
        }),
        422,
        'BULK_FORMULAS_NOT_ALLOWED',
      ],
      [
        'merged cells',
        await fill(template, person, (wb) => {
          wb.getWorksheet('基本信息')!.mergeCells('E5:F5');
        }),
        422,
        'BULK_MERGED_CELLS_NOT_ALLOWED',
      ],
      [
        'wrong template version',
        await fill(template, person, (wb) => {
          wb.getWorksheet('_meta')!.eachRow((r) => {
            if (r.getCell(1).value === 'catalogueVersion') r.getCell(2).value = '2019.1';
          });
        }),
        422,
        'BULK_WRONG_TEMPLATE_VERSION',
      ],
      [
        'macro part',
        await (async () => {
          const z = await JSZip.loadAsync(await fill(template, person));
          z.file('xl/vbaProject.bin', randomBytes(64));
          return Buffer.from(await z.generateAsync({ type: 'nodebuffer' }));
        })(),
        422,
        'BULK_MACROS_NOT_ALLOWED',
      ],
      [
        'zip that is no workbook',
        await (async () => {
          const z = new JSZip();
          z.file('a.txt', 'hello');
          return Buffer.from(await z.generateAsync({ type: 'nodebuffer' }));
        })(),
        415,
        'BULK_NOT_A_SPREADSHEET',
      ],
    ];
    for (const [what, file, status, code] of cases) {
      const r = await upload(schoolAdmin, file, `${what}.xlsx`);
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, what);
      assert.ok(r.body.title && r.body.titleZh, `${what}: both languages`);
    }
    assert.equal(
      await t.count(`SELECT count(*) FROM bulk_job WHERE created_by = $1`, [schoolAdminId]),
      jobsBefore,
      'no job for a refused file',
    );
  });

  it("another school's administrator cannot read my job; the county above can", async () => {
    const template = await download(schoolAdmin, '/bulk/templates');
    const job = await importFile(schoolAdmin, await fill(template, rowsOf(validRecord(), school.code)));
    assert.equal((await t.api('GET', `/bulk/jobs/${job.id}`, { token: school2Admin })).status, 404);
    assert.equal((await t.api('GET', `/bulk/jobs/${job.id}/errors`, { token: school2Admin })).status, 404);
    assert.equal((await t.api('POST', `/bulk/jobs/${job.id}/commit`, { token: school2Admin })).status, 404);
    assert.equal((await t.api('GET', `/bulk/jobs/${job.id}`, { token: countyAdmin })).status, 200);
    assert.equal((await t.api('GET', `/bulk/jobs/${job.id}`, { token: queryUser })).status, 403);
  });

  it('a job left running by a crashed node is reported interrupted', async () => {
    const [{ id }] = await t.db.query(
      `INSERT INTO bulk_job (state, dry_run, mode, format, file_name, file_size, file_hash, created_by, actor, unit_path) VALUES ('committing', false, 'all-or-nothing', 'xlsx', 'x.xlsx', 1, repeat('0', 64), $1, '{}', $2) RETURNING id`,
      [schoolAdminId, school.path],
    );
    const job = await t.api('GET', `/bulk/jobs/${id}`, { token: schoolAdmin });
    assert.equal(job.body.state, 'interrupted');
    assert.match(job.body.message, /node stopped/);
  });
});

describe('bulk import: a node stopped mid-commit', () => {
  it('leaves no partial commit, and the restarted node says the job was interrupted', async () => {
    let node = await TestNode.start('provincial');
    const county = await node.newCounty();
    const school = await node.newSchool(county);
    const admin = await node.account(county, Role.InfoAdmin);
    let token = await node.tokenFor(admin);
    try {
      const template = Buffer.from(
        await (
          await fetch(`${node.url}/bulk/templates?indicatorSet=primary-secondary`, {
            headers: { authorization: `Bearer ${token}` },
          })
        ).arrayBuffer(),
      );
      // 4,000 people whose ID numbers (area 110229, used by no other test) cannot collide with records
      // other test files write into the shared database: a collision is a row error, and all-or-nothing
      // would then end the job before the commit this test needs to interrupt.
      const people = Array.from({ length: 4000 }, (_, i) => {
        const r = validRecord();
        const b = r.basic as Record<string, string>;
        const sequence = 2 * (i % 450) + (b.sex === '1' ? 1 : 0) + 100;
        return { ...r, basic: { ...b, idNumber: makeIdNumber('110229', b.birthDate.replaceAll('-', ''), sequence) } };
      });
      const unique_ = new Map(people.map((p) => [idOf(p), p]));
      const file = await fill(template, {
        基本信息: [...unique_.values()].map((p) => rowsOf(p, school.code)['基本信息'][0]),
      });
      const form = new FormData();
      form.append('file', new Blob([file]), 'big.xlsx');
      const up = await fetch(`${node.url}/bulk/imports?dryRun=false`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      assert.equal(up.status, 202);
      const { id } = (await up.json()) as { id: string };
      let state = '';
      for (let i = 0; i < 3000 && state !== 'committing'; i++) {
        state = (await node.api('GET', `/bulk/jobs/${id}`, { token })).body.state;
        if (!RUNNING.includes(state))
          assert.fail(
            `the job ended (${state}) before the node could be stopped mid-commit: ${JSON.stringify((await node.api('GET', `/bulk/jobs/${id}`, { token })).body.message)}`,
          );
        if (state !== 'committing') await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(state, 'committing');
      await node.close();
      node = await TestNode.start('provincial');
      token = await node.tokenFor(admin);
      const job = await node.api('GET', `/bulk/jobs/${id}`, { token });
      assert.equal(job.body.state, 'interrupted', JSON.stringify(job.body));
      assert.match(job.body.messageZh, /未写入任何数据/);
      assert.equal(
        await node.count(`SELECT count(*) FROM teacher WHERE unit_id = $1`, [school.id]),
        0,
        'nothing of the file was written',
      );
      assert.equal(
        await node.count(`SELECT count(*) FROM bulk_job_person WHERE job_id = $1`, [id]),
        0,
        'the staging rows are gone',
      );
    } finally {
      await node.close();
    }
  });
});

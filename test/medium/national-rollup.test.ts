import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { Role, type Actor } from '@tmis/access';
import { OrgRepository, UnitKind, type OrgUnitEntity } from '@tmis/org';
import { SyncIngestService } from '@tmis/sync-ingest';
import { ReviewService, TeacherService } from '@tmis/teachers';
import { catalogueIndex } from '@tmis/core-indicators';
import { isolatedDatabase, TestNode, type TestAccount } from '../support/test-node.js';
import { until } from '../support/sync-helpers.js';
import { idOf, validRecord } from '../support/records.js';
import { confirmedResult } from '../support/training.js';

type Rec = Record<string, unknown>;

const cellsOf = (body: { rows: { values: Record<string, { code: string | null }>; count: number | null }[] }) =>
  Object.fromEntries(
    body.rows.map((r) => [
      Object.values(r.values)
        .map((v) => String(v.code))
        .join('|'),
      r.count,
    ]),
  );

function actorOf(a: TestAccount, unit: OrgUnitEntity): Actor {
  return {
    accountId: a.id,
    sessionId: 'rollup-test',
    role: a.role,
    unitId: unit.id,
    unitPath: unit.path,
    unitLevel: unit.level,
    mustChangePassword: false,
  };
}

/**
 * Issue 17: the national population is the provinces' reported records (`national_teacher`) and the central
 * universities' reported records on the national node itself (`teacher`), each counted once — in the
 * statistics, the cross-province duplicate check, the search and its export. An isolated database, so the
 * whole-node totals are this file's records only.
 */
describe('national roll-up: one population, searched and viewed by ministry staff', () => {
  let db: Awaited<ReturnType<typeof isolatedDatabase>>;
  let n: TestNode;
  let ministry: OrgUnitEntity;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let otherSchool: OrgUnitEntity;
  let university: OrgUnitEntity;
  let ministryAdmin: string;
  let ministryQuery: string;
  let provinceAdmin: string;
  const band = `x_band${randomInt(1000, 9999)}`;
  const shared = validRecord({ basic: { staffCategory: '12' } }); // reported by province 11 and by a central university
  const provinceIds: string[] = [];
  const centralIds: string[] = [];
  let draftId = '';

  before(async () => {
    db = await isolatedDatabase('rollup');
    n = await TestNode.start('national', { DATABASE_URL: db.url, STATS_REFRESH_SECONDS: '0' });
    ministry = await n.unitByCode('000000');
    county = await n.newCounty();
    school = await n.newSchool(county, '21');
    otherSchool = await n.newSchool(await n.newCounty(), '31');
    // A central university directly under the ministry.
    for (let attempt = 0; !university && attempt < 20; attempt++) {
      const code = `4111${String(randomInt(0, 1e6)).padStart(6, '0')}`;
      university = (await n.node.app
        .get(OrgRepository)
        .insert({
          kind: UnitKind.School,
          level: 5,
          code,
          name: `部属大学${code}`,
          parentId: ministry.id,
          path: `${ministry.path}${code}/`,
          schoolType: '41',
          urbanRural: '111',
          sponsor: '1',
          central: true,
        })
        .catch(() => null)) as OrgUnitEntity;
    }
    assert.ok(university);

    // Province 11 reports three records (through the real ingest path), one with a custom value.
    const ingest = n.node.app.get(SyncIngestService);
    let seq = 1;
    const send = async (type: string, key: string, payload: unknown) =>
      ingest.apply(
        JSON.stringify({
          schemaVersion: 2,
          eventId: randomUUID(),
          provinceCode: '11',
          sequence: seq++,
          type,
          key,
          occurredAt: new Date().toISOString(),
          payload,
        }),
      );
    const defs = {
      definitions: [
        {
          key: band,
          zh: '类别',
          en: 'Band',
          type: 'code',
          subSet: 'basic',
          requiredIn: [],
          owner: 'school',
          sensitivity: 'normal',
          codes: [{ code: 'A', zh: '甲类', en: 'Class A' }],
          version: 1,
          status: 'active',
        },
      ],
    };
    assert.equal(await send('custom-fields.changed', 'custom-fields', defs), 'applied');
    const provinceRecords: [OrgUnitEntity, Rec, Rec][] = [
      [school, shared, { [band]: 'A' }],
      [school, validRecord({ professionalTitle: [{ title: '012', startMonth: '2015-09' }] }), {}],
      [otherSchool, validRecord(), {}],
    ];
    for (const [unit, record, custom] of provinceRecords) {
      const teacherId = randomUUID();
      const basic = record.basic as Rec;
      const outcome = await send('teacher.upserted', teacherId, {
        teacherId,
        unitCode: unit.code,
        idType: '1',
        idNumber: idOf(record),
        name: basic.name,
        personStatus: '01',
        reportedVersion: 1,
        record,
        catalogueVersion: '2026.1',
        custom,
      });
      assert.equal(outcome, 'applied');
      provinceIds.push(teacherId);
    }

    // The university reports two records through its own review (department approval by the ministry), and keeps a draft.
    const teachers = n.node.app.get(TeacherService);
    const review = n.node.app.get(ReviewService);
    const uniAdmin = actorOf(await n.account(university, Role.InfoAdmin), university);
    const approver = actorOf(await n.account(ministry, Role.InfoAdmin), ministry);
    for (const record of [{ ...shared }, validRecord()]) {
      const t = await teachers.create(uniAdmin, { unitId: university.id, record } as never);
      await review.act(uniAdmin, t.id, 'submit', { version: 1 });
      await review.act(uniAdmin, t.id, 'school-approve', { version: 1, participants: ['甲'], principal: '甲' });
      await review.act(approver, t.id, 'department-approve', { version: 1 });
      centralIds.push(t.id);
    }
    draftId = (await teachers.create(uniAdmin, { unitId: university.id, record: validRecord() } as never)).id;

    ministryAdmin = await n.tokenFor(await n.account(ministry, Role.InfoAdmin));
    ministryQuery = await n.tokenFor(await n.account(ministry, Role.Query));
    provinceAdmin = await n.tokenFor(await n.account(await n.unitByCode('110000'), Role.InfoAdmin));
  });
  after(async () => {
    await n?.close();
    await db?.drop();
  });

  it('national statistics count the provinces’ and the central universities’ reported records, each once', async () => {
    const r = await n.api('POST', '/stats/refresh', { token: ministryAdmin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.source, 'national_teacher+teacher');
    const bySchoolType = await n.api('GET', '/stats/breakdown?by=schoolType', { token: ministryAdmin });
    assert.equal(bySchoolType.status, 200, JSON.stringify(bySchoolType.body));
    // 3 reported by province 11, 2 reported by the university; its draft is not in the population.
    assert.equal(bySchoolType.body.total, 5);
    assert.deepEqual(cellsOf(bySchoolType.body), { 21: 2, 31: 1, 41: 2 });
    // The person reported twice (province and university) is two records, each counted once.
    const byCategory = await n.api('GET', '/stats/breakdown?by=staffCategory', { token: ministryAdmin });
    assert.equal(cellsOf(byCategory.body)['12'], 2);
    // A province's reader: its own province only.
    const own = await n.api('GET', '/stats/breakdown?by=schoolType', { token: provinceAdmin });
    assert.deepEqual(cellsOf(own.body), { 21: 2, 31: 1 });
    // Incremental: another central record reported (the draft) shows after a refresh.
    const teachers = n.node.app.get(TeacherService);
    const review = n.node.app.get(ReviewService);
    const uniAdmin = actorOf(await n.account(university, Role.InfoAdmin), university);
    await review.act(uniAdmin, draftId, 'submit', { version: 1 });
    await review.act(uniAdmin, draftId, 'school-approve', { version: 1, participants: ['甲'], principal: '甲' });
    await review.act(actorOf(await n.account(ministry, Role.InfoAdmin), ministry), draftId, 'department-approve', {
      version: 1,
    });
    assert.equal((await teachers.get(uniAdmin, draftId)).reviewState, 'reported');
    const inc = await n.api('POST', '/stats/refresh', { token: ministryAdmin });
    assert.equal(inc.body.mode, 'incremental');
    const after = await n.api('GET', '/stats/breakdown?by=schoolType', { token: ministryAdmin });
    assert.equal(after.body.total, 6);
    assert.deepEqual(cellsOf(after.body), { 21: 2, 31: 1, 41: 3 });
  });

  it('the cross-province duplicate check sees a central university’s record (as province 00)', async () => {
    const r = await n.api('GET', '/sync/duplicates', { token: ministryAdmin });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const dup = r.body.find((d: { idNumber: string }) => d.idNumber === idOf(shared));
    assert.ok(dup, JSON.stringify(r.body));
    assert.deepEqual(dup.provinces, ['00', '11']);
    assert.equal(dup.teacherIds.length, 2);
    // Province 11 sees it (it touches the province) with its own record only.
    const own = await n.api('GET', '/sync/duplicates', { token: provinceAdmin });
    const mine = own.body.find((d: { idNumber: string }) => d.idNumber === idOf(shared));
    assert.deepEqual(mine.teacherIds, [provinceIds[0]]);
  });

  it('search: the ministry pages through both kinds; a province reads its own; filters; query users masked', async () => {
    // Keyset pages of 2 over the whole population (6 records: 3 from the province, 3 central).
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: any } = await n.api(
        'GET',
        `/national/teachers?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: ministryAdmin },
      );
      assert.equal(page.status, 200, JSON.stringify(page.body));
      seen.push(...page.body.items.map((i: { teacherId: string }) => i.teacherId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(seen.length, 6);
    assert.equal(new Set(seen).size, 6);
    assert.deepEqual(new Set(seen), new Set([...provinceIds, ...centralIds, draftId]));

    const list = (q: string, token = ministryAdmin) => n.api('GET', `/national/teachers?${q}`, { token });
    const ids = (r: { body: { items: { teacherId: string }[] } }) => r.body.items.map((i) => i.teacherId).sort();
    // Region: a county of province 11 (one school, two records), and the university itself.
    assert.deepEqual(ids(await list(`unitId=${county.id}`)), [provinceIds[0], provinceIds[1]].sort());
    assert.deepEqual(ids(await list(`unitId=${university.id}`)), [...centralIds, draftId].sort());
    // Person filters across both kinds.
    assert.deepEqual(ids(await list('staffCategory=12')), [provinceIds[0], centralIds[0]].sort());
    assert.deepEqual(ids(await list('title=012')), [provinceIds[1]]);
    assert.deepEqual(ids(await list('schoolType=41')), [...centralIds, draftId].sort());
    assert.deepEqual(ids(await list('schoolType=31&subject=02')), [provinceIds[2]]);
    const name = ((shared.basic as Rec).name as string).slice(0, 2);
    assert.ok(ids(await list(`name=${encodeURIComponent(name)}`)).includes(centralIds[0]));
    assert.deepEqual(ids(await list(`idNumber=${idOf(shared)}`)), [provinceIds[0], centralIds[0]].sort());
    // Custom values are a province's: with the province, found; without one, refused.
    assert.deepEqual(ids(await list(`province=11&custom=${band}:A`)), [provinceIds[0]]);
    assert.equal((await list(`custom=${band}:A`)).status, 400);

    // Province 11's administrator: its own province's records only; another province or the university refused.
    const own = await list('limit=100', provinceAdmin);
    assert.deepEqual(ids(own), [...provinceIds].sort());
    assert.equal((await list('province=12', provinceAdmin)).status, 403);
    assert.equal((await list(`unitId=${university.id}`, provinceAdmin)).status, 403);
    assert.equal((await n.api('GET', `/national/teachers/${centralIds[0]}`, { token: provinceAdmin })).status, 404);

    // Query users: ID numbers masked, and no search by ID number.
    const q = await list('limit=100', ministryQuery);
    assert.equal(q.status, 200);
    for (const item of q.body.items) assert.match(item.idNumber, /\*/);
    assert.equal((await list(`idNumber=${idOf(shared)}`, ministryQuery)).status, 403);
    // Below a province (a county account at national) reads nothing here.
    const countyQuery = await n.tokenFor(await n.account(county, Role.Query));
    assert.equal((await list('', countyQuery)).status, 403);
  });

  it('record view: as reported, custom indicators labelled from the province’s definitions, masked for query users', async () => {
    const full = await n.api('GET', `/national/teachers/${provinceIds[0]}`, { token: ministryAdmin });
    assert.equal(full.status, 200, JSON.stringify(full.body));
    assert.equal(full.body.source, 'province');
    assert.equal(full.body.province, '11');
    assert.equal(full.body.idNumber, idOf(shared));
    assert.equal((full.body.record.basic as Rec).idNumber, idOf(shared));
    assert.deepEqual(full.body.custom, [
      {
        key: band,
        zh: '类别',
        en: 'Band',
        subSet: 'basic',
        value: 'A',
        valueLabel: { zh: '甲类', en: 'Class A' },
        defined: true,
      },
    ]);
    const masked = await n.api('GET', `/national/teachers/${provinceIds[0]}`, { token: ministryQuery });
    assert.equal(masked.status, 200);
    assert.notEqual(masked.body.idNumber, idOf(shared));
    assert.notEqual((masked.body.record.basic as Rec).idNumber, idOf(shared));
    assert.notEqual((masked.body.record.contacts as Rec).mobile, (shared.contacts as Rec).mobile);
    const central = await n.api('GET', `/national/teachers/${centralIds[1]}`, { token: ministryAdmin });
    assert.equal(central.status, 200);
    assert.equal(central.body.source, 'central');
    assert.equal(central.body.unitCode, university.code);

    // A central university's confirmed training (this node's own training module) reads in sub-set 13
    // after the typed entries, as on the university's own record view and in the export.
    const resultId = await confirmedResult(n.db, university, centralIds[1], {
      name: '高校教师发展研修',
      organiser: '教师发展中心',
      creditKind: 'training',
      hours: 24,
      startsOn: '2026-04-01',
      endsOn: '2026-04-05',
    });
    const withTraining = await n.api('GET', `/national/teachers/${centralIds[1]}`, { token: ministryAdmin });
    const training = withTraining.body.record.domesticTraining as Rec[];
    const typed = (central.body.record.domesticTraining ?? []) as Rec[];
    assert.deepEqual(training.slice(0, typed.length), typed);
    assert.deepEqual(training.slice(typed.length), [
      {
        id: resultId,
        projectName: '高校教师发展研修',
        startDate: '2026-04-01',
        endDate: '2026-04-05',
        hours: 24,
        organiser: '教师发展中心',
        level: '5',
        mode: '1',
        confirmed: true,
      },
    ]);
    const own = await n.api('GET', `/teachers/${centralIds[1]}`, {
      token: await n.tokenFor(await n.account(university, Role.InfoAdmin)),
    });
    assert.deepEqual(own.body.record.domesticTraining, training);
  });

  it('export: the search result in the bulk layout (CSV of one sub-set), masked for query users', async () => {
    const res = await fetch(`${n.url}/national/teachers/export?format=csv&subSet=basic`, {
      headers: { authorization: `Bearer ${ministryQuery}` },
    });
    assert.equal(res.status, 200);
    const lines = (await res.text()).trim().split('\r\n');
    assert.match(lines[0], /masked=true/);
    // Meta line, three header lines (zh, en, key), then one line per record of the population.
    assert.equal(lines.length, 4 + 6);
    assert.ok(!lines.some((l) => l.includes(idOf(shared))));
    const xlsx = await fetch(`${n.url}/national/teachers/export?unitId=${county.id}`, {
      headers: { authorization: `Bearer ${ministryAdmin}` },
    });
    assert.equal(xlsx.status, 200);
    assert.equal(xlsx.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.ok((await xlsx.arrayBuffer()).byteLength > 1000);
  });

  it('standard report: the yearly statistics teacher tables as xlsx; each sheet’s totals equal the breakdowns', async () => {
    const res = await fetch(`${n.url}/stats/reports/teachers`, {
      headers: { authorization: `Bearer ${ministryAdmin}` },
    });
    assert.equal(res.status, 200);
    const asOf = res.headers.get('x-stats-as-of');
    assert.ok(asOf);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheetTable = (name: string) => {
      const ws = wb.getWorksheet(name)!;
      assert.ok(ws, name);
      const rows: unknown[][] = [];
      ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
      assert.match(String(rows[1][2]), new RegExp(asOf!.slice(0, 10)));
      const codes = rows[4].slice(2).map(String);
      const body = rows.slice(5, rows.findIndex((r) => String(r[0]).startsWith('总计')) + 1);
      return { codes, body };
    };
    const breakdown = async (by: string, filter: string, extra = '') =>
      (await n.api('GET', `/stats/breakdown?by=schoolType,${by}&filter=${filter}${extra}`, { token: ministryAdmin }))
        .body;
    for (const [sheet, dim] of [
      ['专任教师学历', 'highestEducation'],
      ['专任教师职称', 'titleLevel'],
      ['专任教师年龄', 'ageBand'],
      ['专任教师性别', 'sex'],
      ['专任教师城乡', 'urbanRural'],
    ]) {
      const { codes, body } = sheetTable(sheet);
      const b = await breakdown(dim, 'staffCategory:11');
      const totalRow = body[body.length - 1];
      // The grand total is the breakdown's total (people), and every cell is the breakdown's cell.
      assert.equal(totalRow[1], b.total, sheet);
      assert.equal(b.total, 4, 'full-time teachers: the 6 records but the two of staff category 12');
      for (const r of b.rows) {
        const type = r.values.schoolType.code;
        const line = body.find((l) => String(l[0]).endsWith(`(${type})`))!;
        assert.ok(line, `${sheet}: school type ${type}`);
        assert.equal(line[2 + codes.indexOf(String(r.values[dim].code))], r.count, `${sheet} ${type} ${dim}`);
      }
      // Row totals add up to the grand total.
      assert.equal(
        body.slice(0, -1).reduce((s, l) => s + Number(l[1]), 0),
        totalRow[1],
      );
    }
    // Leavers: none of the records has left.
    const left = sheetTable('减少教师');
    assert.equal(left.body[left.body.length - 1][1], 0);
    // A province's reader gets its province's report; another province's unit is refused.
    const own = await fetch(`${n.url}/stats/reports/teachers`, {
      headers: { authorization: `Bearer ${provinceAdmin}` },
    });
    assert.equal(own.status, 200);
    const other = await fetch(`${n.url}/stats/reports/teachers?unit=${university.id}`, {
      headers: { authorization: `Bearer ${provinceAdmin}` },
    });
    assert.equal(other.status, 403);
  });
});

const TOKEN_11 = 'province-11-catalogue-token-0123456789abcdef';

/**
 * Catalogue versions pushed down (issue 17): the national node publishes a version over the federation
 * messenger (HTTP here: the province pulls); the province applies it without a release (a new code and a
 * new optional field are accepted on write, a retired code refused), reports the version it runs, and
 * national accepts records of the current and the previous version, refusing older ones.
 */
describe('national roll-up: catalogue versions published, applied by a province, both versions accepted', () => {
  let dbs: { url: string; drop(): Promise<void> }[] = [];
  let national: TestNode;
  let p11: TestNode;
  const idx = catalogueIndex();
  const titleTable = idx.subSets.get('professionalTitle')!.fields.find((f) => f.key === 'title')!.codeTable!;
  const politicalTable = idx.subSets.get('basic')!.fields.find((f) => f.key === 'politicalStatus')!.codeTable!;
  // A code validRecord() does not use (it writes politicalStatus 13).
  const retired = idx.tables.get(politicalTable)!.entries.find((e) => e.code !== '13')!.code;

  before(async () => {
    dbs = [await isolatedDatabase('catn'), await isolatedDatabase('cat11')];
    national = await TestNode.start('national', {
      DATABASE_URL: dbs[0].url,
      SYNC_NODE_TOKENS: `11:${TOKEN_11}`,
      FEDERATION_RELAY_INTERVAL_MS: '100',
      STATS_REFRESH_SECONDS: '0',
    });
    p11 = await TestNode.start('provincial', {
      PROVINCE_CODE: '11',
      DATABASE_URL: dbs[1].url,
      NATIONAL_URL: national.url,
      SYNC_NODE_TOKEN: TOKEN_11,
      FEDERATION_RELAY_INTERVAL_MS: '100',
      STATS_REFRESH_SECONDS: '0',
    });
  });
  after(async () => {
    await p11?.close();
    await national?.close();
    for (const d of dbs) await d.drop();
  });

  it('publish → the province applies and reports it → records of both versions accepted, older refused', async () => {
    const ministry = await national.tokenFor(
      await national.account(await national.unitByCode('000000'), Role.InfoAdmin),
    );
    const body = {
      version: '2026.2',
      addCodes: { [titleTable]: [{ code: '016', zh: '新设职称', en: 'New title' }] },
      retireCodes: { [politicalTable]: [retired] },
      addFields: [
        {
          subSet: 'basic',
          key: 'ruralServiceNote',
          zh: '乡村服务说明',
          en: 'Rural service note',
          type: 'string',
          maxLength: 50,
        },
      ],
    };
    // Only the ministry publishes; a bad change is refused.
    const provinceAdmin = await national.tokenFor(
      await national.account(await national.unitByCode('110000'), Role.InfoAdmin),
    );
    assert.equal((await national.api('POST', '/catalogue/versions', { token: provinceAdmin, body })).status, 403);
    const bad = await national.api('POST', '/catalogue/versions', {
      token: ministry,
      body: { version: '2026.2', addCodes: { [titleTable]: [{ code: '011', zh: '重复', en: 'Dup' }] } },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    const pub = await national.api('POST', '/catalogue/versions', { token: ministry, body });
    assert.equal(pub.status, 201, JSON.stringify(pub.body));
    assert.equal(pub.body.base, '2026.1');

    // The province receives it over the downward channel, applies it and reports it.
    const provinceToken = await p11.tokenFor(await p11.account(await p11.province_(), Role.InfoAdmin));
    await until('applied at 11', async () => {
      const r = await p11.api('GET', '/catalogue/versions', { token: provinceToken });
      return r.body.current === '2026.2';
    });
    const status = await until('reported at national', async () => {
      const r = await national.api('GET', '/sync/status', { token: ministry });
      return r.body.catalogue?.provinces?.find((p: { province: string }) => p.province === '11')?.version === '2026.2'
        ? r.body
        : null;
    });
    assert.deepEqual(status.catalogue.accepted, ['2026.2', '2026.1']);
    const health = await national.api('GET', '/health', {
      headers: { authorization: 'Bearer test-metrics-token-0123456789abcdef' },
    });
    assert.equal(
      health.body.details.catalogue.provinces.find((p: { province: string }) => p.province === '11').version,
      '2026.2',
    );

    // Applied without a release: the new code and the new optional field are accepted, the retired code refused.
    const school = await p11.newSchool();
    const admin = await p11.tokenFor(await p11.account(school, Role.InfoAdmin));
    const withNew = validRecord({
      basic: { ruralServiceNote: '支教三年' },
      professionalTitle: [{ title: '016', startMonth: '2020-09' }],
    });
    const created = await p11.api('POST', '/teachers', { token: admin, body: { unitId: school.id, record: withNew } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.catalogueVersion, '2026.2');
    const withRetired = validRecord({ basic: { politicalStatus: retired } });
    const refused = await p11.api('POST', '/teachers', {
      token: admin,
      body: { unitId: school.id, record: withRetired },
    });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.errors[0].path, 'record.basic.politicalStatus');

    // National: records of 2026.2 (with the new code) and of 2026.1 accepted; a version before those refused.
    const ingest = national.node.app.get(SyncIngestService);
    const nationalSchool = await national.newSchool(await national.newCounty(), '21');
    let seq = 1;
    const upsert = (record: Rec, catalogueVersion: string) => {
      const teacherId = randomUUID();
      return ingest.apply(
        JSON.stringify({
          schemaVersion: 2,
          eventId: randomUUID(),
          provinceCode: '11',
          sequence: seq++,
          type: 'teacher.upserted',
          key: teacherId,
          occurredAt: new Date().toISOString(),
          payload: {
            teacherId,
            unitCode: nationalSchool.code,
            idType: '1',
            idNumber: idOf(record),
            name: (record.basic as Rec).name,
            personStatus: '01',
            reportedVersion: 1,
            record,
            catalogueVersion,
            custom: {},
          },
        }),
      );
    };
    assert.equal(await upsert(withNew, '2026.2'), 'applied');
    assert.equal(await upsert(validRecord(), '2026.1'), 'applied');
    assert.equal(await upsert(validRecord(), '2025.9'), 'dead-letter');
    // After another version, 2026.1 is two behind: refused.
    const third = await national.api('POST', '/catalogue/versions', {
      token: ministry,
      body: { version: '2026.3', addCodes: { [titleTable]: [{ code: '017', zh: '又一职称', en: 'Another title' }] } },
    });
    assert.equal(third.status, 201, JSON.stringify(third.body));
    assert.equal(await upsert(validRecord(), '2026.1'), 'dead-letter');
    assert.equal(await upsert(validRecord(), '2026.2'), 'applied');
    const letters = await national.api('GET', '/sync/dead-letters', { token: ministry });
    assert.ok(
      JSON.stringify(letters.body).includes('neither the current nor the previous catalogue version'),
      JSON.stringify(letters.body).slice(0, 500),
    );
  });

  it('a province’s custom indicator may not reuse a core field’s or sub-set’s key', async () => {
    const token = await p11.tokenFor(await p11.account(await p11.province_(), Role.InfoAdmin));
    const field = (key: string) => ({
      key,
      zh: '自定义',
      en: 'Custom',
      type: 'string',
      subSet: 'basic',
      requiredIn: [],
      owner: 'school',
      sensitivity: 'normal',
      maxLength: 20,
    });
    for (const key of ['sex', 'politicalStatus', 'professionalTitle']) {
      const r = await p11.api('POST', '/custom-fields', { token, body: field(key) });
      assert.ok(r.status === 400 || r.status === 422, `${key}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.ok(
        r.body.errors.some((e: { code: string }) => e.code === 'collision'),
        `${key}: refused as a collision with a core key: ${JSON.stringify(r.body.errors)}`,
      );
    }
    const ok = await p11.api('POST', '/custom-fields', { token, body: field(`x_note${randomInt(100, 999)}`) });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});

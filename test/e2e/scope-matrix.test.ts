import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { Role } from '@tmis/access';
import { SyncIngestService } from '@tmis/sync-ingest';
import { isolatedDatabase, TestNode } from '../support/test-node.js';
import { validRecord } from '../support/records.js';

const TOKEN_11 = 'province-11-node-token-matrix-0123456789';
const TOKEN_44 = 'province-44-node-token-matrix-0123456789';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: { enum?: unknown[]; type?: string };
}
type Paths = Record<string, { get?: { parameters?: Parameter[] } }>;

/**
 * Issue 19, "zero cross-scope reads on either node", tried on every GET route of a node's OpenAPI
 * document rather than on a list of routes: accounts of one scope ask each route about another scope —
 * by its ids in the path, its units, codes and persons in the query, as JSON, xlsx and csv — and no
 * answer may contain one of the other scope's persons (name, ID number, record id, a custom value).
 * An account above both asking the same routes must see each of them somewhere (so the check can fail).
 */
function requests(paths: Paths, ids: string[], byName: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const [template, item] of Object.entries(paths)) {
    const params = item.get?.parameters;
    if (!item.get) continue;
    const pathParams = (params ?? []).filter((p) => p.in === 'path');
    const queryParams = (params ?? []).filter((p) => p.in === 'query');
    for (const v of pathParams.length ? ids : ['']) {
      let path = template;
      for (const p of pathParams) path = path.replace(`{${p.name}}`, encodeURIComponent(byName[p.name]?.[0] ?? v));
      const query = new URLSearchParams();
      for (const p of queryParams) {
        if (byName[p.name]) query.set(p.name, byName[p.name][0]);
        else if (p.required && p.schema?.enum?.length) query.set(p.name, String(p.schema.enum[0]));
      }
      const variants = [query];
      // Each other way of naming the other scope in the query, and each file format.
      for (const p of queryParams)
        for (const alt of [...(byName[p.name]?.slice(1) ?? []), ...(p.name === 'format' ? ['xlsx', 'csv'] : [])]) {
          const q2 = new URLSearchParams(query);
          q2.set(p.name, alt);
          variants.push(q2);
        }
      for (const q of variants) out.push(`${path}${q.size ? `?${q}` : ''}`);
    }
  }
  return [...new Set(out)];
}

/** The answer as text: JSON and text as sent, a workbook as its cells' values. */
async function answer(node: TestNode, path: string, token: string): Promise<{ status: number; text: string }> {
  const res = await fetch(node.url + path, { headers: { authorization: `Bearer ${token}` } });
  const buf = Buffer.from(await res.arrayBuffer());
  if (!String(res.headers.get('content-type')).includes('spreadsheetml'))
    return { status: res.status, text: buf.toString() };
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  const cells: string[] = [];
  wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.text)))));
  return { status: res.status, text: cells.join('\n') };
}

/** Asks every request as each outsider and as the control; returns what leaked and what the control saw. */
async function probe(
  node: TestNode,
  list: string[],
  outsiders: Record<string, string>,
  control: string,
  markers: string[],
): Promise<{ found: string[]; seen: Set<string> }> {
  const leaks = (text: string) => markers.filter((m) => text.includes(m));
  const found: string[] = [];
  const seen = new Set<string>();
  for (const path of list) {
    for (const [role, token] of Object.entries(outsiders)) {
      const r = await answer(node, path, token);
      if (r.status >= 500) found.push(`${role} ${path}: ${r.status}`);
      // A refusal names the request it refuses (problem+json `instance`): that is the caller's own input.
      const own = [path, decodeURIComponent(path), path.split('?')[0]];
      const l = leaks(own.reduce((t, p) => t.replaceAll(p, ''), r.text));
      if (l.length) found.push(`${role} ${path}: ${r.status} shows ${l.join(', ')}`);
    }
    for (const m of leaks((await answer(node, path, control)).text)) seen.add(m);
  }
  return { found, seen };
}

describe('the national node: no route shows another province’s persons to a province’s accounts', () => {
  let n: TestNode;
  let db: { url: string; drop(): Promise<void> };
  const seq: Record<string, number> = { '11': 0, '44': 0 };
  const eleven = { name: '越界甲乙', idNumber: '', teacherId: randomUUID() };

  const envelope = (province: string, type: string, payload: unknown) =>
    JSON.stringify({
      schemaVersion: 2,
      eventId: randomUUID(),
      provinceCode: province,
      sequence: ++seq[province],
      type,
      key: 'k',
      occurredAt: new Date().toISOString(),
      payload,
    });
  const reported = (teacherId: string, unitCode: string, record: Record<string, unknown>) => {
    const basic = record.basic as { idNumber: string; name: string; personStatus: string };
    return {
      teacherId,
      unitCode,
      idType: '1',
      idNumber: basic.idNumber,
      name: basic.name,
      personStatus: basic.personStatus,
      reportedVersion: 1,
      record,
      catalogueVersion: '2026.1',
      custom: { x_matrix: 'secret-eleven' },
    };
  };

  before(async () => {
    db = await isolatedDatabase('matrixn');
    n = await TestNode.start('national', {
      DATABASE_URL: db.url,
      SYNC_NODE_TOKENS: `11:${TOKEN_11},44:${TOKEN_44}`,
      STATS_REFRESH_SECONDS: '0',
    });
    const ingest = n.node.app.get(SyncIngestService);
    const defs = { definitions: [{ key: 'x_matrix', zh: '测试', en: 'Test', type: 'string', subSet: 'basic' }] };
    assert.equal(await ingest.apply(envelope('11', 'custom-fields.changed', defs)), 'applied');
    const r11 = validRecord({ basic: { name: eleven.name } });
    eleven.idNumber = (r11.basic as { idNumber: string }).idNumber;
    const own = reported(eleven.teacherId, '2111000101', r11);
    assert.equal(await ingest.apply(envelope('11', 'teacher.upserted', own)), 'applied');
    const theirs = reported(randomUUID(), '2144000101', validRecord());
    assert.equal(await ingest.apply(envelope('44', 'teacher.upserted', theirs)), 'applied');
  });
  after(async () => {
    await n?.close();
    await db?.drop();
  });

  it('province 44’s query user, information and system administrator see none of province 11’s persons on any GET route', async () => {
    const beijing = await n.unitByCode('110000');
    const county = await n.unitByCode('110101');
    const list = requests(
      (await n.api('GET', '/docs-json')).body.paths,
      [eleven.teacherId, beijing.id, county.id, '110000', '110101', 'x_matrix'],
      {
        province: ['11'],
        provinceCode: ['11'],
        unit: [beijing.id, county.id],
        unitId: [beijing.id, county.id],
        unitCode: ['2111000101', '110000', '110101'],
        region: ['110000', '11'],
        school: ['2111000101'],
        name: [eleven.name.slice(0, 2)],
        idNumber: [eleven.idNumber],
        key: ['x_matrix'],
      },
    );
    assert.ok(list.length > 120, `${list.length} requests`);
    const gd = await n.unitByCode('440000');
    const outsiders = {
      query: await n.tokenFor(await n.account(gd, Role.Query)),
      info: await n.tokenFor(await n.account(gd, Role.InfoAdmin)),
      sys: await n.tokenFor(await n.account(gd, Role.SysAdmin)),
    };
    const ministry = await n.tokenFor(await n.account(await n.unitByCode('000000'), Role.InfoAdmin));
    const markers = [eleven.name, eleven.idNumber, eleven.teacherId, 'secret-eleven'];
    const { found, seen } = await probe(n, list, outsiders, ministry, markers);
    assert.deepEqual(found, []);
    for (const m of markers) assert.ok(seen.has(m), `the ministry sees ${m} somewhere: ${[...seen].join(', ')}`);
  });
});

describe('the provincial node: no route shows another county’s persons to a county’s or a school’s accounts', () => {
  let p: TestNode;
  let db: { url: string; drop(): Promise<void> };

  before(async () => {
    db = await isolatedDatabase('matrixp');
    p = await TestNode.start('provincial', { PROVINCE_CODE: '11', DATABASE_URL: db.url });
  });
  after(async () => {
    await p?.close();
    await db?.drop();
  });

  it('county A’s and its school’s accounts (every role) see none of county B’s persons on any GET route', async () => {
    const countyB = await p.newCounty();
    const schoolB = await p.newSchool(countyB);
    const countyA = await p.newCounty();
    const schoolA = await p.newSchool(countyA);
    const province = await p.unitByCode('110000');
    const provinceAdmin = await p.tokenFor(await p.account(province, Role.InfoAdmin));
    const def = await p.api('POST', '/custom-fields', {
      token: provinceAdmin,
      body: {
        key: 'x_matrix',
        zh: '测试',
        en: 'Test',
        type: 'string',
        subSet: 'basic',
        requiredIn: [],
        owner: 'school',
        sensitivity: 'normal',
      },
    });
    assert.equal(def.status, 201, JSON.stringify(def.body));
    // County B's teacher, taken through review to "reported" (so statistics, exports and feeds hold it).
    const schoolAdminB = await p.tokenFor(await p.account(schoolB, Role.InfoAdmin));
    const record = validRecord({ basic: { name: '越界丙丁', x_matrix: 'secret-county-b' } });
    const created = await p.api('POST', '/teachers', {
      token: schoolAdminB,
      body: { unitId: schoolB.id, record },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    await p.api('POST', `/teachers/${id}/review/submit`, { token: schoolAdminB, body: { version: 1 } });
    await p.api('POST', `/teachers/${id}/review/school-approve`, {
      token: schoolAdminB,
      body: { version: 1, participants: ['王校长'], principal: '王校长' },
    });
    const countyAdminB = await p.tokenFor(await p.account(countyB, Role.InfoAdmin));
    const rep = await p.api('POST', `/teachers/${id}/review/department-approve`, {
      token: countyAdminB,
      body: { version: 1 },
    });
    assert.equal(rep.body.state, 'reported', JSON.stringify(rep.body));
    const idNumber = (record.basic as { idNumber: string }).idNumber;

    const list = requests(
      (await p.api('GET', '/docs-json')).body.paths,
      [id, schoolB.id, countyB.id, schoolB.code, countyB.code, 'x_matrix'],
      {
        unit: [countyB.id, schoolB.id],
        unitId: [countyB.id, schoolB.id],
        unitCode: [countyB.code, schoolB.code],
        teacherId: [id],
        region: [countyB.code],
        name: ['越界'],
        idNumber: [idNumber],
        key: ['x_matrix'],
      },
    );
    assert.ok(list.length > 120, `${list.length} requests`);
    const outsiders: Record<string, string> = {};
    for (const [scope, unit] of [
      ['county', countyA],
      ['school', schoolA],
    ] as const)
      for (const role of [Role.Query, Role.InfoAdmin, Role.SysAdmin])
        outsiders[`${scope}-${role}`] = await p.tokenFor(await p.account(unit, role));
    const markers = ['越界丙丁', idNumber, id, 'secret-county-b'];
    const { found, seen } = await probe(p, list, outsiders, provinceAdmin, markers);
    assert.deepEqual(found, []);
    for (const m of markers) assert.ok(seen.has(m), `the province sees ${m} somewhere: ${[...seen].join(', ')}`);
  });
});

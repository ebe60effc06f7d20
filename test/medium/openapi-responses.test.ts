import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Role } from '@tmis/access';
import { CATALOGUE_VERSION } from '@tmis/core-indicators';
import { validRecord } from '../support/records.js';
import { reportRecords } from '../support/sync-helpers.js';
import {
  apiClient,
  isolatedDatabase,
  TestNode,
  TEST_METRICS_TOKEN,
  TEST_PASSWORD,
  unique,
} from '../support/test-node.js';

// Every operation of each node's OpenAPI document is called — with valid input (fixtures below, bodies
// built from the request schema) until it succeeds, and with invalid input — and every answer's status,
// content type and body are checked against what the document says for that status (ajv + ajv-formats).
// Operations that act on prior state get it built through the API first (overrides below: a school plan
// to approve, a reported record to open a change request on, a webhook delivery to replay, …); a
// STALE_VERSION answer is retried once with the version it names. Response objects are closed
// (`additionalProperties: false` unless the type has an index signature), so a member answered but not
// documented fails. The test fails on an undocumented status (error statuses included) or content type, a
// body not matching its schema, an operation that never succeeded (unless listed in NOT_EXERCISED with the
// reason it cannot), a listed operation that did succeed, and a route the app serves that the document
// does not list.

type Json = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Json;
}
interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: unknown;
}

/**
 * Operations the test does not expect to succeed, and why. Everything else must answer 2xx at least once;
 * these still get their error answers validated.
 */
const NOT_EXERCISED: Record<'provincial' | 'national', Record<string, string>> = { provincial: {}, national: {} };

const SYNC_TOKEN = `node-token-${randomUUID()}`;
/** Tokens kept for the operations that name them (a session to end, a password to change, the node token). */
const SPECIAL = new Set([
  'logout',
  'pw',
  'metrics',
  'sync',
  'reportedSchool',
  'reportedCounty',
  'regSchool',
  'regCounty',
  'uni2Info',
]);
const PHOTO = 'https://platform.example/tmis';

/** OpenAPI 3.0 → JSON Schema for ajv: `nullable` becomes a `null` alternative, refs point into the document. */
function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== 'object') return s;
  const out: Json = {};
  for (const [k, v] of Object.entries(s as Json)) {
    if (k === 'nullable' || k === 'example' || k === 'examples') continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = `openapi.json${v}`;
    else if (k === 'properties' || k === 'patternProperties')
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, ps]) => [p, toJsonSchema(ps)]));
    else out[k] = toJsonSchema(v);
  }
  if ((s as Json).nullable === true) {
    if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

/**
 * A delivery to inspect: an endpoint of its own (at an address that does not answer), a change in its
 * subtree, then its first delivery once the sequencer and the sender have made it.
 */
async function webhookDelivery(t: TestNode, token: string, change: () => Promise<unknown>) {
  const hook = await t.api('POST', '/webhooks', { token, body: { url: PHOTO, eventTypes: ['*'] } });
  assert.equal(hook.status, 201, JSON.stringify(hook.body));
  await change();
  for (let i = 0; i < 60; i++) {
    const d = await t.api('GET', `/webhooks/${hook.body.id}/deliveries`, { token });
    if (d.body.items?.length) return `/webhooks/${hook.body.id}/deliveries/${d.body.items[0].id}`;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('no webhook delivery within 30 s');
}

/** A second secret of a new client (a rotation), to revoke. */
async function clientSecret(t: TestNode, token: string) {
  const c = await apiClient(t, token, ['teachers:read']);
  const r = await t.api('POST', `/api-clients/${c.id}/secrets`, { token, body: { overlapSeconds: 60 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return `/api-clients/${c.id}/secrets/${r.body.secretId}/revoke`;
}

/**
 * The record-edit chain on the fixture teacher, by `token` (its school's information administrator) at
 * the record's current version: a field changed, a list entry added, that entry changed, then removed.
 */
function recordEditChain(token: string, version: () => Promise<number>): Overrides {
  return {
    'PATCH /teachers/{id}': {
      tokens: [token],
      body: async () => ({ version: await version(), changes: { basic: { politicalStatus: '01' } } }),
    },
    'POST /teachers/{id}/{subSet}': {
      tokens: [token],
      body: async () => ({
        version: await version(),
        entry: {
          startMonth: '2010-09',
          endMonth: '2013-07',
          schoolName: '北京大学',
          educationLevel: '14',
          degree: '3',
          isHighest: false,
        },
      }),
      after: (a, g) => {
        const list = ((a.body as Json).record?.education ?? []) as Json[];
        g.values['path:entryId'] = list[list.length - 1]?.id;
      },
    },
    'PATCH /teachers/{id}/{subSet}/{entryId}': {
      tokens: [token],
      body: async () => ({ version: await version(), entry: { schoolName: '清华大学' } }),
    },
    'DELETE /teachers/{id}/{subSet}/{entryId}': {
      tokens: [token],
      query: async () => ({ version: String(await version()) }),
    },
  };
}

/**
 * A school's training plan (a new one for each call, entered by the school) that its supervising
 * department — `department`, a token name — approves or refuses.
 */
function schoolPlanChain(
  t: TestNode,
  schoolToken: () => string,
  department: string,
  institutionId: () => string,
): Overrides {
  const plan = async () => {
    const r = await t.api('POST', '/training/projects', {
      token: schoolToken(),
      body: {
        level: 'school',
        name: `校本研修${unique()}`,
        category: 'school_based',
        organiser: '教研组',
        hours: 20,
        startsOn: '2026-03-01',
        endsOn: '2026-03-10',
        capacity: 100,
        institutionIds: [institutionId()],
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  return {
    'POST /training/projects/{id}/approve': {
      tokens: [department],
      path: async () => `/training/projects/${await plan()}/approve`,
      body: () => ({ version: 1 }),
    },
    'POST /training/projects/{id}/refuse': {
      tokens: [department],
      path: async () => `/training/projects/${await plan()}/refuse`,
      body: () => ({ version: 1, reason: '学时安排不合理' }),
    },
  };
}

/** Hour→credit rules (a province's, or the ministry's for the central universities) in force since 2020. */
async function creditRules(t: TestNode, token: string): Promise<void> {
  const r = await t.api('POST', '/training/credit-rules', {
    token,
    body: {
      effectiveFrom: '2020-01-01',
      rules: {
        hoursPerCredit: {
          training: 10,
          online: 20,
          school_based: 20,
          course: 10,
          degree: 10,
          research: 10,
          publication: 10,
        },
        capPerKindPerYear: { online: 5 },
        registrationKinds: ['training', 'school_based', 'online', 'course'],
        registrationCredits: 36,
        cycleStartYear: 2021,
      },
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

/** One new teacher's basic sub-set as a CSV import (the layout of the export), as a form. */
function bulkCsv(unitCode: string): FormData {
  const r = validRecord().basic as Json;
  const keys = ['unitCode', 'idType', 'idNumber', 'name', 'sex', 'nationality', 'ethnicity', 'birthDate']
    .concat(['politicalStatus', 'workStartMonth', 'schoolEntryMonth', 'staffCategory', 'onEstablishment'])
    .concat(['personStatus']);
  const value = (k: string) => (k === 'unitCode' ? unitCode : k === 'onEstablishment' ? '是' : `${r[k]}`);
  const text = [
    `#tmis-bulk;layout=1;catalogue=${CATALOGUE_VERSION};subSet=basic;kind=export;masked=false`,
    keys.map(() => '列').join(','),
    keys.join(','),
    keys.join(','),
    keys.map(value).join(','),
  ].join('\r\n');
  const form = new FormData();
  form.append('file', new Blob([text + '\r\n']), 'teachers.csv');
  return form;
}

const mediaType = (ct: string) => ct.split(';')[0].trim().toLowerCase();

class Checker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();
  readonly failures: string[] = [];
  readonly succeeded = new Set<string>();
  readonly seen = new Map<string, Set<number>>();
  readonly last = new Map<string, string>();

  constructor(readonly doc: Json) {
    addFormats.default(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ $id: 'openapi.json', components: toJsonSchema(doc.components ?? {}) });
  }

  /** Checks one answer against the document; returns whether it was a documented success. */
  check(o: Operation, a: Answer, what: string): boolean {
    const key = `${o.method.toUpperCase()} ${o.path}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key)!.add(a.status);
    if (what.startsWith('as ') && ((a.status !== 401 && a.status !== 403) || !this.last.has(key)))
      this.last.set(key, `${what} ${a.status} ${a.text}`);
    let r = o.op.responses?.[String(a.status)];
    if (typeof r?.$ref === 'string') r = this.doc.components?.responses?.[r.$ref.split('/').pop()];
    const fail = (m: string) => {
      this.failures.push(`${key} (${what}) ${a.status}: ${m}`);
      return false;
    };
    if (a.status >= 500) return fail(`server error ${a.text.slice(0, 300)}`);
    if (!r)
      return fail(
        `status not documented (documented: ${Object.keys(o.op.responses ?? {}).join(',')}); body ${a.text.slice(0, 300)}`,
      );
    const content = r.content as Json | undefined;
    if (!content) {
      if (a.text.length) return fail(`documented without a body, answered ${a.text.slice(0, 200)}`);
    } else {
      const type = mediaType(a.contentType);
      const entry = Object.entries(content).find(([t]) => mediaType(t) === type)?.[1] as Json | undefined;
      if (!entry) return fail(`content type ${type} not documented (${Object.keys(content).join(', ')})`);
      const schema = entry.schema as Json | undefined;
      if (schema && !(schema.type === 'string' && schema.format === 'binary')) {
        const id = `${key} ${a.status} ${type}`;
        let v = this.cache.get(id);
        if (!v) {
          v = this.ajv.compile(toJsonSchema(schema) as Json);
          this.cache.set(id, v);
        }
        const body = type.endsWith('json') ? a.body : a.text;
        if (!v(body))
          return fail(
            `body does not match the schema: ${(v.errors ?? [])
              .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`)
              .join('; ')
              .slice(0, 600)} — body ${a.text.slice(0, 300)}`,
          );
      } else if (!a.text.length) return fail('empty file');
    }
    if (a.status < 300) this.succeeded.add(key);
    return a.status < 300;
  }
}

async function call(
  t: TestNode,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; form?: FormData; raw?: string; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | FormData | undefined;
  if (opts.form) body = opts.form;
  else if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType ?? 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(t.url + path, { method: method.toUpperCase(), headers, body });
  const contentType = res.headers.get('content-type') ?? '';
  const buf = Buffer.from(await res.arrayBuffer());
  const text = /json|text|csv/.test(contentType) ? buf.toString('utf8') : buf.length ? `<${buf.length} bytes>` : '';
  let parsed: unknown = text;
  if (/json/.test(contentType))
    try {
      parsed = JSON.parse(text);
    } catch {
      /* checked as text */
    }
  return { status: res.status, contentType, text, body: parsed };
}

function operations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json))
    for (const method of ['get', 'post', 'put', 'patch', 'delete'])
      if ((item as Json)[method]) out.push({ method, path, op: (item as Json)[method] });
  // Creations first, then reads, then actions on what exists, deletions last.
  const rank = (o: Operation) =>
    o.method === 'delete'
      ? 5
      : o.method === 'post' && !o.path.includes('{')
        ? 0
        : o.method === 'get'
          ? o.path.includes('{')
            ? 2
            : 1
          : 3;
  return out.sort((a, b) => rank(a) - rank(b));
}

/** The routes the Express app serves (method + OpenAPI-style path), besides /docs. */
function servedRoutes(t: TestNode): string[] {
  const express = t.node.app.getHttpAdapter().getInstance() as Json;
  const stack = ((express.router ?? express._router)?.stack ?? []) as Json[];
  const out: string[] = [];
  for (const layer of stack) {
    const route = layer.route as Json | undefined;
    if (!route) continue;
    const path = String(route.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    if (path.startsWith('/docs')) continue;
    for (const [m, on] of Object.entries(route.methods as Json))
      if (on && m !== '_all') out.push(`${m.toUpperCase()} ${path}`);
  }
  return out;
}

interface Fixtures {
  tokens: Record<string, string>;
  ctx: Map<string, string>;
  values: Record<string, unknown>;
}

/** A value for a required property, by its name and schema (fixtures first). */
function valueFor(name: string, schema: Json, f: Fixtures, doc: Json, depth = 0): unknown {
  if (schema.$ref) return valueFor(name, doc.components.schemas[schema.$ref.split('/').pop()], f, doc, depth);
  if (name in f.values) return f.values[name];
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [valueFor(name.replace(/s$/, ''), schema.items ?? {}, f, doc, depth + 1)];
    case 'object':
      return bodyFrom(schema, f, doc, depth + 1);
    case 'string':
      if (schema.format === 'uuid' || /Id$/.test(name)) return f.values.schoolId;
      if (schema.format === 'date' || /(Date|On|From|Since)$/.test(name)) return '2026-12-01';
      if (schema.format === 'date-time') return new Date().toISOString();
      return `测试${name}${randomInt(1000, 9999)}`.slice(0, Math.max(4, schema.maxLength ?? 40));
    default:
      return `测试${name}`;
  }
}

function bodyFrom(schema: Json | undefined, f: Fixtures, doc: Json, depth = 0): Json {
  if (!schema || depth > 4) return {};
  if (schema.$ref) return bodyFrom(doc.components.schemas[schema.$ref.split('/').pop()], f, doc, depth);
  const out: Json = {};
  for (const name of (schema.required ?? []) as string[])
    out[name] = valueFor(name, (schema.properties ?? {})[name] ?? {}, f, doc, depth);
  return out;
}

/** The path with its parameters filled from what earlier calls created (else fixtures, else a random id). */
function fillPath(path: string, f: Fixtures): string {
  const parts = path.split('/');
  return parts
    .map((seg, i) => {
      const m = /^\{(.+)\}$/.exec(seg);
      if (!m) return seg;
      const prefix = parts.slice(0, i).join('/');
      const v = f.ctx.get(prefix) ?? f.values[`path:${m[1]}`] ?? randomUUID();
      return encodeURIComponent(String(v));
    })
    .join('/');
}

/** Remembers ids that later operations need in their paths: `POST /x` → `/x`, `GET /x` → first item. */
function remember(o: Operation, a: Answer, f: Fixtures) {
  if (a.status >= 300 || !a.body || typeof a.body !== 'object') return;
  const b = a.body as Json;
  // A creation's own id (its answer may list items too, e.g. a spot check's sample); a list's first item.
  const first = Array.isArray(b)
    ? b[0]
    : o.method !== 'get' && (b.id || b.key)
      ? b
      : Array.isArray(b.items)
        ? b.items[0]
        : o.method !== 'get'
          ? b
          : undefined;
  const id = first?.id ?? first?.key;
  if (typeof id !== 'string') return;
  if (o.path.includes('{') && o.method !== 'get') return;
  if (!f.ctx.has(o.path) || o.method === 'post') f.ctx.set(o.path, id);
}

async function exercise(t: TestNode, doc: Json, f: Fixtures, overrides: Overrides): Promise<Checker> {
  const checker = new Checker(doc);
  const ops = operations(doc);
  for (let pass = 0; pass < 2; pass++) {
    for (const o of ops) {
      const key = `${o.method.toUpperCase()} ${o.path}`;
      if (checker.succeeded.has(key)) continue;
      const ov = overrides[key];
      const secured = (o.op.security ?? []).length > 0;
      const candidates = ov?.tokens ?? (secured ? Object.keys(f.tokens).filter((k) => !SPECIAL.has(k)) : [undefined]);
      let query = '';
      const req = ((o.op.parameters ?? []) as Json[]).filter((p) => p.in === 'query' && p.required);
      if (req.length || ov?.query)
        query =
          '?' +
          new URLSearchParams({
            ...Object.fromEntries(req.map((p) => [p.name, String(valueFor(p.name, p.schema ?? {}, f, doc))])),
            ...((await ov?.query?.(f)) ?? {}),
          }).toString();
      for (const who of candidates) {
        const token = who ? f.tokens[who] : undefined;
        const path = ((await ov?.path?.(f)) ?? fillPath(o.path, f)) + query;
        const jsonSchema = o.op.requestBody?.content?.['application/json']?.schema;
        const body = ov?.body
          ? await ov.body(f)
          : o.op.requestBody && jsonSchema
            ? bodyFrom(jsonSchema, f, doc)
            : undefined;
        const form = await ov?.form?.(f);
        const send = (b: unknown, at: string) =>
          call(t, o.method, at, {
            token,
            body: form ? undefined : b,
            form,
            raw: ov?.raw?.(f),
            contentType: ov?.contentType,
          });
        let a = await send(body, path);
        // Stale version (someone, here an earlier call, changed the resource): reload and retry, as a client does.
        const current = (a.body as Json | undefined)?.currentVersion;
        if (a.status === 409 && typeof current === 'number') {
          checker.check(o, a, `as ${who ?? 'anonymous'}, stale version`);
          const b = body && typeof body === 'object' ? (body as Json) : undefined;
          a = await send(
            b && 'baseVersion' in b
              ? { ...b, baseVersion: current }
              : b && 'version' in b
                ? { ...b, version: current }
                : b,
            path.replace(/([?&]version=)\d+/, `$1${current}`),
          );
        }
        const ok = checker.check(o, a, `as ${who ?? 'anonymous'}`);
        if (ok) {
          remember(o, a, f);
          ov?.after?.(a, f);
          break;
        }
      }
      if (pass > 0) continue;
      // Invalid input: no token on a secured route; a malformed id in the path; an unknown member in the body.
      if (secured) checker.check(o, await call(t, o.method, fillPath(o.path, f) + query), 'without a token');
      const token = f.tokens[candidates.find((c) => c) ?? ''] ?? undefined;
      if (/\{id\}/.test(o.path))
        checker.check(
          o,
          await call(t, o.method, o.path.replace(/\{[^}]+\}/g, 'not-an-id') + query, { token }),
          'malformed id',
        );
      if (o.op.requestBody?.content?.['application/json'])
        checker.check(
          o,
          await call(t, o.method, fillPath(o.path, f) + query, { token, raw: '{"unknownMember": [1,' }),
          'malformed JSON',
        );
    }
  }
  return checker;
}

type Overrides = Record<
  string,
  {
    tokens?: (string | undefined)[];
    path?: (f: Fixtures) => string | Promise<string>;
    query?: (f: Fixtures) => Record<string, string> | Promise<Record<string, string>>;
    body?: (f: Fixtures) => unknown;
    form?: (f: Fixtures) => FormData | Promise<FormData>;
    raw?: (f: Fixtures) => string;
    contentType?: string;
    after?: (a: Answer, f: Fixtures) => void;
  }
>;

function report(node: string, doc: Json, checker: Checker, served: string[]) {
  const ops = operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`);
  const problems = [...checker.failures];
  for (const k of ops)
    if (!checker.succeeded.has(k) && !NOT_EXERCISED[node as 'provincial'][k])
      problems.push(
        `${k}: never answered 2xx (statuses seen: ${[...(checker.seen.get(k) ?? [])].join(',')}; last: ${checker.last.get(k)?.slice(0, 400)})`,
      );
  for (const k of Object.keys(NOT_EXERCISED[node as 'provincial']))
    if (checker.succeeded.has(k))
      problems.push(`${k}: listed in NOT_EXERCISED but answered 2xx: remove it from the list`);
    else if (!ops.includes(k)) problems.push(`${k}: listed in NOT_EXERCISED but not in the ${node} document`);
  if (process.env.OPENAPI_LAST_FILE)
    writeFileSync(
      `${process.env.OPENAPI_LAST_FILE}.${node}`,
      ops
        .filter((k) => !checker.succeeded.has(k))
        .map((k) => `${k} | ${checker.last.get(k)?.slice(0, 300)}`)
        .join('\n'),
    );
  const documented = new Set(ops);
  for (const r of served)
    if (!documented.has(r)) problems.push(`${r}: served by the ${node} node but not in its document`);
  if (process.env.OPENAPI_PROBLEMS_FILE)
    writeFileSync(`${process.env.OPENAPI_PROBLEMS_FILE}.${node}`, problems.join('\n'));
  console.log(
    `${node}: ${ops.length} operations, ${ops.filter((k) => checker.succeeded.has(k)).length} answered 2xx and validated, ` +
      `${ops.filter((k) => NOT_EXERCISED[node as 'provincial'][k]).length} listed as not exercised; ${problems.length} problems`,
  );
  assert.deepEqual(problems, [], problems.join('\n'));
}

describe('the OpenAPI documents describe every route, answer and error of both nodes', () => {
  let p: TestNode;
  let n: TestNode;
  // Databases of their own: the test creates the province's and the ministry's system administrators
  // (one per unit), which other files sharing the test databases create too.
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  before(async () => {
    dbs.push(await isolatedDatabase('oap'), await isolatedDatabase('oan'));
    p = await TestNode.start('provincial', { DATABASE_URL: dbs[0].url });
    n = await TestNode.start('national', { DATABASE_URL: dbs[1].url, SYNC_NODE_TOKENS: `11:${SYNC_TOKEN}` });
  });
  after(async () => {
    await p?.close();
    await n?.close();
    for (const d of dbs) await d.drop();
  });

  it('provincial node: every operation answers as documented', async () => {
    const doc = (await p.api('GET', '/docs-json')).body as Json;
    const province = await p.province_();
    const county = await p.newCounty();
    const school = await p.newSchool(county);
    const school2 = await p.newSchool(county);
    const county2 = await p.newCounty();
    const acct = async (unit: { id: string }, role: Role) => p.tokenFor(await p.account(unit, role));
    const tokens: Record<string, string> = {
      schoolInfo: await acct(school, Role.InfoAdmin),
      schoolSys: await acct(school, Role.SysAdmin),
      countyInfo: await acct(county, Role.InfoAdmin),
      provinceInfo: await acct(province, Role.InfoAdmin),
      provinceSys: await acct(province, Role.SysAdmin),
      query: await acct(school, Role.Query),
    };
    const rec = validRecord();
    const created = await p.api('POST', '/teachers', {
      token: tokens.schoolInfo,
      body: { unitId: school.id, record: rec },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const teacherId = created.body.id as string;
    const teacherAcct = await p.account(school, Role.Teacher, { username: (rec.basic as Json).idNumber });
    await p.db.query(`UPDATE account SET id_number = $1 WHERE id = $2`, [(rec.basic as Json).idNumber, teacherAcct.id]);
    tokens.teacher = await p.tokenFor(teacherAcct);
    const platform = await apiClient(p, tokens.provinceSys, ['teachers:read']);
    tokens.client = (
      await apiClient(p, tokens.provinceSys, [
        'teachers:read',
        'teachers:read:sensitive',
        'stats:read',
        'changes:read',
        'training:write',
      ])
    ).token;
    tokens.metrics = TEST_METRICS_TOKEN;
    const f: Fixtures = {
      tokens,
      ctx: new Map([
        ['/teachers', teacherId],
        ['/registration/teachers', teacherId],
        ['/training/bank/teachers', teacherId],
        ['/units', school2.id],
      ]),
      values: {
        schoolId: school.id,
        unitId: school.id,
        teacherId,
        teacherIds: [teacherId],
        toUnitId: school2.id,
        parentId: county.id,
        newParentId: county2.id,
        version: 1,
        idNumber: (rec.basic as Json).idNumber,
        url: PHOTO,
        eventTypes: ['*'],
        scopes: ['teachers:read'],
        'path:unitCode': school.code,
        'path:subSet': 'education',
        'path:action': 'submit',
      },
    };
    // A reported record in another school of the county (transfers, registration and change requests need one).
    const reported = await reportRecords(p, 2, county);
    const reportedId = reported.ids[0];
    tokens.pw = await p.tokenFor(await p.account(school, Role.Query));
    const version = async (path: string, token = tokens.provinceInfo) =>
      (await p.api('GET', path, { token })).body.version as number;
    const teacherVersion = () => version(`/teachers/${teacherId}`, tokens.schoolInfo);
    const fieldKey = `x_oa${randomInt(100000, 999999)}`;
    const customField = {
      key: fieldKey,
      zh: '测试字段',
      en: 'Test field',
      type: 'string',
      subSet: 'basic',
      requiredIn: [],
      owner: 'school',
      sensitivity: 'normal',
      maxLength: 20,
    };
    const overrides: Overrides = {
      'POST /auth/login': {
        body: () => ({ username: teacherAcct.username, password: TEST_PASSWORD }),
        after: (a, g) => void (g.values.refreshToken = (a.body as Json).refreshToken),
      },
      'POST /auth/logout': { tokens: ['logout'] },
      'POST /auth/password': {
        tokens: ['pw'],
        body: () => ({ currentPassword: TEST_PASSWORD, newPassword: `Nw#${randomInt(1e6, 1e7)}xYz` }),
      },
      'GET /metrics': { tokens: ['metrics'] },
      'GET /units/lookup': { query: () => ({ code: school.code }) },
      'POST /oauth/token': {
        raw: () =>
          new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: platform.id,
            client_secret: platform.secret,
          }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      },
      'POST /registration/rules': {
        tokens: ['provinceInfo'],
        body: async () => ({
          version: `t${randomInt(1e6, 1e7)}`,
          effectiveFrom: '2030-01-01',
          rules: (({ version: _v, ...r }) => r)(
            (await p.api('GET', '/registration/rules', { token: tokens.provinceInfo })).body.current,
          ),
        }),
      },
      'POST /registration/ethics-violations': {
        tokens: [],
        body: () => ({ teacherId: reportedId, date: '2026-06-01', description: '体罚学生，情节严重' }),
      },
      'POST /transfers': {
        tokens: ['schoolInfo'],
        body: () => ({ teacherId: reportedId, toUnitId: school.id, effectiveDate: '2026-12-01', reason: '工作需要' }),
      },
      'POST /training/institutions': {
        tokens: ['provinceInfo'],
        body: () => ({
          code: `52${randomInt(100000, 999999)}MJ${randomInt(10000000, 99999999)}`,
          name: `培训机构${unique()}`,
        }),
      },
      'POST /training/projects': {
        tokens: ['provinceInfo'],
        body: (g) => ({
          level: 'province',
          name: `省级培训项目${unique()}`,
          category: 'provincial',
          organiser: '教师发展中心',
          hours: 45,
          startsOn: '2026-03-01',
          endsOn: '2026-03-10',
          capacity: 100,
          institutionIds: [g.ctx.get('/training/institutions')],
        }),
      },
      'POST /training/claims': {
        tokens: ['teacher'],
        body: () => ({
          kind: 'course',
          title: '课程',
          hours: 30,
          occurredOn: '2026-05-01',
          evidence: '结业证书 2026-051',
        }),
      },
      'POST /custom-fields': {
        tokens: ['provinceInfo'],
        body: () => customField,
        after: (_a, g) => void g.ctx.set('/custom-fields', fieldKey),
      },
      'PUT /custom-fields/{key}': { tokens: ['provinceInfo'], body: () => ({ ...customField, zh: '测试字段二' }) },
      'POST /reporting-cycles': {
        tokens: ['provinceInfo'],
        body: () => ({ name: '测试周期', period: `T${Date.now().toString(36)}`, deadline: '2027-01-31' }),
      },
      'POST /reporting-cycles/defaults': { tokens: ['provinceInfo'], body: () => ({ year: 2031 + randomInt(0, 60) }) },
      ...recordEditChain('schoolInfo', teacherVersion),
      'POST /teachers/{id}/status': {
        tokens: ['reportedSchool'],
        path: () => `/teachers/${reported.ids[1]}/status`,
        body: async () => ({
          version: await version(`/teachers/${reported.ids[1]}`, tokens.provinceInfo),
          personStatus: '05',
          effectiveDate: '2026-08-31',
        }),
      },
      'POST /spot-checks': {
        tokens: ['countyInfo'],
        body: () => ({ kind: 'teachers', size: 1, seed: 'abc123' }),
        after: (a, g) => void (g.values['path:itemId'] = ((a.body as Json).items ?? [])[0]?.id),
      },
      'POST /teachers': { tokens: ['schoolInfo'], body: () => ({ unitId: school.id, record: validRecord() }) },
      'POST /accounts': {
        tokens: ['schoolSys'],
        body: () => ({
          unitId: school.id,
          role: 'info_admin',
          username: `oa${unique()}`,
          realName: '测试用户',
          idNumber: p.idNumber(),
          initialPassword: 'Init#Pass2026x',
        }),
      },
      'PUT /accounts/{id}/certificate': {
        tokens: ['schoolSys'],
        body: () => ({ version: 1, fingerprint: randomBytes(32).toString('hex') }),
      },
      'DELETE /accounts/{id}/certificate': { tokens: ['schoolSys'], query: () => ({ version: '1' }) },
      'POST /units': {
        tokens: ['countyInfo'],
        body: () => ({
          kind: 'school',
          parentId: county.id,
          code: `21${p.province}${randomInt(100000, 999999)}`,
          name: `新学校${unique()}`,
          schoolType: '21',
          urbanRural: '111',
          sponsor: '1',
        }),
      },
      'POST /units/{id}/move': {
        tokens: ['provinceSys', 'provinceInfo'],
        path: async () => `/units/${(await p.newSchool(county)).id}/move`,
        body: () => ({ version: 1, newParentId: county2.id }),
      },
      'POST /units/{id}/merge': {
        tokens: ['provinceSys', 'provinceInfo', 'countyInfo'],
        path: async () => `/units/${(await p.newSchool(county)).id}/merge`,
        body: () => ({ version: 1, intoId: school2.id }),
      },
      'POST /units/{id}/close': {
        tokens: ['provinceSys', 'provinceInfo', 'countyInfo'],
        path: async () => `/units/${(await p.newSchool(county)).id}/close`,
        body: () => ({ version: 1, closedOn: '2026-12-01' }),
      },
      'POST /teachers/{id}/change-requests': {
        tokens: ['reportedSchool'],
        path: () => `/teachers/${reportedId}/change-requests`,
        body: () => ({ baseVersion: 1, changes: { basic: { politicalStatus: '01' } }, reason: '入党' }),
        after: (a, g) => void g.ctx.set('/change-requests', (a.body as Json).id),
      },
      'GET /change-requests/{id}': { tokens: ['countyInfo', 'reportedCounty', 'reportedSchool'] },
      'POST /change-requests/{id}/approve': { tokens: ['countyInfo', 'reportedCounty', 'provinceInfo'] },
      'GET /spot-checks/{id}': {
        tokens: ['countyInfo'],
        after: (a, g) => void (g.values['path:itemId'] = ((a.body as Json).items ?? [])[0]?.id),
      },
      'PUT /spot-checks/{id}/items/{itemId}': { tokens: ['countyInfo'], body: () => ({ result: 'verified' }) },
      'POST /spot-checks/{id}/publish': { tokens: ['countyInfo'] },
      'POST /training/bank/teachers/{id}/apply': {
        tokens: ['schoolInfo', 'countyInfo', 'provinceInfo'],
        body: async () => ({
          creditIds: (
            (await p.api('GET', `/training/bank/teachers/${teacherId}`, { token: tokens.schoolInfo })).body.entries ??
            []
          ).map((c: Json) => c.id),
          purpose: 'title',
          referenceId: `职称-${unique()}`,
        }),
      },
      'POST /change-requests/{id}/reject': {
        tokens: ['countyInfo', 'provinceInfo'],
        path: async () => `/change-requests/${await changeRequest()}/reject`,
        body: () => ({ reason: '材料不全' }),
      },
      'POST /transfers/{id}/refuse': {
        tokens: ['reportedSchool', 'reportedCounty', 'countyInfo', 'provinceInfo'],
        path: async () => `/transfers/${await transfer()}/refuse`,
        body: () => ({ reason: '工作需要' }),
      },
      'POST /registration/applications': {
        tokens: ['regSchool'],
        body: () => ({ teacherId: regIds[0] }),
      },
      'POST /registration/applications/{id}/school-confirm': { tokens: ['regSchool'] },
      'POST /registration/applications/{id}/decide': {
        tokens: ['regCounty'],
        body: () => ({ version: 2 }),
      },
      'POST /registration/applications/{id}/school-return': {
        tokens: ['regSchool'],
        path: async () => {
          const r = await p.api('POST', '/registration/applications', {
            token: tokens.regSchool,
            body: { teacherId: regIds[1] },
          });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          return `/registration/applications/${r.body.id}/school-return`;
        },
        body: () => ({ version: 1, reason: '材料不全' }),
      },
      'POST /registration/ethics-violations/{id}/reject': {
        tokens: ['countyInfo', 'reportedCounty', 'provinceInfo'],
        path: async () => {
          const r = await p.api('POST', '/registration/ethics-violations', {
            token: tokens.reportedSchool,
            body: { teacherId: reported.ids[1], date: '2026-06-01', description: '体罚学生，情节严重' },
          });
          assert.equal(r.status, 201, JSON.stringify(r.body));
          return `/registration/ethics-violations/${r.body.id}/reject`;
        },
        body: () => ({ reason: '查无实据' }),
      },
      'POST /training/claims/{id}/{action}': {
        tokens: ['schoolInfo'],
        path: (g) => `/training/claims/${g.ctx.get('/training/claims')}/school-approve`,
        body: () => ({ version: 1 }),
      },
      ...schoolPlanChain(
        p,
        () => tokens.schoolInfo,
        'countyInfo',
        () => institution.id,
      ),
      'POST /training/projects/{id}/enrolments': {
        tokens: ['schoolInfo'],
        body: () => ({ teacherIds: [teacherId] }),
      },
      'POST /training/projects/{id}/results': {
        tokens: ['institution'],
        body: () => ({ results: [{ teacherId, completedHours: 45, passed: true, certificateNo: 'C-001' }] }),
      },
      'GET /training/projects/{id}/results/template': { tokens: ['institution'] },
      'POST /training/projects/{id}/results/import': {
        tokens: ['institution'],
        form: (g) => xlsxForm(g),
      },
      'POST /training/projects/{id}/results/import/error-report': {
        tokens: ['institution'],
        form: (g) => xlsxForm(g),
      },
      'GET /webhooks/{id}/deliveries/{deliveryId}/attempts': {
        tokens: ['provinceInfo'],
        path: async () => `${await delivery()}/attempts`,
      },
      'POST /webhooks/{id}/deliveries/{deliveryId}/replay': {
        tokens: ['provinceInfo'],
        path: async () => `${await delivery()}/replay`,
      },
      'POST /api-clients/{id}/secrets/{secretId}/revoke': {
        tokens: ['provinceSys'],
        path: () => clientSecret(p, tokens.provinceSys),
      },
      'POST /bulk/imports': { tokens: ['schoolInfo'], form: () => csvForm() },
      'POST /bulk/jobs/{id}/commit': { tokens: ['schoolInfo'] },
    };
    let hookDelivery: Promise<string> | undefined;
    const delivery = () =>
      (hookDelivery ??= webhookDelivery(p, tokens.provinceInfo, () =>
        p.api('POST', '/teachers', { token: tokens.schoolInfo, body: { unitId: school.id, record: validRecord() } }),
      ));
    // Prior state the chained operations build through the API itself.
    const must = (r: { status: number; body: any }) => {
      assert.ok(r.status < 300, JSON.stringify(r.body));
      return r.body;
    };
    // The province's hour→credit rules, so confirmed results become credits the bank can apply.
    await creditRules(p, tokens.provinceInfo);
    const changeRequest = async () => {
      const v = await version(`/teachers/${reported.ids[1]}`, tokens.provinceInfo);
      return must(
        await p.api('POST', `/teachers/${reported.ids[1]}/change-requests`, {
          token: tokens.reportedSchool,
          body: { baseVersion: v, changes: { basic: { politicalStatus: '01' } }, reason: '入党' },
        }),
      ).id as string;
    };
    const transfer = async () => {
      const [extra] = (await reportRecords(p, 1, county)).ids;
      return must(
        await p.api('POST', '/transfers', {
          token: tokens.schoolInfo,
          body: { teacherId: extra, toUnitId: school.id, effectiveDate: '2026-12-01', reason: '工作需要' },
        }),
      ).id as string;
    };
    const institution = must(
      await p.api('POST', '/training/institutions', {
        token: tokens.provinceInfo,
        body: { code: `52${randomInt(100000, 999999)}MJ${randomInt(10000000, 99999999)}`, name: `培训机构${unique()}` },
      }),
    );
    tokens.institution = await p.tokenFor(await p.account({ id: institution.id }, Role.InfoAdmin));
    overrides['POST /training/projects'].body = () => ({
      level: 'province',
      name: `省级培训项目${unique()}`,
      category: 'provincial',
      organiser: '教师发展中心',
      hours: 45,
      startsOn: '2026-03-01',
      endsOn: '2026-03-10',
      capacity: 100,
      institutionIds: [institution.id],
    });
    // The institution's own results template (its enrolled teachers listed), sent back as it came.
    const xlsxForm = async (g: Fixtures) => {
      const tpl = await fetch(`${p.url}/training/projects/${g.ctx.get('/training/projects')}/results/template`, {
        headers: { authorization: `Bearer ${tokens.institution}` },
      });
      const form = new FormData();
      form.append('file', new Blob([await tpl.arrayBuffer()]), 'results.xlsx');
      return form;
    };
    const csvForm = () => bulkCsv(school.code);
    // Registration is decided on reported records holding a qualification whose cycle ends this year.
    const regSchool = await p.newSchool(county);
    tokens.regSchool = await acct(regSchool, Role.InfoAdmin);
    tokens.regCounty = tokens.countyInfo;
    const year = new Date().getUTCFullYear();
    const regTeacher = async () => {
      const record = validRecord({
        qualification: [
          {
            qualificationType: '3',
            subject: '数学',
            certificateNumber: `2016${randomInt(1e9, 1e10)}`,
            issuedDate: `${year - 10}-12-15`,
            issuingAuthority: '北京市东城区教育委员会',
          },
        ],
        annualAssessment: [5, 4, 3, 2, 1].map((k) => ({ year: year - k, result: '2' })),
      });
      const id = must(
        await p.api('POST', '/teachers', { token: tokens.regSchool, body: { unitId: regSchool.id, record } }),
      ).id as string;
      must(await p.api('POST', `/teachers/${id}/review/submit`, { token: tokens.regSchool, body: { version: 1 } }));
      must(
        await p.api('POST', `/teachers/${id}/review/school-approve`, {
          token: tokens.regSchool,
          body: { version: 1, participants: ['王校长'], principal: '王校长' },
        }),
      );
      must(
        await p.api('POST', `/teachers/${id}/review/department-approve`, {
          token: tokens.countyInfo,
          body: { version: 1 },
        }),
      );
      return id;
    };
    const regIds = [await regTeacher(), await regTeacher()];
    tokens.reportedCounty = reported.countyAdmin;
    overrides['POST /registration/ethics-violations'].tokens = ['reportedSchool'];
    tokens.reportedSchool = reported.schoolAdmin;
    tokens.logout = await p.tokenFor(await p.account(school, Role.Query));
    const checker = await exercise(p, doc, f, overrides);
    report('provincial', doc, checker, servedRoutes(p));
  });

  it("each node serves only its role's routes (ADR 0010): cycles and custom indicators are a province's, publishing the ministry's", async () => {
    const [pd, nd] = [(await p.api('GET', '/docs-json')).body as Json, (await n.api('GET', '/docs-json')).body as Json];
    const provinceOnly = [
      '/reporting-cycles',
      '/reporting-cycles/{id}/progress',
      '/custom-fields',
      '/custom-fields/{key}',
    ];
    for (const path of provinceOnly) {
      assert.ok(pd.paths[path], `${path} on the provincial node`);
      assert.equal(nd.paths[path], undefined, `${path} not on the national node`);
    }
    assert.ok(nd.paths['/training/projects/{id}/publish'], 'publish on the national node');
    assert.equal(pd.paths['/training/projects/{id}/publish'], undefined, 'publish not on a provincial node');
    // The national node keeps the custom-indicator definitions the provinces sent.
    assert.ok(nd.paths['/sync/custom-fields']);
  });

  it('national node: every operation answers as documented', async () => {
    const doc = (await n.api('GET', '/docs-json')).body as Json;
    const ministry = await n.unitByCode('000000');
    const province = await n.province_();
    const county = await n.newCounty();
    const county2 = await n.newCounty();
    const school = await n.newSchool(county);
    // The national node keeps records of its own only for the central universities (under the ministry).
    const uni = await n.newSchool(ministry, '41', { central: true });
    const uni2 = await n.newSchool(ministry, '41', { central: true });
    const acct = async (unit: { id: string }, role: Role) => n.tokenFor(await n.account(unit, role));
    const tokens: Record<string, string> = {
      ministryInfo: await acct(ministry, Role.InfoAdmin),
      ministrySys: await acct(ministry, Role.SysAdmin),
      uniInfo: await acct(uni, Role.InfoAdmin),
      uniSys: await acct(uni, Role.SysAdmin),
      provinceInfo: await acct(province, Role.InfoAdmin),
      schoolInfo: await acct(school, Role.InfoAdmin),
      query: await acct(uni, Role.Query),
      sync: SYNC_TOKEN,
      metrics: TEST_METRICS_TOKEN,
    };
    const rec = validRecord();
    const created = await n.api('POST', '/teachers', { token: tokens.uniInfo, body: { unitId: uni.id, record: rec } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const teacherId = created.body.id as string;
    const teacherAcct = await n.account(uni, Role.Teacher, { username: (rec.basic as Json).idNumber });
    await n.db.query(`UPDATE account SET id_number = $1 WHERE id = $2`, [(rec.basic as Json).idNumber, teacherAcct.id]);
    tokens.teacher = await n.tokenFor(teacherAcct);
    const platform = await apiClient(n, tokens.ministrySys, ['teachers:read']);
    tokens.client = (
      await apiClient(n, tokens.ministrySys, ['teachers:read', 'stats:read', 'changes:read', 'training:write'])
    ).token;
    tokens.logout = await n.tokenFor(await n.account(uni, Role.Query));
    tokens.pw = await n.tokenFor(await n.account(uni, Role.Query));
    // A province's reported record, through the sync ingest as province 11 sends it.
    const reportedRec = validRecord();
    const reportedId = randomUUID();
    const ingest = await n.api('POST', '/sync/ingest', {
      token: SYNC_TOKEN,
      body: {
        messages: [
          JSON.stringify({
            schemaVersion: 2,
            eventId: randomUUID(),
            provinceCode: '11',
            sequence: 1,
            type: 'teacher.upserted',
            key: reportedId,
            occurredAt: new Date().toISOString(),
            payload: {
              teacherId: reportedId,
              unitCode: school.code,
              idType: '1',
              idNumber: (reportedRec.basic as Json).idNumber,
              name: (reportedRec.basic as Json).name,
              personStatus: '01',
              reportedVersion: 1,
              record: reportedRec,
              catalogueVersion: '2026.1',
              custom: {},
            },
          }),
        ],
      },
    });
    assert.ok(ingest.status < 300, JSON.stringify(ingest.body));
    const f: Fixtures = {
      tokens,
      ctx: new Map([
        ['/teachers', teacherId],
        ['/registration/teachers', teacherId],
        ['/training/bank/teachers', teacherId],
        ['/national/teachers', reportedId],
        ['/units', uni2.id],
      ]),
      values: {
        schoolId: uni.id,
        unitId: uni.id,
        teacherId,
        teacherIds: [teacherId],
        toUnitId: uni2.id,
        parentId: ministry.id,
        version: 1,
        idNumber: (rec.basic as Json).idNumber,
        url: PHOTO,
        eventTypes: ['*'],
        scopes: ['teachers:read'],
        messages: [],
        'path:unitCode': uni.code,
        'path:subSet': 'education',
        'path:action': 'submit',
      },
    };
    const teacherVersion = async () =>
      (await n.api('GET', `/teachers/${teacherId}`, { token: tokens.uniInfo })).body.version as number;
    const overrides: Overrides = {
      'POST /auth/login': {
        body: () => ({ username: teacherAcct.username, password: TEST_PASSWORD }),
        after: (a, g) => void (g.values.refreshToken = (a.body as Json).refreshToken),
      },
      'POST /auth/logout': { tokens: ['logout'] },
      'POST /auth/password': {
        tokens: ['pw'],
        body: () => ({ currentPassword: TEST_PASSWORD, newPassword: `Nw#${randomInt(1e6, 1e7)}xYz` }),
      },
      'GET /metrics': { tokens: ['metrics'] },
      'GET /units/lookup': { query: () => ({ code: uni.code }) },
      'POST /oauth/token': {
        raw: () =>
          new URLSearchParams({
            grant_type: 'client_credentials',
            client_id: platform.id,
            client_secret: platform.secret,
          }).toString(),
        contentType: 'application/x-www-form-urlencoded',
      },
      'POST /sync/ingest': { tokens: ['sync'], body: () => ({ messages: [] }) },
      'POST /federation/up': { tokens: ['sync'], body: () => ({ messages: [] }) },
      'GET /federation/down': { tokens: ['sync'] },
      ...recordEditChain('uniInfo', teacherVersion),
      'POST /training/claims': {
        tokens: ['teacher'],
        body: () => ({
          kind: 'course',
          title: '课程',
          hours: 30,
          occurredOn: '2026-05-01',
          evidence: '结业证书 2026-051',
        }),
      },
      'POST /accounts': {
        tokens: ['uniSys'],
        body: () => ({
          unitId: uni.id,
          role: 'info_admin',
          username: `on${unique()}`,
          realName: '测试用户',
          idNumber: n.idNumber(),
          initialPassword: 'Init#Pass2026x',
        }),
      },
      'POST /training/institutions': {
        tokens: ['ministryInfo'],
        body: () => ({
          code: `52${randomInt(100000, 999999)}MJ${randomInt(10000000, 99999999)}`,
          name: `培训机构${unique()}`,
        }),
      },
      'POST /training/projects': {
        tokens: ['ministryInfo'],
        body: (g) => ({
          level: 'national',
          nationalCode: `GP-${randomInt(1, 1e6)}`,
          name: `国家级培训项目${unique()}`,
          category: 'national_project',
          organiser: '教师发展中心',
          hours: 45,
          startsOn: '2026-03-01',
          endsOn: '2026-03-10',
          capacity: 100,
          institutionIds: [g.ctx.get('/training/institutions')],
        }),
      },
      'POST /teachers': { tokens: ['uniInfo'], body: () => ({ unitId: uni.id, record: validRecord() }) },
      'PUT /accounts/{id}/certificate': {
        tokens: ['uniSys'],
        body: () => ({ version: 1, fingerprint: randomBytes(32).toString('hex') }),
      },
      'DELETE /accounts/{id}/certificate': { tokens: ['uniSys'], query: () => ({ version: '1' }) },
      'POST /units': {
        tokens: ['ministryInfo', 'ministrySys'],
        body: () => ({
          kind: 'school',
          parentId: ministry.id,
          code: `4111${randomInt(100000, 999999)}`,
          name: `部属高校${unique()}`,
          schoolType: '41',
          urbanRural: '111',
          sponsor: '1',
          central: true,
        }),
      },
      'POST /units/{id}/merge': {
        tokens: ['ministrySys', 'ministryInfo'],
        path: async () => `/units/${(await n.newSchool(ministry, '41', { central: true })).id}/merge`,
        body: () => ({ version: 1, intoId: uni2.id }),
      },
      'POST /units/{id}/close': {
        tokens: ['ministrySys', 'ministryInfo'],
        path: async () => `/units/${(await n.newSchool(ministry, '41', { central: true })).id}/close`,
        body: () => ({ version: 1, closedOn: '2026-12-01' }),
      },
      'POST /units/{id}/move': {
        tokens: ['ministrySys', 'ministryInfo'],
        path: async () => `/units/${(await n.newSchool(county)).id}/move`,
        body: () => ({ version: 1, newParentId: county2.id }),
      },
      'POST /teachers/{id}/change-requests': {
        tokens: ['uniInfo'],
        path: async () => `/teachers/${await reportedUni()}/change-requests`,
        body: () => ({ baseVersion: 1, changes: { basic: { politicalStatus: '01' } }, reason: '入党' }),
        after: (a, g) => void g.ctx.set('/change-requests', (a.body as Json).id),
      },
      'GET /change-requests/{id}': { tokens: ['uniInfo', 'ministryInfo'] },
      'POST /teachers/{id}/status': {
        tokens: ['uniInfo'],
        path: async () => `/teachers/${await reportedUni()}/status`,
        body: () => ({ version: 1, personStatus: '05', effectiveDate: '2026-08-31' }),
      },
      'PUT /spot-checks/{id}/items/{itemId}': {
        tokens: ['ministryInfo'],
        path: async () => {
          const c = must(
            await n.api('POST', '/spot-checks', {
              token: tokens.ministryInfo,
              body: { kind: 'teachers', size: 1, seed: 'abc123' },
            }),
          );
          return `/spot-checks/${c.id}/items/${c.items[0].id}`;
        },
        body: () => ({ result: 'verified' }),
      },
      'POST /sync/reconcile': {
        tokens: ['ministryInfo', 'ministrySys'],
        body: () => ({ province: '11', total: 0, hash: '0', schools: [] }),
      },
      'POST /sync/reconcile/tree': {
        tokens: ['ministryInfo', 'ministrySys'],
        body: () => ({ province: '11', nodes: [] }),
      },
      'POST /catalogue/versions': {
        tokens: ['ministryInfo', 'ministrySys'],
        body: () => ({ version: `2027.${randomInt(1, 99)}` }),
      },
      'POST /registration/rules': {
        tokens: ['ministryInfo'],
        body: async () => ({
          version: `t${randomInt(1e6, 1e7)}`,
          effectiveFrom: '2030-01-01',
          rules: (({ version: _v, ...r }) => r)(
            (await n.api('GET', '/registration/rules', { token: tokens.ministryInfo })).body.current,
          ),
        }),
      },
      'POST /registration/applications': { tokens: ['uniInfo'], body: async () => ({ teacherId: await regTeacher() }) },
      'POST /registration/applications/{id}/school-confirm': { tokens: ['uniInfo'] },
      'POST /registration/applications/{id}/decide': {
        tokens: ['ministryInfo', 'uniInfo'],
        body: () => ({ version: 2 }),
      },
      'POST /training/bank/teachers/{id}/apply': {
        tokens: ['uniInfo'],
        path: async () => `/training/bank/teachers/${(creditedId = await credited())}/apply`,
        body: async () => ({
          creditIds: (
            (await n.api('GET', `/training/bank/teachers/${creditedId}`, { token: tokens.uniInfo })).body.entries ?? []
          ).map((c: Json) => c.id),
          purpose: 'title',
          referenceId: `职称-${unique()}`,
        }),
      },
      'POST /registration/applications/{id}/school-return': {
        tokens: ['uniInfo'],
        path: async () => {
          const r = must(
            await n.api('POST', '/registration/applications', {
              token: tokens.uniInfo,
              body: { teacherId: await regTeacher() },
            }),
          );
          return `/registration/applications/${r.id}/school-return`;
        },
        body: () => ({ version: 1, reason: '材料不全' }),
      },
      'POST /registration/ethics-violations/{id}/reject': {
        tokens: ['ministryInfo'],
        path: async () => {
          const r = must(
            await n.api('POST', '/registration/ethics-violations', {
              token: tokens.uniInfo,
              body: { teacherId: await reportedUni(), date: '2026-06-01', description: '体罚学生，情节严重' },
            }),
          );
          return `/registration/ethics-violations/${r.id}/reject`;
        },
        body: () => ({ reason: '查无实据' }),
      },
      'POST /bulk/imports': { tokens: ['uniInfo'], form: () => csvForm() },
      'POST /bulk/jobs/{id}/commit': { tokens: ['uniInfo'] },
      'POST /training/projects/{id}/results/import': { tokens: ['institution'], form: (g) => xlsxForm(g) },
      'POST /training/projects/{id}/results/import/error-report': {
        tokens: ['institution'],
        form: (g) => xlsxForm(g),
      },
      'POST /change-requests/{id}/approve': {
        tokens: ['ministryInfo'],
        path: async () => `/change-requests/${await changeRequest()}/approve`,
      },
      'POST /change-requests/{id}/reject': {
        tokens: ['ministryInfo'],
        path: async () => `/change-requests/${await changeRequest()}/reject`,
        body: () => ({ reason: '材料不全' }),
      },
      'POST /transfers': {
        tokens: ['uni2Info'],
        body: async () => ({
          teacherId: await reportedUni(),
          toUnitId: uni2.id,
          effectiveDate: '2026-12-01',
          reason: '工作需要',
        }),
      },
      'POST /transfers/{id}/approve': { tokens: ['uniInfo', 'ministryInfo', 'uni2Info'], body: () => ({}) },
      'POST /transfers/{id}/refuse': {
        tokens: ['uniInfo', 'ministryInfo'],
        path: async () => `/transfers/${await transfer()}/refuse`,
        body: () => ({ reason: '工作需要' }),
      },
      'POST /transfers/{id}/withdraw': {
        tokens: ['uni2Info'],
        path: async () => `/transfers/${await transfer()}/withdraw`,
        body: () => ({}),
      },
      'POST /training/projects/{id}/enrolments': { tokens: ['uniInfo'], body: () => ({ teacherIds: [teacherId] }) },
      'POST /training/projects/{id}/results': {
        tokens: ['institution'],
        body: () => ({ results: [{ teacherId, completedHours: 45, passed: true, certificateNo: 'C-001' }] }),
      },
      'GET /training/projects/{id}/results/template': { tokens: ['institution'] },
      ...schoolPlanChain(
        n,
        () => tokens.uniInfo,
        'ministryInfo',
        () => institution.id,
      ),
      'POST /training/claims/{id}/{action}': {
        tokens: ['uniInfo'],
        path: (g) => `/training/claims/${g.ctx.get('/training/claims')}/school-approve`,
        body: () => ({ version: 1 }),
      },
      'POST /registration/ethics-violations': {
        tokens: ['uniInfo'],
        body: async () => ({ teacherId: await reportedUni(), date: '2026-06-01', description: '体罚学生，情节严重' }),
      },
      'GET /webhooks/{id}/deliveries/{deliveryId}/attempts': {
        tokens: ['ministryInfo'],
        path: async () => `${await delivery()}/attempts`,
      },
      'POST /webhooks/{id}/deliveries/{deliveryId}/replay': {
        tokens: ['ministryInfo'],
        path: async () => `${await delivery()}/replay`,
      },
      'POST /api-clients/{id}/secrets/{secretId}/revoke': {
        tokens: ['ministrySys'],
        path: () => clientSecret(n, tokens.ministrySys),
      },
    };
    const must = (r: { status: number; body: any }) => {
      assert.ok(r.status < 300, JSON.stringify(r.body));
      return r.body;
    };
    // A central university's record taken through review to "reported" (the ministry is its department).
    const reportedUni = async (over: Json = {}) => {
      const id = must(
        await n.api('POST', '/teachers', {
          token: tokens.uniInfo,
          body: { unitId: uni.id, record: validRecord(over) },
        }),
      ).id as string;
      must(await n.api('POST', `/teachers/${id}/review/submit`, { token: tokens.uniInfo, body: { version: 1 } }));
      must(
        await n.api('POST', `/teachers/${id}/review/school-approve`, {
          token: tokens.uniInfo,
          body: { version: 1, participants: ['王校长'], principal: '王校长' },
        }),
      );
      must(
        await n.api('POST', `/teachers/${id}/review/department-approve`, {
          token: tokens.ministryInfo,
          body: { version: 1 },
        }),
      );
      return id;
    };
    const changeRequest = async () => {
      const id = await reportedUni();
      const v = (await n.api('GET', `/teachers/${id}`, { token: tokens.uniInfo })).body.version as number;
      return must(
        await n.api('POST', `/teachers/${id}/change-requests`, {
          token: tokens.uniInfo,
          body: { baseVersion: v, changes: { basic: { politicalStatus: '01' } }, reason: '入党' },
        }),
      ).id as string;
    };
    const transfer = async () =>
      must(
        await n.api('POST', '/transfers', {
          token: tokens.uni2Info,
          body: { teacherId: await reportedUni(), toUnitId: uni2.id, effectiveDate: '2026-12-01', reason: '工作需要' },
        }),
      ).id as string;
    const institution = must(
      await n.api('POST', '/training/institutions', {
        token: tokens.ministryInfo,
        body: { code: `52${randomInt(100000, 999999)}MJ${randomInt(10000000, 99999999)}`, name: `培训机构${unique()}` },
      }),
    );
    tokens.institution = await n.tokenFor(await n.account({ id: institution.id }, Role.InfoAdmin));
    // The ministry's hour→credit rules for the central universities, so a national project's confirmed
    // results become credits in a university teacher's bank.
    await creditRules(n, tokens.ministryInfo);
    let creditedId = '';
    /** A central university teacher with credits: a national project, enrolled, results in, the ministry confirms. */
    const credited = async () => {
      const id = must(
        await n.api('POST', '/teachers', { token: tokens.uniInfo, body: { unitId: uni.id, record: validRecord() } }),
      ).id as string;
      const project = must(
        await n.api('POST', '/training/projects', {
          token: tokens.ministryInfo,
          body: {
            level: 'national',
            name: `国家级培训项目${unique()}`,
            category: 'national_project',
            organiser: '教师发展中心',
            hours: 45,
            startsOn: '2026-03-01',
            endsOn: '2026-03-10',
            capacity: 100,
            institutionIds: [institution.id],
          },
        }),
      ).id as string;
      must(
        await n.api('POST', `/training/projects/${project}/enrolments`, {
          token: tokens.uniInfo,
          body: { teacherIds: [id] },
        }),
      );
      must(
        await n.api('POST', `/training/projects/${project}/results`, {
          token: tokens.institution,
          body: { results: [{ teacherId: id, completedHours: 45, passed: true, certificateNo: 'C-002' }] },
        }),
      );
      const confirmed = must(
        await n.api('POST', `/training/projects/${project}/confirm`, { token: tokens.ministryInfo }),
      );
      assert.equal(confirmed.credited, 1, JSON.stringify(confirmed));
      return id;
    };
    tokens.uni2Info = await acct(uni2, Role.InfoAdmin);
    overrides['POST /training/projects'].body = () => ({
      level: 'national',
      nationalCode: `GP-${randomInt(1, 1e6)}`,
      name: `国家级培训项目${unique()}`,
      category: 'national_project',
      organiser: '教师发展中心',
      hours: 45,
      startsOn: '2026-03-01',
      endsOn: '2026-03-10',
      capacity: 100,
      institutionIds: [institution.id],
    });
    const year = new Date().getUTCFullYear();
    // A reported record with a qualification whose registration cycle ends this year.
    const regTeacher = () =>
      reportedUni({
        qualification: [
          {
            qualificationType: '3',
            subject: '数学',
            certificateNumber: `2016${randomInt(1e9, 1e10)}`,
            issuedDate: `${year - 10}-12-15`,
            issuingAuthority: '北京市东城区教育委员会',
          },
        ],
        annualAssessment: [5, 4, 3, 2, 1].map((k) => ({ year: year - k, result: '2' })),
      });
    const xlsxForm = async (g: Fixtures) => {
      const tpl = await fetch(`${n.url}/training/projects/${g.ctx.get('/training/projects')}/results/template`, {
        headers: { authorization: `Bearer ${tokens.institution}` },
      });
      const form = new FormData();
      form.append('file', new Blob([await tpl.arrayBuffer()]), 'results.xlsx');
      return form;
    };
    const csvForm = () => bulkCsv(uni.code);
    let hookDelivery: Promise<string> | undefined;
    const delivery = () =>
      (hookDelivery ??= webhookDelivery(n, tokens.ministryInfo, () =>
        n.api('POST', '/teachers', { token: tokens.uniInfo, body: { unitId: uni.id, record: validRecord() } }),
      ));
    const checker = await exercise(n, doc, f, overrides);
    report('national', doc, checker, servedRoutes(n));
  });
});

void unique;

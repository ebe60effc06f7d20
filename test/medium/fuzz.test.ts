import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { TestNode } from '../support/test-node.js';

/**
 * Throws each class of malformed input at every route of both nodes, read from their OpenAPI
 * documents, with a token the route accepts; any 5xx fails. The classes: NUL characters, lone
 * surrogates and bad percent-encoding (path, query, body), deeply nested JSON, integers beyond
 * PostgreSQL's range, null / missing / wrong-typed members, malformed and wrong-shaped cursors,
 * oversized strings.
 */

const NODE_TOKEN = 'fuzz-node-token-0123456789abcdef';
const DEEP = '['.repeat(5000) + ']'.repeat(5000);
const DEEP_OBJECT = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const BAD_STRINGS = ['a\u0000b', '\ud800', 'x'.repeat(20_000)];
const BAD_NUMBERS = [2 ** 31, -(2 ** 63), 1e308, 1.5];
const BAD_QUERY = [
  '%00',
  'a%00b',
  '%ED%A0%80',
  '%',
  '9223372036854775808',
  'x'.repeat(5000),
  b64([1, 2, 3]),
  b64(['a', 'b', 'c']),
  b64(null),
  '!!not-base64!!',
];
const BAD_PATH = ['a%00b', '%ED%A0%80', '%', 'x'.repeat(3000), '2147483648', '..%2F..'];

/**
 * The OAuth token endpoint answers refusals as RFC 6749 §5.2 requires (application/json with one of
 * its `error` codes, which OAuth client libraries parse) instead of problem+json.
 */
const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];
function isOAuthError(path: string, res: Response, text: string): boolean {
  if (path.split('?')[0] !== '/oauth/token' || !String(res.headers.get('content-type')).startsWith('application/json'))
    return false;
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    return OAUTH_ERRORS.includes(String(body.error)) && typeof body.error_description === 'string';
  } catch {
    return false;
  }
}

type Json = unknown;
interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}
interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

function resolve(doc: { components?: { schemas?: Record<string, Schema> } }, s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; cur.$ref && i < 10; i++) cur = doc.components?.schemas?.[cur.$ref.split('/').pop()!] ?? {};
  if (cur.allOf?.length) return resolve(doc, cur.allOf[0]);
  return cur;
}

/** A plausible value of a schema (the body the mutations start from). */
function sample(doc: Parameters<typeof resolve>[0], s: Schema | undefined, depth = 0): Json {
  const r = resolve(doc, s);
  if (r.enum?.length) return r.enum[0];
  switch (r.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'string':
      return 'x';
    case 'array':
      return depth > 4 ? [] : [sample(doc, r.items, depth + 1)];
    default:
      if (!r.properties || depth > 4) return {};
      return Object.fromEntries(Object.entries(r.properties).map(([k, v]) => [k, sample(doc, v, depth + 1)]));
  }
}

/** Every body variant: each member made bad in each way, plus whole-body oddities. */
function bodyVariants(base: Json): string[] {
  const out: string[] = [DEEP, DEEP_OBJECT, 'null', '[]', '"x"', '1', '{"a":', '[null]', '{"\\u0000":1}'];
  const walk = (value: Json, set: (v: Json | typeof DELETE) => Json) => {
    const push = (v: Json | typeof DELETE) => out.push(JSON.stringify(set(v)));
    push(null);
    push(DELETE);
    push({});
    push([null]);
    push('x');
    for (const s of BAD_STRINGS) push(s);
    for (const n of BAD_NUMBERS) push(n);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) {
        walk(v, (nv) => set(withMember(value as Record<string, Json>, k, nv)));
      }
      push({ ...(value as object), ['\u0000']: 1 });
      push({ ...(value as object), __proto__x: 1 });
    }
    if (Array.isArray(value) && value.length) walk(value[0], (nv) => set(nv === DELETE ? [] : [nv, nv]));
  };
  walk(base, (v) => (v === DELETE ? {} : v));
  return [...new Set(out)];
}
const DELETE = Symbol('delete');
function withMember(o: Record<string, Json>, k: string, v: Json | typeof DELETE): Record<string, Json> {
  const copy = { ...o };
  if (v === DELETE) delete copy[k];
  else copy[k] = v;
  return copy;
}

interface Probe {
  method: string;
  path: string;
  raw?: string;
  contentType?: string;
}

function probesFor(
  doc: Parameters<typeof resolve>[0],
  method: string,
  template: string,
  op: Operation,
  tokenOk: (p: Probe) => void,
): { first: Probe[]; rest: Probe[] } {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
  const queryParams = params.filter((p) => p.in === 'query');
  const fill = (override: Record<string, string> = {}) =>
    template.replace(/\{([^}]+)\}/g, (_m, name: string) => override[name] ?? randomUUID());
  const validQuery = () =>
    queryParams
      .map((p) => {
        const v = sample(doc, p.schema);
        return v === undefined || typeof v === 'object' ? '' : `${p.name}=${encodeURIComponent(String(v))}`;
      })
      .filter(Boolean);
  const probes: Probe[] = [];
  /** One of each class, sent for every route whatever the time; `probes` (the rest) as time allows. */
  const first: Probe[] = [];
  const m = method.toUpperCase();
  const base: Probe = { method: m, path: fill() };
  tokenOk(base);
  if (pathParams.length)
    for (const bad of ['a%00b', '%ED%A0%80']) first.push({ method: m, path: fill({ [pathParams[0]]: bad }) });
  const firstQuery = queryParams[0]?.name ?? 'x';
  for (const bad of ['%00', '%ED%A0%80', '9223372036854775808', b64([1, 2, 3])])
    first.push({ method: m, path: `${fill()}?${firstQuery}=${bad}` });
  if (queryParams.length) first.push({ method: m, path: `${fill()}?cursor=${b64([1, 2, 3])}` });
  for (const name of pathParams) for (const bad of BAD_PATH) probes.push({ method: m, path: fill({ [name]: bad }) });
  const extra = queryParams.length ? ['cursor', 'x'] : ['x'];
  for (const p of [...new Set([...queryParams.map((q) => q.name), ...extra])]) {
    for (const bad of BAD_QUERY) probes.push({ method: m, path: `${fill()}?${p}=${bad}` });
    probes.push({ method: m, path: `${fill()}?${p}=a&${p}=b` });
    probes.push({ method: m, path: `${fill()}?${p}[a]=1` });
  }
  if (queryParams.length) {
    const q = validQuery();
    for (let i = 0; i < q.length; i++) {
      const name = q[i].split('=')[0];
      for (const bad of ['%00', '%ED%A0%80', '2147483648', b64([1, 2, 3])])
        probes.push({
          method: m,
          path: `${fill()}?${[...q.slice(0, i), `${name}=${bad}`, ...q.slice(i + 1)].join('&')}`,
        });
    }
  }
  if (m !== 'GET' && m !== 'DELETE') {
    const json = op.requestBody?.content?.['application/json']?.schema;
    const baseBody = json ? sample(doc, json) : {};
    for (const raw of [DEEP, DEEP_OBJECT, 'null', '[null]', '{"\\u0000":1}'])
      first.push({ method: m, path: fill(), raw });
    if (baseBody && typeof baseBody === 'object' && !Array.isArray(baseBody))
      for (const k of Object.keys(baseBody).slice(0, 4))
        for (const v of [null, DELETE, 'a\u0000b', 2 ** 31])
          first.push({
            method: m,
            path: fill(),
            raw: JSON.stringify(withMember(baseBody as Record<string, Json>, k, v)),
          });
    for (const raw of bodyVariants(baseBody)) probes.push({ method: m, path: fill(), raw });
    probes.push({
      method: m,
      path: fill(),
      raw: 'a=%00&b[c][d][e][f][g][h][i][j][k]=1',
      contentType: 'application/x-www-form-urlencoded',
    });
  }
  return { first, rest: probes };
}

async function fuzzNode(
  t: TestNode,
  tokens: string[],
  budgetMs: number,
): Promise<{ sent: number; failures: string[]; routes: number; first: number; rest: string }> {
  const doc = (await t.api('GET', '/docs-json')).body as Parameters<typeof resolve>[0] & {
    paths: Record<string, Record<string, Operation>>;
  };
  assert.ok(Object.keys(doc.paths).length > 10, 'the OpenAPI document lists the routes');
  const failures: string[] = [];
  let sent = 0;
  const send = async (p: Probe, token: string | undefined) => {
    sent++;
    const headers: Record<string, string> = { 'content-type': p.contentType ?? 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(t.url + p.path, { method: p.method, headers, body: p.raw });
    } catch (e) {
      failures.push(
        `${p.method} ${p.path.slice(0, 120)} body=${(p.raw ?? '').slice(0, 80)} → network error ${(e as Error).message} ${String((e as { cause?: unknown }).cause ?? '')}`,
      );
      return 0;
    }
    const text = await res.text();
    // 501 is the documented answer of a statistic that does not exist yet (mobility), not a fault.
    if (res.status >= 500 && !(res.status === 501 && text.includes('_UNAVAILABLE')))
      failures.push(
        `${p.method} ${p.path.slice(0, 120)} body=${(p.raw ?? '').slice(0, 120)} → ${res.status} ${text.slice(0, 160)}`,
      );
    else if (
      res.status >= 400 &&
      !String(res.headers.get('content-type')).includes('application/problem+json') &&
      !isOAuthError(p.path, res, text)
    )
      failures.push(`${p.method} ${p.path.slice(0, 120)} → ${res.status} without problem+json`);
    return res.status;
  };
  const routes: { first: Probe[]; rest: Probe[]; token: string | undefined }[] = [];
  const ops = Object.entries(doc.paths)
    // logout and password change would end the fuzzing sessions (sessions.test.ts and accounts.test.ts cover them)
    .filter(([template]) => template !== '/auth/logout' && template !== '/auth/password')
    .flatMap(([template, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ template, method, op })));
  // For each route, the first token it lets through (not 401/403) on a plain request; routes in parallel.
  let cursor = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (cursor < ops.length) {
        const { template, method, op } = ops[cursor++];
        let token: string | undefined;
        for (const candidate of tokens) {
          const s = await send(
            {
              method: method.toUpperCase(),
              path: template.replace(/\{[^}]+\}/g, randomUUID()),
              raw: method === 'get' ? undefined : '{}',
            },
            candidate,
          );
          token = candidate;
          if (s !== 401 && s !== 403) break;
        }
        routes.push({ ...probesFor(doc, method, template, op, () => undefined), token });
      }
    }),
  );
  const run = async (work: { probe: Probe; token: string | undefined }[], deadline: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < work.length && Date.now() < deadline) {
          const w = work[next++];
          await send(w.probe, w.token);
        }
      }),
    );
    return Math.min(next, work.length);
  };
  // Every class on every route, whatever the time; then the rest, round-robin across routes, while
  // the budget lasts (a loaded machine sends fewer of them, never none of the first).
  const firstWork = routes.flatMap((r) => r.first.map((probe) => ({ probe, token: r.token })));
  await run(firstWork, Infinity);
  const restWork: { probe: Probe; token: string | undefined }[] = [];
  for (let i = 0; routes.some((r) => i < r.rest.length); i++)
    for (const r of routes) if (i < r.rest.length) restWork.push({ probe: r.rest[i], token: r.token });
  const restSent = await run(restWork, Date.now() + budgetMs);
  return { sent, failures, routes: routes.length, first: firstWork.length, rest: `${restSent}/${restWork.length}` };
}

describe('no 5xx from malformed input, on every route of both nodes', () => {
  let prov: TestNode;
  let nat: TestNode;
  before(async () => {
    prov = await TestNode.start('provincial', { PROVINCE_CODE: '11', SYNC_NODE_TOKEN: NODE_TOKEN });
    nat = await TestNode.start('national', { SYNC_NODE_TOKENS: `11:${NODE_TOKEN}` });
  });
  after(async () => {
    await prov?.close();
    await nat?.close();
  });

  async function tokensOf(t: TestNode): Promise<string[]> {
    const city = await t.newCity();
    const county = await t.newCounty(city);
    const school = await t.newSchool(county);
    const out: string[] = [];
    for (const [unit, role] of [
      [city, Role.SysAdmin],
      [city, Role.InfoAdmin],
      [school, Role.InfoAdmin],
      [city, Role.Query],
      [school, Role.Teacher],
    ] as const)
      out.push(await t.tokenFor(await t.account(unit, role)));
    return [...out, NODE_TOKEN];
  }

  it('the provincial node answers every malformed request with a 4xx problem', async () => {
    const r = await fuzzNode(prov, await tokensOf(prov), 15_000);
    assert.deepEqual(r.failures.slice(0, 15), [], `${r.failures.length} of ${r.sent} requests failed`);
    assert.ok(r.routes > 40 && r.first > 500, JSON.stringify(r));
  });

  it('the national node answers every malformed request with a 4xx problem', async () => {
    const r = await fuzzNode(nat, await tokensOf(nat), 15_000);
    assert.deepEqual(r.failures.slice(0, 15), [], `${r.failures.length} of ${r.sent} requests failed`);
    assert.ok(r.routes > 40 && r.first > 500, JSON.stringify(r));
  });
});

describe('each class of malformed input is refused with its code and field path', () => {
  let t: TestNode;
  let admin: string;
  let info: string;
  before(async () => {
    t = await TestNode.start('provincial', { PROVINCE_CODE: '11' });
    const city = await t.newCity();
    admin = await t.tokenFor(await t.account(city, Role.SysAdmin));
    info = await t.tokenFor(await t.account(city, Role.InfoAdmin));
  });
  after(() => t.close());

  const problem = (r: { status: number; body: any }, status: number, code: string, path?: string) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.code, code, JSON.stringify(r.body));
    assert.ok(r.body.title && r.body.titleZh, 'bilingual titles');
    if (path)
      assert.ok(
        r.body.errors?.some((e: { path: string }) => e.path === path),
        JSON.stringify(r.body.errors),
      );
  };

  it('NUL and lone surrogates: in the login body, the query and the path', async () => {
    problem(
      await t.api('POST', '/auth/login', { raw: '{"username":"a\\u0000b","password":"x"}' }),
      400,
      'REQUEST_NUL_CHARACTER',
      'username',
    );
    problem(
      await t.api('POST', '/auth/login', { raw: '{"username":"ab","password":"\\ud800x"}' }),
      400,
      'REQUEST_INVALID_UNICODE',
      'password',
    );
    problem(await t.api('GET', '/teachers?name=a%00', { token: info }), 400, 'REQUEST_NUL_CHARACTER', 'name');
    problem(await t.api('GET', '/teachers/%00', { token: info }), 400, 'REQUEST_NUL_CHARACTER', 'path');
    problem(await t.api('GET', '/teachers?name=%ED%A0%80', { token: info }), 400, 'REQUEST_BAD_ENCODING', 'name');
  });

  it('deeply nested JSON is refused before parsing, on login too', async () => {
    const deep = `{"username":${'['.repeat(10_000)}${']'.repeat(10_000)},"password":"x"}`;
    problem(await t.api('POST', '/auth/login', { raw: deep }), 400, 'REQUEST_TOO_DEEP', 'body');
    // A body of ordinary depth still works.
    assert.equal((await t.api('POST', '/auth/login', { body: { username: 'nobody', password: 'x' } })).status, 401);
  });

  it('integers beyond int4, missing and null members, wrong-shaped cursors', async () => {
    const id = randomUUID();
    problem(
      await t.api('PATCH', `/teachers/${id}`, { token: info, body: { version: 2 ** 31, changes: {} } }),
      400,
      'VALIDATION_FAILED',
      'version',
    );
    problem(
      await t.api('PATCH', `/teachers/${id}`, { token: info, body: { version: 1 } }),
      400,
      'VALIDATION_FAILED',
      'changes',
    );
    problem(
      await t.api('PATCH', `/accounts/${id}`, { token: admin, body: { version: 1, status: null } }),
      400,
      'VALIDATION_FAILED',
      'status',
    );
    for (const shape of [[1, 2, 3], ['a', 'b', 'not-a-uuid'], {}, 'x'])
      problem(
        await t.api('GET', `/teachers?cursor=${b64(shape)}`, { token: info }),
        400,
        'VALIDATION_FAILED',
        'cursor',
      );
    problem(
      await t.api('GET', `/teachers/export?cursor=${b64([1, 2, 3])}`, { token: info }),
      400,
      'VALIDATION_FAILED',
      'cursor',
    );
    problem(await t.api('GET', '/teachers/export?cursor=!!!', { token: info }), 400, 'VALIDATION_FAILED', 'cursor');
  });
});

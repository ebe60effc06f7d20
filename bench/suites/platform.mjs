// The platform API (issue 16, ADR 0017): what a client-credentials call costs next to a person's call
// (live client + secret lookup, PostgreSQL rate-limit counter, audit row), token issuance, and an
// Idempotency-Key on a creating POST (claim + stored answer in the write's transaction).
import { randomInt } from 'node:crypto';
import { hashPassword } from '@tmis/accounts';
import { makeIdNumber, parseIdNumber } from '@tmis/core-indicators';
import { api, fmt, load, ms } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';

export const name = 'platform';
const PASSWORD = 'Bench#Pass2026';
const RUNS = Number(process.env.BENCH_PLATFORM_RUNS ?? 2000);

let person = 0;
function record() {
  const p = person++;
  const year = 1965 + (p % 35);
  const id = makeIdNumber('440106', `${year}0${1 + (p % 9)}1${p % 10}`, 1 + (Math.floor(p / 90) % 999));
  const parsed = parseIdNumber(id);
  return {
    basic: {
      name: `平台${p}`,
      sex: parsed.value.sex,
      nationality: 'CHN',
      ethnicity: '01',
      idType: '1',
      idNumber: id,
      birthDate: parsed.value.birthDate,
      politicalStatus: '13',
      workStartMonth: `${year + 22}-09`,
      schoolEntryMonth: `${year + 23}-09`,
      staffCategory: '11',
      onEstablishment: true,
      personStatus: '01',
    },
    contacts: { mobile: `139${randomInt(10000000, 99999999)}` },
  };
}

export async function run(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  const hash = await hashPassword(PASSWORD);
  const [county] = await db.query(`SELECT id, code, path FROM org_unit WHERE kind = 'county' ORDER BY code LIMIT 1`);
  const code = `2144${String(990000 + randomInt(0, 9999))}`;
  const [school] = await db.query(
    `INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor)
     VALUES ('school', 5, $1, '平台基准学校', $2, $3, 'active', '21', '111', '1') RETURNING id`,
    [code, county.id, `${county.path}${code}/`],
  );
  const tag = Date.now().toString(36);
  const accounts = [
    [county.id, 'sysadmin', `bench.p.sys.${tag}`],
    [school.id, 'info_admin', `bench.p.info.${tag}`],
  ];
  for (const [unit, role, username] of accounts)
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
       VALUES ($1, $2, $3, '基准', $4, $5, false)`,
      [unit, role, username, makeIdNumber('440106', '19800101', randomInt(1, 999)), hash],
    );
  const login = async (username) =>
    (await api(node.url, 'POST', '/v1/auth/login', null, { username, password: PASSWORD })).accessToken;
  const sys = await login(accounts[0][2]);
  const info = await login(accounts[1][2]);
  const ids = [];
  for (let i = 0; i < 100; i++)
    ids.push((await api(node.url, 'POST', '/v1/teachers', info, { unitId: school.id, record: record() })).id);
  const client = await api(node.url, 'POST', '/v1/api-clients', sys, {
    name: 'bench platform',
    scopes: ['teachers:read'],
    rateLimitPerMinute: 100000,
  });
  const tokenOf = async () => {
    const res = await fetch(`${node.url}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.clientSecret,
      }),
    });
    if (!res.ok) throw new Error(`token ${res.status}`);
    return (await res.json()).access_token;
  };

  const tokens = await load(200, 4, () => tokenOf());
  rows.push({ metric: 'client-credentials token', value: ms(tokens), note: `${fmt(tokens.perSecond, 0)}/s, conc. 4` });
  const clientToken = await tokenOf();
  const read = (token) => (i) => api(node.url, 'GET', `/v1/teachers/${ids[i % ids.length]}`, token);
  // Alternate the two callers in rounds so the machine's load falls on both alike.
  const results = { person: [], client: [] };
  for (let round = 0; round < 4; round++) {
    results.person.push(await load(RUNS / 4, 8, read(info)));
    results.client.push(await load(RUNS / 4, 8, read(clientToken)));
  }
  const merge = (rs) => ({
    p50: rs.map((r) => r.p50).sort((a, b) => a - b)[1],
    p95: rs.map((r) => r.p95).sort((a, b) => a - b)[1],
    p99: rs.map((r) => r.p99).sort((a, b) => a - b)[1],
    perSecond: rs.reduce((s, r) => s + r.perSecond, 0) / rs.length,
    errors: rs.reduce((s, r) => s + r.errors, 0),
  });
  const p = merge(results.person);
  const c = merge(results.client);
  rows.push({
    metric: 'GET /teachers/:id as a person',
    value: ms(p),
    note: `${fmt(p.perSecond, 0)} req/s, conc. 8, ${p.errors} errors (median of 4 rounds)`,
  });
  rows.push({
    metric: 'GET /teachers/:id as a client',
    value: ms(c),
    note: `${fmt(c.perSecond, 0)} req/s, conc. 8, ${c.errors} errors (+ client lookup, counter, audit row)`,
  });
  const [{ n: audited }] = await db.query(
    `SELECT count(*)::int AS n FROM audit_log WHERE actor_client_id = $1 AND action = 'api_client.call'`,
    [client.id],
  );
  rows.push({ metric: 'client calls audited', value: audited, unit: 'rows', note: `of ${RUNS} calls` });

  const create = (withKey) => async (i) => {
    const res = await fetch(`${node.url}/v1/teachers`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${info}`,
        'content-type': 'application/json',
        ...(withKey ? { 'idempotency-key': `bench-${tag}-${i}` } : {}),
      },
      body: JSON.stringify({ unitId: school.id, record: record() }),
    });
    if (res.status !== 201) throw new Error(`create ${res.status}`);
  };
  const plain = await load(200, 4, create(false));
  const keyed = await load(200, 4, create(true));
  rows.push({ metric: 'POST /teachers', value: ms(plain), note: `${fmt(plain.perSecond, 0)}/s, conc. 4` });
  rows.push({
    metric: 'POST /teachers with Idempotency-Key',
    value: ms(keyed),
    note: `${fmt(keyed.perSecond, 0)}/s, conc. 4, ${keyed.errors} errors`,
  });
  return rows;
}

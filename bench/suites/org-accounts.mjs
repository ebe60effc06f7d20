// Foundation: 30,000 schools and 300,000 accounts, then subtree and login latency.
import { AccountsRepository, hashPassword } from '@tmis/accounts';
import { makeIdNumber } from '@tmis/core-indicators';
import { api, fmt, load, ms } from '../lib.mjs';
import { ensureNode, ensureSchools } from '../setup.mjs';

export const name = 'org-accounts';
const PASSWORD = 'Bench#Pass2026';

export async function run(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  const schoolSeconds = await ensureSchools(ctx);
  const [{ n: schools }] = await db.query(`SELECT count(*)::int AS n FROM org_unit WHERE kind = 'school'`);
  rows.push({
    metric: 'schools created set-based',
    value: schools,
    unit: 'schools',
    note: `${fmt(schools / schoolSeconds, 0)} schools/s`,
  });

  // argon2id cost and the bulk accounts (all bulk rows share one hash: argon2 would take hours for 300k).
  const hashTimes = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await hashPassword(PASSWORD);
    hashTimes.push(performance.now() - t);
  }
  hashTimes.sort((a, b) => a - b);
  rows.push({
    metric: 'argon2id hash (19 MiB, t=2)',
    value: fmt(hashTimes[10]),
    unit: 'ms p50',
    note: 'per password set or login',
  });
  const hash = await hashPassword(PASSWORD);
  const units = await db.query(`SELECT id, code FROM org_unit WHERE kind = 'school' ORDER BY code`);
  const t0 = performance.now();
  let made = 0;
  const batch = { unit: [], role: [], username: [], id: [] };
  const flush = async () => {
    if (!batch.unit.length) return;
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_type, id_number, password_hash, must_change_password)
       SELECT u, r, n, '测试', '1', i, $5, false FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(u, r, n, i)`,
      [batch.unit, batch.role, batch.username, batch.id, hash],
    );
    made += batch.unit.length;
    for (const k of Object.keys(batch)) batch[k] = [];
  };
  let person = 0;
  const nextId = () => {
    const p = person++;
    const day = new Date(Date.UTC(1962, 0, 1) + (p % 13000) * 86400000);
    return makeIdNumber('440106', day.toISOString().slice(0, 10).replace(/-/g, ''), 1 + Math.floor(p / 13000));
  };
  for (const u of units) {
    for (const [role, n] of [
      ['sysadmin', 1],
      ['info_admin', 1],
      ['query', 1],
      ['teacher', 7],
    ]) {
      for (let k = 0; k < n; k++) {
        const id = nextId();
        batch.unit.push(u.id);
        batch.role.push(role);
        batch.id.push(id);
        batch.username.push(role === 'teacher' ? id.toLowerCase() : `s${u.code}.${role}`);
      }
    }
    if (batch.unit.length >= 20000) await flush();
  }
  await flush();
  await db.query('ANALYZE account');
  const accSeconds = (performance.now() - t0) / 1000;
  rows.push({
    metric: 'accounts created set-based',
    value: made,
    unit: 'accounts',
    note: `${fmt(made / accSeconds, 0)} accounts/s (one shared hash)`,
  });
  const [{ bytes }] = await db.query(`SELECT pg_total_relation_size('account')::bigint AS bytes`);
  rows.push({
    metric: 'database size per account',
    value: fmt(Number(bytes) / made, 0),
    unit: 'bytes',
    note: 'table + indexes',
  });
  const [{ ubytes, un }] = await db.query(
    `SELECT pg_total_relation_size('org_unit')::bigint AS ubytes, (SELECT count(*) FROM org_unit)::int AS un`,
  );
  rows.push({
    metric: 'database size per unit',
    value: fmt(Number(ubytes) / un, 0),
    unit: 'bytes',
    note: `${un} units`,
  });

  // A province-level query user reads the tree over HTTP.
  const province = (await db.query(`SELECT id FROM org_unit WHERE code = '440000'`))[0];
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'query', 'bench.query', '基准', $2, $3, false)`,
    [province.id, nextId(), hash],
  );
  const { accessToken } = await api(node.url, 'POST', '/auth/login', null, {
    username: 'bench.query',
    password: PASSWORD,
  });
  ctx.state.provinceQueryToken = accessToken;
  const counties = await db.query(`SELECT id FROM org_unit WHERE kind = 'county'`);
  const cities = await db.query(`SELECT id FROM org_unit WHERE kind = 'city'`);
  const pick = (a, i) => a[(i * 7919) % a.length].id;

  // 200 schools through the API, as a county information administrator.
  const county = (await db.query(`SELECT id, code FROM org_unit WHERE kind = 'county' ORDER BY code LIMIT 1`))[0];
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.county', '基准', $2, $3, false)`,
    [county.id, nextId(), hash],
  );
  const countyToken = (
    await api(node.url, 'POST', '/auth/login', null, { username: 'bench.county', password: PASSWORD })
  ).accessToken;
  const viaApi = await load(200, 1, (i) =>
    api(node.url, 'POST', '/units', countyToken, {
      kind: 'school',
      parentId: county.id,
      code: `2144${String(900000 + i)}`,
      name: `接口学校${i}`,
      urbanRural: '111',
      sponsor: '1',
    }),
  );
  rows.push({
    metric: 'create school via API (sequential)',
    value: ms(viaApi),
    unit: '',
    note: `${fmt(viaApi.perSecond, 0)} schools/s, ${viaApi.errors} errors`,
  });

  const sub = await load(400, 8, (i) =>
    api(node.url, 'GET', `/units/${pick(counties, i)}/subtree?kind=school&limit=100`, accessToken),
  );
  rows.push({
    metric: 'county subtree, schools (100/page), c=8',
    value: ms(sub),
    unit: '',
    note: `${fmt(sub.perSecond, 0)} req/s, ${sub.errors} errors`,
  });
  const whole = await load(300, 8, () =>
    api(node.url, 'GET', `/units/${province.id}/subtree?kind=school&limit=100`, accessToken),
  );
  rows.push({
    metric: 'province subtree first page (30k schools), c=8',
    value: ms(whole),
    unit: '',
    note: `${fmt(whole.perSecond, 0)} req/s`,
  });
  const summary = await load(300, 8, (i) => api(node.url, 'GET', `/units/${pick(cities, i)}/summary`, accessToken));
  rows.push({
    metric: 'city summary (counts by kind), c=8',
    value: ms(summary),
    unit: '',
    note: `${fmt(summary.perSecond, 0)} req/s`,
  });
  const [{ path: countyPath }] = await db.query(`SELECT path FROM org_unit WHERE id = $1`, [pick(counties, 3)]);
  const plan = await db.query(
    `EXPLAIN (ANALYZE, FORMAT TEXT) SELECT id FROM org_unit WHERE path LIKE $1 AND kind = 'school' ORDER BY path LIMIT 100`,
    [countyPath + '%'],
  );
  const planText = plan.map((r) => r['QUERY PLAN']).join(' ');
  rows.push({
    metric: 'county subtree plan',
    value: /org_unit_path_idx/.test(planText) ? 'index scan on org_unit_path_idx' : 'no path index!',
    unit: '',
    note: (planText.match(/Execution Time: [\d.]+ ms/) ?? [''])[0],
  });

  const teachers = await db.query(`SELECT username FROM account WHERE role = 'teacher' ORDER BY random() LIMIT 200`);
  const logins = await load(teachers.length, 4, (i) =>
    api(node.url, 'POST', '/auth/login', null, { username: teachers[i].username, password: PASSWORD }),
  );
  rows.push({
    metric: 'login (argon2id verify + session), c=4',
    value: ms(logins),
    unit: '',
    note: `${fmt(logins.perSecond, 0)} logins/s on 2 cores; argon2 dominates`,
  });
  const me = await load(1000, 8, () => api(node.url, 'GET', '/auth/me', accessToken));
  rows.push({
    metric: 'authenticated GET /auth/me, c=8',
    value: ms(me),
    unit: '',
    note: `${fmt(me.perSecond, 0)} req/s (JWT + session lookup)`,
  });
  rows.push({
    metric: 'node peak RSS',
    value: fmt(process.resourceUsage().maxRSS / 1024, 0),
    unit: 'MiB',
    note: 'bench process incl. the node',
  });
  return rows;
}

// Transfers (Art. 23) within a province, end to end over HTTP: 10,000 teachers each applied for by a
// receiving school, approved by its department, agreed by the sending school and confirmed by the
// sending department (the record moves and is re-reported: an outbox row each), then the mobility
// statistics of the province over them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { hashPassword } from '@tmis/accounts';
import { runMigrations } from '@tmis/database';
import { startNationalNode } from '@tmis/national';
import { startProvincialNode } from '@tmis/provincial';
import { api, fmt, load, ms, sleep } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';

export const name = 'transfers';
const PASSWORD = 'Bench#Pass2026';
const TRANSFERS = Number(process.env.BENCH_TRANSFERS ?? 10_000);
const PAIRS = 20;
const CONCURRENCY = Number(process.env.BENCH_TRANSFER_CONCURRENCY ?? 8);
const CROSS = Number(process.env.BENCH_CROSS_TRANSFERS ?? 1_000);

export async function run(ctx) {
  const rows = TRANSFERS > 0 ? await inProvince(ctx) : [];
  if (CROSS > 0) rows.push(...(await crossProvince(ctx)));
  return rows;
}

async function inProvince(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  await generateTeachers(ctx, Math.max(Number(process.env.BENCH_TRANSFER_TEACHERS ?? 100_000), TRANSFERS * 2), {
    reported: true,
  });
  // 20 sending and 20 receiving primary/secondary schools, in different counties; the teachers to move
  // are gathered at the sending schools first (set-based, outside the measurement).
  const schools = await db.query(
    `SELECT DISTINCT ON (parent_id) id, path, parent_id AS "parentId", school_type AS "schoolType" FROM org_unit
      WHERE kind = 'school' AND school_type IN ('21','31','34') ORDER BY parent_id, code LIMIT $1`,
    [PAIRS * 2],
  );
  const sending = schools.slice(0, PAIRS);
  const receiving = schools.slice(PAIRS);
  const teachers = await db.query(
    `SELECT id FROM teacher WHERE active AND review_state = 'reported' ORDER BY id LIMIT $1`,
    [TRANSFERS],
  );
  await db.query(
    `UPDATE teacher t SET unit_id = s.id, unit_path = s.path, school_type = s.school_type
       FROM unnest($1::uuid[]) WITH ORDINALITY AS k(id, n)
       JOIN org_unit s ON s.id = ($2::uuid[])[1 + (k.n::int % $3)]
      WHERE t.id = k.id`,
    [teachers.map((r) => r.id), sending.map((s) => s.id), PAIRS],
  );
  const hash = await hashPassword(PASSWORD);
  const tokens = new Map();
  const tokenFor = async (unitId) => {
    if (tokens.has(unitId)) return tokens.get(unitId);
    const username = `bench.tr.${unitId.slice(0, 8)}`;
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
       VALUES ($1, 'info_admin', $2, '基准', '440106199001010011', $3, false) ON CONFLICT (username) DO NOTHING`,
      [unitId, username, hash],
    );
    const t = (await api(node.url, 'POST', '/auth/login', null, { username, password: PASSWORD })).accessToken;
    tokens.set(unitId, t);
    return t;
  };
  for (const s of [...sending, ...receiving]) {
    await tokenFor(s.id);
    await tokenFor(s.parentId);
  }
  const placement = await db.query(`SELECT id, unit_id AS "unitId" FROM teacher WHERE id = ANY($1::uuid[])`, [
    teachers.map((r) => r.id),
  ]);
  const cases = placement.map((p, i) => {
    const from = sending.find((s) => s.id === p.unitId);
    const to = receiving[i % PAIRS];
    return { teacherId: p.id, from, to, id: null };
  });
  const outboxBefore = (await db.query(`SELECT count(*)::int AS n FROM sync_outbox`))[0].n;

  const t0 = performance.now();
  const phases = [
    [
      'apply (receiving school)',
      async (c) => {
        c.id = (
          await api(node.url, 'POST', '/transfers', tokens.get(c.to.id), {
            teacherId: c.teacherId,
            toUnitId: c.to.id,
            effectiveDate: new Date().toISOString().slice(0, 10),
            newPost: '教师',
            reason: '基准测试',
          })
        ).id;
      },
    ],
    [
      'receiving department approves',
      (c) => api(node.url, 'POST', `/transfers/${c.id}/approve`, tokens.get(c.to.parentId), {}),
    ],
    ['sending school agrees', (c) => api(node.url, 'POST', `/transfers/${c.id}/approve`, tokens.get(c.from.id), {})],
    [
      'sending department confirms (record moves)',
      (c) => api(node.url, 'POST', `/transfers/${c.id}/approve`, tokens.get(c.from.parentId), {}),
    ],
  ];
  for (const [label, fn] of phases) {
    // Access tokens are short-lived (ACCESS_TOKEN_TTL_SECONDS): each phase logs in afresh.
    const units = [...tokens.keys()];
    tokens.clear();
    for (const u of units) await tokenFor(u);
    const r = await load(cases.length, CONCURRENCY, (i) => fn(cases[i]), 3600);
    rows.push({
      metric: `${label}: ${cases.length} cases`,
      value: fmt(r.perSecond, 0),
      unit: 'cases/s',
      note: `${ms(r)}; ${r.errors} errors; ${CONCURRENCY} in flight`,
    });
  }
  const secs = (performance.now() - t0) / 1000;
  const [{ moved }] = await db.query(
    `SELECT count(*)::int AS moved FROM transfer t JOIN teacher r ON r.id = t.teacher_id AND r.unit_id = t.to_unit_id WHERE t.state = 'completed'`,
  );
  const outbox = (await db.query(`SELECT count(*)::int AS n FROM sync_outbox`))[0].n - outboxBefore;
  rows.push({
    metric: `${TRANSFERS} in-province transfers end to end (4 HTTP steps each)`,
    value: `${fmt(secs)} s`,
    unit: '',
    note: `${fmt(moved / secs, 1)} transfers/s; ${moved} records moved; ${outbox} re-reported to the outbox`,
  });

  const [province] = await db.query(`SELECT id FROM org_unit WHERE code = '440000'`);
  const ptoken = await tokenFor(province.id);
  const m0 = performance.now();
  const mob = await api(node.url, 'GET', '/stats/mobility', ptoken);
  rows.push({
    metric: 'GET /stats/mobility at the province',
    value: fmt(performance.now() - m0, 0),
    unit: 'ms',
    note: `${mob.totals.transfersWithin} transfers within; ${mob.flows.length} flows between cities`,
  });
  return rows;
}

/**
 * 1,000 cross-province transfers end to end: province 11 (a node of its own) takes teachers of the
 * bench's province 44 through the national node, the three federated over HTTP (the embedded demo's
 * mode: provinces push up and pull down with node tokens). Each: 11's school applies, its department
 * approves, national routes, 44's school agrees and its department confirms, national relays, 11
 * creates the record, 44 marks the teacher transferred out.
 */
async function crossProvince(ctx) {
  const rows = [];
  await ensureNode(ctx);
  await generateTeachers(ctx, Math.max(Number(process.env.BENCH_TRANSFER_TEACHERS ?? 100_000), CROSS * 2), {
    reported: true,
  });
  const admin = new pg.Client({ connectionString: ctx.serverUrl('postgres') });
  await admin.connect();
  const natDb = `${ctx.dbName}_nat`;
  const p11Db = `${ctx.dbName}_p11`;
  for (const d of [natDb, p11Db]) {
    await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${d}"`);
    await runMigrations(ctx.serverUrl(d));
  }
  const t11 = randomBytes(16).toString('hex');
  const t44 = randomBytes(16).toString('hex');
  const common = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    DB_MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'error',
    DB_POOL_SIZE: '10',
    FEDERATION_RELAY_INTERVAL_MS: '100',
  };
  const national = await startNationalNode({
    ...common,
    DATABASE_URL: ctx.serverUrl(natDb),
    SYNC_NODE_TOKENS: `11:${t11},44:${t44}`,
    FEDERATION_PROVINCES: '11,44',
    CROSS_TRANSFER_CHECK_MS: '5000',
  });
  // The bench's province 44 again, now federated with national (its record relay kept quiet).
  await ctx.state.node.close();
  const p44 = await startProvincialNode({
    ...common,
    PROVINCE_CODE: '44',
    DATABASE_URL: ctx.databaseUrl,
    NATIONAL_URL: national.url,
    SYNC_NODE_TOKEN: t44,
    SYNC_RELAY_INTERVAL_MS: '60000',
  });
  ctx.state.node = p44;
  ctx.state.db = p44.app.get(DataSource);
  const p11 = await startProvincialNode({
    ...common,
    PROVINCE_CODE: '11',
    DATABASE_URL: ctx.serverUrl(p11Db),
    NATIONAL_URL: national.url,
    SYNC_NODE_TOKEN: t11,
    SYNC_RELAY_INTERVAL_MS: '60000',
  });
  const db44 = ctx.state.db;
  const db11 = p11.app.get(DataSource);
  const hash = await hashPassword(PASSWORD);
  const login = async (node, db, unitId) => {
    const username = `bench.x.${unitId.slice(0, 8)}`;
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
       VALUES ($1, 'info_admin', $2, '基准', '440106199001010011', $3, false) ON CONFLICT (username) DO NOTHING`,
      [unitId, username, hash],
    );
    return (await api(node.url, 'POST', '/auth/login', null, { username, password: PASSWORD })).accessToken;
  };
  // Province 11: one county and one receiving school.
  const [county11] = await db11.query(
    `SELECT id, path, code FROM org_unit WHERE kind = 'county' ORDER BY code LIMIT 1`,
  );
  const schoolCode = `3111${String(Date.now() % 1_000_000).padStart(6, '0')}`;
  const [school11] = await db11.query(
    `INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor)
     VALUES ('school', 5, $1, '基准接收学校', $2, $3, 'active', '31', '111', '1') RETURNING id`,
    [schoolCode, county11.id, `${county11.path}${schoolCode}/`],
  );
  // Province 44: the teachers to move, gathered at 10 schools of different counties.
  const senders = await db44.query(
    `SELECT DISTINCT ON (parent_id) id, path, parent_id AS "parentId" FROM org_unit
      WHERE kind = 'school' AND school_type IN ('21','31','34') ORDER BY parent_id, code DESC LIMIT 10`,
  );
  const teachers = await db44.query(
    `SELECT t.id, t.id_number AS "idNumber", t.name FROM teacher t
      WHERE t.active AND t.review_state = 'reported' AND NOT EXISTS (SELECT 1 FROM transfer x WHERE x.teacher_id = t.id)
      ORDER BY t.id DESC LIMIT $1`,
    [CROSS],
  );
  await db44.query(
    `UPDATE teacher t SET unit_id = s.id, unit_path = s.path FROM unnest($1::uuid[]) WITH ORDINALITY AS k(id, n)
       JOIN org_unit s ON s.id = ($2::uuid[])[1 + (k.n::int % $3)] WHERE t.id = k.id`,
    [teachers.map((t) => t.id), senders.map((s) => s.id), senders.length],
  );
  const where = new Map(
    (
      await db44.query(`SELECT id, unit_id AS "unitId" FROM teacher WHERE id = ANY($1::uuid[])`, [
        teachers.map((t) => t.id),
      ])
    ).map((r) => [r.id, r.unitId]),
  );
  const tok = { school11: await login(p11, db11, school11.id), county11: await login(p11, db11, county11.id) };
  for (const s of senders) {
    tok[s.id] = await login(p44, db44, s.id);
    tok[s.parentId] = await login(p44, db44, s.parentId);
  }
  const cases = teachers.map((t) => ({ ...t, school: senders.find((s) => s.id === where.get(t.id)), id: null }));
  /** Seconds from `since` (default: the call) until `sql` counts `n`. */
  const waitFor = async (db, sql, n, label, since = Date.now()) => {
    const t0 = since;
    for (;;) {
      const [{ c }] = await db.query(sql);
      if (c >= n) return (Date.now() - t0) / 1000;
      if (Date.now() - t0 > 1_800_000) throw new Error(`timed out waiting for ${label}: ${c}/${n}`);
      await sleep(500);
    }
  };
  const t0 = performance.now();
  const phase = async (label, fn) => {
    const r = await load(cases.length, CONCURRENCY, (i) => fn(cases[i]), 3600);
    rows.push({
      metric: `cross-province: ${label}`,
      value: fmt(r.perSecond, 0),
      unit: 'cases/s',
      note: `${ms(r)}; ${r.errors} errors`,
    });
  };
  await phase('11’s school applies', async (c) => {
    c.id = (
      await api(p11.url, 'POST', '/transfers', tok.school11, {
        fromProvince: '44',
        idNumber: c.idNumber,
        teacherName: c.name,
        toUnitId: school11.id,
        effectiveDate: new Date().toISOString().slice(0, 10),
        reason: '基准测试',
      })
    ).id;
  });
  await phase('11’s department approves (sent to national)', (c) =>
    api(p11.url, 'POST', `/transfers/${c.id}/approve`, tok.county11, {}),
  );
  const routed = await waitFor(
    db44,
    `SELECT count(*)::int AS c FROM transfer WHERE kind = 'cross-out' AND state = 'awaiting_sending_school'`,
    cases.length,
    'requests at 44',
  );
  rows.push({ metric: 'cross-province: last request reaches 44 after the approvals', value: fmt(routed), unit: 's' });
  await phase('44’s school agrees', (c) => api(p44.url, 'POST', `/transfers/${c.id}/approve`, tok[c.school.id], {}));
  await phase('44’s department confirms (sent to national)', (c) =>
    api(p44.url, 'POST', `/transfers/${c.id}/approve`, tok[c.school.parentId], {}),
  );
  const confirmed = Date.now();
  const created = await waitFor(
    db11,
    `SELECT count(*)::int AS c FROM transfer WHERE kind = 'cross-in' AND state = 'completed'`,
    cases.length,
    'records created at 11',
  );
  const out = await waitFor(
    db44,
    `SELECT count(*)::int AS c FROM transfer WHERE kind = 'cross-out' AND state = 'completed'`,
    cases.length,
    'transferred out at 44',
    confirmed,
  );
  const secs = (performance.now() - t0) / 1000;
  const [{ c: records }] = await db11.query(`SELECT count(*)::int AS c FROM teacher WHERE active`);
  rows.push({
    metric: `${cases.length} cross-province transfers end to end (HTTP federation)`,
    value: `${fmt(secs)} s`,
    unit: '',
    note: `${fmt(cases.length / secs, 1)} transfers/s; ${records} records created at 11; last created ${fmt(created)} s and last transferred out ${fmt(out)} s after the confirmations`,
  });
  await p11.close();
  await national.close();
  await admin.query(`DROP DATABASE IF EXISTS "${p11Db}" WITH (FORCE)`);
  await admin.end();
  return rows;
}

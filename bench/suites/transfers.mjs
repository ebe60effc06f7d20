// Transfers (Art. 23) within a province, end to end over HTTP: 10,000 teachers each applied for by a
// receiving school, approved by its department, agreed by the sending school and confirmed by the
// sending department (the record moves and is re-reported: an outbox row each), then the mobility
// statistics of the province over them.
import { hashPassword } from '@tmis/accounts';
import { api, fmt, load, ms } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';

export const name = 'transfers';
const PASSWORD = 'Bench#Pass2026';
const TRANSFERS = Number(process.env.BENCH_TRANSFERS ?? 10_000);
const PAIRS = 20;
const CONCURRENCY = Number(process.env.BENCH_TRANSFER_CONCURRENCY ?? 8);

export async function run(ctx) {
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

// Collection and review: a county approving 5,000 submissions in batches; reporting-cycle progress
// over a whole province (1.5 million teachers, 30,000 schools).
import { hashPassword } from '@tmis/accounts';
import { api, fmt, load, ms } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';

export const name = 'review';
const PASSWORD = 'Bench#Pass2026';

export async function run(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  await generateTeachers(ctx, Math.max(Number(process.env.BENCH_TEACHERS ?? 1_500_000), 20_000));
  const hash = await hashPassword(PASSWORD);
  // The county with the most teachers; 5,000 of its records wait for department review.
  const [county] = await db.query(
    `SELECT c.id, c.path, count(*)::int AS n FROM org_unit c JOIN teacher t ON t.unit_path LIKE c.path || '%' WHERE c.kind = 'county' GROUP BY c.id, c.path ORDER BY n DESC LIMIT 1`,
  );
  const ids = await db.query(
    `SELECT id, version FROM teacher WHERE unit_path LIKE $1 AND active ORDER BY id LIMIT 5000`,
    [county.path + '%'],
  );
  await db.query(`UPDATE teacher SET review_state = 'school_approved' WHERE id = ANY($1::uuid[])`, [
    ids.map((r) => r.id),
  ]);
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.county.review', '基准', '440106199001010011', $2, false) ON CONFLICT (username) DO NOTHING`,
    [county.id, hash],
  );
  const token = (
    await api(node.url, 'POST', '/auth/login', null, { username: 'bench.county.review', password: PASSWORD })
  ).accessToken;
  const batches = [];
  for (let i = 0; i < ids.length; i += 500) batches.push(ids.slice(i, i + 500));
  const t0 = performance.now();
  const perBatch = await load(
    batches.length,
    1,
    async (i) => {
      const res = await api(node.url, 'POST', '/reviews/department-approve', token, {
        items: batches[i].map((r) => ({ teacherId: r.id, version: r.version })),
      });
      if (res.some((x) => x.status !== 200)) throw new Error('a record was refused');
    },
    600,
  );
  const secs = (performance.now() - t0) / 1000;
  const [{ n: reported }] = await db.query(
    `SELECT count(*)::int AS n FROM teacher WHERE id = ANY($1::uuid[]) AND review_state = 'reported'`,
    [ids.map((r) => r.id)],
  );
  rows.push({
    metric: 'county approves 5,000 records in batches of 500',
    value: `${fmt(secs)} s`,
    unit: '',
    note: `${fmt(reported / secs, 0)} records/s; ${reported} reported; batch ${ms(perBatch)}; ${perBatch.errors} failed batches`,
  });

  // A reporting cycle over the whole province: 60 % of schools confirmed.
  const [province] = await db.query(`SELECT id, path FROM org_unit WHERE code = '440000'`);
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.province.info', '基准', '440106199001010011', $2, false) ON CONFLICT (username) DO NOTHING`,
    [province.id, hash],
  );
  const ptoken = (
    await api(node.url, 'POST', '/auth/login', null, { username: 'bench.province.info', password: PASSWORD })
  ).accessToken;
  const cycle = await api(node.url, 'POST', '/reporting-cycles', ptoken, {
    name: '基准周期',
    period: `B${Date.now().toString(36)}`,
    deadline: '2026-03-31',
  });
  const c0 = performance.now();
  await db.query(
    `INSERT INTO cycle_confirmation (cycle_id, school_id, school_path, teachers, confirmed_by)
     SELECT $1, s.id, s.path, (SELECT count(*) FROM teacher t WHERE t.unit_id = s.id AND t.active), $2 FROM org_unit s WHERE s.kind = 'school' AND (hashtext(s.code) % 10 + 10) % 10 < 6`,
    [cycle.id, (await db.query(`SELECT id FROM account WHERE username = 'bench.province.info'`))[0].id],
  );
  const [{ n: confirmed }] = await db.query(`SELECT count(*)::int AS n FROM cycle_confirmation WHERE cycle_id = $1`, [
    cycle.id,
  ]);
  rows.push({
    metric: 'schools confirmed (set-based, with teacher counts)',
    value: confirmed,
    unit: 'schools',
    note: `${fmt((performance.now() - c0) / 1000)} s`,
  });
  await db.query('ANALYZE cycle_confirmation');
  const prov = await load(60, 4, () => api(node.url, 'GET', `/reporting-cycles/${cycle.id}/progress`, ptoken));
  rows.push({
    metric: 'cycle progress, whole province (per city, overdue list), c=4',
    value: ms(prov),
    unit: '',
    note: `${fmt(prov.perSecond, 1)} req/s, ${prov.errors} errors`,
  });
  const counties = await db.query(`SELECT id FROM org_unit WHERE kind = 'county'`);
  const cty = await load(200, 4, (i) =>
    api(
      node.url,
      'GET',
      `/reporting-cycles/${cycle.id}/progress?unitId=${counties[(i * 7) % counties.length].id}`,
      ptoken,
    ),
  );
  rows.push({
    metric: 'cycle progress, one county, c=4',
    value: ms(cty),
    unit: '',
    note: `${fmt(cty.perSecond, 0)} req/s`,
  });
  const todo = await load(200, 4, () => api(node.url, 'GET', '/todo', ptoken));
  rows.push({
    metric: 'to-do counts, province information administrator, c=4',
    value: ms(todo),
    unit: '',
    note: `${fmt(todo.perSecond, 0)} req/s`,
  });
  return rows;
}

// Training credits (issue 14): 100,000 trainees of one national project — enrolled, their results
// submitted by the institution and confirmed by the province under its rules (records/s of each, over
// the HTTP API) — and the credit-bank read p95 for teachers with 20 credits each, at a reduced scale
// (BENCH_TRAINING_TEACHERS, default 200,000 teachers; the 1.5 M × 20 = 30 M credit rows take
// too long to generate on this machine today).
import { hashPassword } from '@tmis/accounts';
import { api, fmt, load, ms } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';

export const name = 'training';
const PASSWORD = 'Bench#Pass2026';
const TRAINEES = Number(process.env.BENCH_TRAINEES ?? 100_000);
const TEACHERS = Number(process.env.BENCH_TRAINING_TEACHERS ?? 200_000);
const PER_TEACHER = 20;
// JSON bodies are limited to 100 kB: 2,000 teacher ids, or 750 results, per call.
const ENROL_BATCH = 2000;
const RESULT_BATCH = 750;

async function account(ctx, node, unitId, username, role = 'info_admin') {
  const hash = await hashPassword(PASSWORD);
  await ctx.state.db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
     VALUES ($1, $3, $2, '基准', '440106199001010011', $4, false) ON CONFLICT (username) DO NOTHING`,
    [unitId, username, role, hash],
  );
  return (await api(node.url, 'POST', '/auth/login', null, { username, password: PASSWORD })).accessToken;
}

async function timed(label, batches, fn) {
  const t0 = performance.now();
  for (const b of batches) await fn(b);
  return (performance.now() - t0) / 1000;
}

export async function run(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  await generateTeachers(ctx, Math.max(TEACHERS, TRAINEES));
  const [province] = await db.query(`SELECT id FROM org_unit WHERE code = '440000'`);
  const admin = await account(ctx, node, province.id, 'bench.training.province');
  await api(node.url, 'POST', '/training/credit-rules', admin, {
    effectiveFrom: '2020-01-01',
    rules: {
      hoursPerCredit: { training: 10, online: 20, school_based: 20, course: 10 },
      registrationKinds: ['training', 'school_based', 'online', 'course'],
      registrationCredits: 36,
      cycleStartYear: 2021,
    },
  });
  const code = `52440000MJ${String(Date.now()).slice(-8)}`;
  const inst = await api(node.url, 'POST', '/training/institutions', admin, { code, name: '基准培训机构' });
  const instToken = await account(ctx, node, inst.id, `bench.training.inst.${inst.id.slice(0, 8)}`);
  const project = await api(node.url, 'POST', '/training/projects', admin, {
    level: 'national',
    nationalCode: 'GP-BENCH',
    name: '国培计划（基准）',
    category: 'national_project',
    organiser: '教育部',
    hours: 45,
    startsOn: '2026-03-01',
    endsOn: '2026-03-10',
    capacity: TRAINEES,
    institutionIds: [inst.id],
  });
  const ids = (await db.query(`SELECT id FROM teacher WHERE active ORDER BY id LIMIT $1`, [TRAINEES])).map((r) => r.id);
  const chunks = (n) => Array.from({ length: Math.ceil(ids.length / n) }, (_, i) => ids.slice(i * n, (i + 1) * n));

  const enrolS = await timed('enrol', chunks(ENROL_BATCH), async (b) => {
    const r = await api(node.url, 'POST', `/training/projects/${project.id}/enrolments`, admin, { teacherIds: b });
    if (r.enrolled !== b.length) throw new Error(`enrol: ${JSON.stringify(r).slice(0, 300)}`);
  });
  rows.push({
    metric: `enrol ${ids.length} trainees (API, ${ENROL_BATCH} per call)`,
    value: fmt(ids.length / enrolS, 0),
    unit: 'records/s',
  });
  // Without statistics on the freshly filled table the planner joins each results batch to it by a
  // sequential scan (measured: ~20 results/s at load 35, against thousands with them). A live node's
  // autovacuum analyzes it after 10 % of new rows; the bench does not wait for that.
  await db.query(`ANALYZE training_enrolment`);
  const resultsS = await timed('results', chunks(RESULT_BATCH), async (b) => {
    const r = await api(node.url, 'POST', `/training/projects/${project.id}/results`, instToken, {
      results: b.map((teacherId, i) => ({
        teacherId,
        completedHours: 30 + (i % 16),
        passed: i % 10 !== 0,
        certificateNo: `B-${i}`,
      })),
    });
    if (r.written !== b.length) throw new Error(`results: ${JSON.stringify(r).slice(0, 300)}`);
  });
  rows.push({
    metric: `results by the institution (API, ${RESULT_BATCH} per call)`,
    value: fmt(ids.length / resultsS, 0),
    unit: 'records/s',
  });
  const t0 = performance.now();
  const conf = await api(node.url, 'POST', `/training/projects/${project.id}/confirm`, admin);
  const confS = (performance.now() - t0) / 1000;
  if (conf.confirmed !== ids.length) throw new Error(`confirm: ${JSON.stringify(conf).slice(0, 300)}`);
  rows.push({
    metric: `confirm ${ids.length} results for the province (one call, credits + outbox)`,
    value: fmt(ids.length / confS, 0),
    unit: 'records/s',
    note: `${fmt(confS)} s, ${conf.credited} credited`,
  });

  // The bank read: TEACHERS teachers with PER_TEACHER credits each (set-based fixture, not timed).
  const g0 = performance.now();
  await db.query(
    `INSERT INTO training_credit (teacher_id, province_code, kind, hours, credits, confirmed_on, source, source_id, source_name,
       rule_version, confirmed_by_unit_id, counts_for_registration)
     SELECT t.id, '44', (ARRAY['training','online','school_based','course'])[1 + g % 4], 10 + g, 1 + g / 10.0,
            DATE '2026-01-01' + (g * 17 % 330), 'self_study', gen_random_uuid(), '基准学分 ' || g, '44-v1', $2, true
       FROM (SELECT id FROM teacher WHERE active ORDER BY id LIMIT $1) t, generate_series(1, $3) g`,
    [TEACHERS, province.id, PER_TEACHER],
  );
  await db.query(`ANALYZE training_credit`);
  const [{ n: creditRows }] = await db.query(`SELECT count(*)::int AS n FROM training_credit`);
  rows.push({
    metric: 'bank fixture',
    value: creditRows,
    unit: 'credit rows',
    note: `${fmt((performance.now() - g0) / 1000)} s to generate`,
  });
  const sample = (await db.query(`SELECT id FROM teacher WHERE active ORDER BY random() LIMIT 2000`)).map((r) => r.id);
  const read = await load(sample.length, 8, async (i) => {
    const r = await api(node.url, 'GET', `/training/bank/teachers/${sample[i]}`, admin);
    if (!r.entries) throw new Error('no bank');
  });
  rows.push({
    metric: `bank read GET /training/bank/teachers/:id (${TEACHERS} teachers × ~${PER_TEACHER} credits, 8 concurrent)`,
    value: ms(read),
    note: `${fmt(read.perSecond, 0)} req/s, ${read.errors} errors`,
  });
  return rows;
}

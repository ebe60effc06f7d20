// Periodic registration (issue 15) over a generated province (BENCH_REG_TEACHERS, default 1,500,000 reported
// records, each given a qualification issue date and five annual assessments; a third already registered):
// - eligibility for every teacher of the province: the record facts read from `teacher` in keyset pages of
//   10,000, the registration status and the full eligibility (assessments, credits, ethics, on-post) per
//   teacher, in teachers/s; the credits are 20 synthetic confirmed entries per teacher made in memory (the
//   credit bank's own read is measured by its bench), so the figure is the record read + the computation;
// - the pure computation alone (teachers/s), on the same facts;
// - GET /registration/lists/due for the whole province (first page of 500 and of 5,000) and for counties
//   (p50/p95/p99 over HTTP).
import { hashPassword } from '@tmis/accounts';
import { assessEligibility, registrationStatus, DEFAULT_RULES } from '@tmis/registration';
import { api, fmt, load, ms } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';

export const name = 'registration';
const N = Number(process.env.BENCH_REG_TEACHERS ?? 1_500_000);
const RUNS = Number(process.env.BENCH_REG_RUNS ?? 20);
const PASSWORD = 'Bench#Pass2026';
const YEAR = Number(new Date().toISOString().slice(0, 4));
const log = (m) => console.log(`  [registration] ${new Date().toISOString().slice(11, 19)} ${m}`);

/** 20 confirmed credits for a teacher (18 hours each: 360 in total), spread over the cycle. */
function creditsFor(i, cycle) {
  const y0 = Number(cycle.start.slice(0, 4));
  return Array.from({ length: 20 }, (_, k) => ({
    id: `${i}-${k}`,
    kind: k % 4 === 0 ? 'self-study' : 'project',
    credits: 1.8,
    hours: i % 10 === 0 && k === 0 ? 10 : 18,
    confirmedOn: `${y0 + 1 + (k % 4)}-0${1 + (k % 9)}-15`,
    source: '44',
    ruleVersion: '44-2026.1',
    appliedTo: null,
  }));
}

export async function run(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  await generateTeachers(ctx, N, { reported: true });
  const [{ prepared }] = await db.query(
    `SELECT count(*)::int AS prepared FROM teacher WHERE record->'qualification'->0 ? 'issuedDate'`,
  );
  if (prepared < N) {
    const t0 = performance.now();
    log('giving every record a qualification date and five assessments …');
    // Issue years spread over 2001..2025, so about a fifth of the province falls due in any year.
    await db.query(
      `UPDATE teacher SET record = jsonb_set(jsonb_set(record, '{qualification,0,issuedDate}',
              to_jsonb(make_date(2001 + (hashtext(id::text) & 1023) % 25, 1 + (hashtext(id::text) & 1023) % 12, 1 + (hashtext(id::text) & 1023) % 28)::text)),
            '{annualAssessment}', (SELECT jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'year', y,
              'result', CASE WHEN (hashtext(id::text) & 1023) % 50 = 0 AND y = $1 - 2 THEN '4' ELSE '2' END)) FROM generate_series($1 - 5, $1 - 1) y))`,
      [YEAR],
    );
    // A third registered for a cycle that ended 2 to 5 years ago (a quarter of them due again this year).
    await db.query(
      `INSERT INTO registration_status (teacher_id, unit_path, school_type, result, cycle_start, cycle_end, decided_on, application_id)
       SELECT id, unit_path, school_type, 'registered', make_date($1 - 10 + (hashtext(id::text) & 3), 3, 1),
              make_date($1 - 5 + (hashtext(id::text) & 3), 2, 28), make_date($1 - 5 + (hashtext(id::text) & 3), 1, 15), gen_random_uuid()
         FROM teacher WHERE (hashtext(id::text) & 1023) % 3 = 0
       ON CONFLICT DO NOTHING`,
      [YEAR],
    );
    await db.query('VACUUM (ANALYZE) teacher');
    await db.query('ANALYZE registration_status');
    rows.push({
      metric: 'records prepared (qualification date, assessments; a third registered)',
      value: N,
      unit: 'records',
      note: `${fmt((performance.now() - t0) / 1000, 0)} s`,
    });
  }

  // 1. Eligibility for every teacher of the province: keyset pages of the record facts, then the computation.
  const asOf = new Date().toISOString().slice(0, 10);
  const outcomes = { eligible: 0, deferred: 0, not_passed: 0, none: 0 };
  let pureMs = 0;
  let count = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  const t0 = performance.now();
  for (;;) {
    const page = await db.query(
      `SELECT t.id, t.record->'basic'->>'personStatus' AS "personStatus", t.record->'annualAssessment' AS assessments,
              t.record->'qualification'->0->>'issuedDate' AS issued, rs.result, to_char(rs.cycle_start, 'YYYY-MM-DD') AS cs,
              to_char(rs.cycle_end, 'YYYY-MM-DD') AS ce
         FROM teacher t LEFT JOIN registration_status rs ON rs.teacher_id = t.id
        WHERE t.id > $1 ORDER BY t.id LIMIT 10000`,
      [after],
    );
    if (!page.length) break;
    const p0 = performance.now();
    for (const r of page) {
      const st = registrationStatus(
        { issuedDate: r.issued },
        r.result ? { result: r.result, cycle: { start: r.cs, end: r.ce }, reason: null } : null,
        DEFAULT_RULES,
        asOf,
      );
      if (!st) {
        outcomes.none++;
        continue;
      }
      const e = assessEligibility({
        facts: {
          personStatus: r.personStatus,
          assessments: (r.assessments ?? []).map((a) => ({ year: a.year, result: a.result })),
          violations: [],
        },
        credits: creditsFor(count, st.cycle),
        rules: DEFAULT_RULES,
        cycle: st.cycle,
        asOf,
      });
      outcomes[e.outcome]++;
      count++;
    }
    pureMs += performance.now() - p0;
    after = page[page.length - 1].id;
  }
  const total = (performance.now() - t0) / 1000;
  rows.push({
    metric: 'eligibility, every teacher of the province (record read + computation)',
    value: fmt(count / total, 0),
    unit: 'teachers/s',
    note: `${count} teachers in ${fmt(total, 1)} s; eligible ${outcomes.eligible}, deferred ${outcomes.deferred}, not passed ${outcomes.not_passed}`,
  });
  rows.push({
    metric: 'eligibility, the pure computation alone',
    value: fmt(count / (pureMs / 1000), 0),
    unit: 'teachers/s',
    note: 'status + four conditions with evidence, 20 credits each',
  });

  // 2. The due-this-year list over HTTP: the whole province, and counties.
  const [province] = await db.query(`SELECT id FROM org_unit WHERE code = '440000'`);
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.reg', '基准', '440106199001010011', $2, false) ON CONFLICT (username) DO NOTHING`,
    [province.id, await hashPassword(PASSWORD)],
  );
  const token = (await api(node.url, 'POST', '/auth/login', null, { username: 'bench.reg', password: PASSWORD }))
    .accessToken;
  for (const limit of [500, 5000]) {
    const whole = await load(RUNS, 1, () => api(node.url, 'GET', `/registration/lists/due?limit=${limit}`, token), 600);
    const sample = await api(node.url, 'GET', `/registration/lists/due?limit=${limit}`, token);
    rows.push({
      metric: `due-this-year list, whole province (first page of ${limit}, by school)`,
      value: fmt(whole.p95),
      unit: 'ms p95',
      note: `${ms(whole)}; ${sample.bySchool.length} schools in the page; ${whole.errors} errors`,
    });
  }
  const counties = await db.query(`SELECT id FROM org_unit WHERE kind = 'county' ORDER BY code LIMIT 20`);
  const tokens = [];
  for (const [i, c] of counties.entries()) {
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', $2, '基准', '440106199001010011', $3, false) ON CONFLICT (username) DO NOTHING`,
      [c.id, `bench.reg.c${i}`, await hashPassword(PASSWORD)],
    );
    tokens.push(
      (await api(node.url, 'POST', '/auth/login', null, { username: `bench.reg.c${i}`, password: PASSWORD }))
        .accessToken,
    );
  }
  const byCounty = await load(
    RUNS * 2,
    4,
    (i) => api(node.url, 'GET', '/registration/lists/due', tokens[i % tokens.length]),
    600,
  );
  rows.push({
    metric: 'due-this-year list, a county (4 concurrent)',
    value: fmt(byCounty.p95),
    unit: 'ms p95',
    note: `${ms(byCounty)}; ${byCounty.errors} errors`,
  });
  return rows;
}

// The record: a generated 1.5-million-teacher province; filtered list p95 and record read p99 under
// concurrent load over HTTP, and the database size per record.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { api, fmt, load, ms, repoRoot, sleep, stopNode, summarise } from '../lib.mjs';
import { ensureNode, ensureSchools } from '../setup.mjs';
import { hashPassword } from '@tmis/accounts';
import { TeacherRepository } from '@tmis/teachers';
import { CATALOGUE_VERSION } from '@tmis/core-indicators';

export const name = 'teachers';

/**
 * The provincial node serving the measured requests, in a process of its own (the load generator in
 * this one, so the two do not share an event loop), configured as a production node runs (LOG_LEVEL=log:
 * no line per request). Its own time per request (first middleware to the answer's headers: guard,
 * query, JSON) comes back in each answer's `Server-Timing` header.
 */
async function startListNode(ctx) {
  const port = 39900 + (process.pid % 90);
  const metricsToken = randomBytes(24).toString('hex');
  const child = spawn(process.execPath, [join(repoRoot, 'apps', 'provincial', 'dist', 'main.js')], {
    env: {
      ...process.env,
      PROVINCE_CODE: '44',
      DATABASE_URL: ctx.databaseUrl,
      JWT_SECRET: randomBytes(32).toString('hex'),
      METRICS_TOKEN: metricsToken,
      PORT: String(port),
      HOST: '127.0.0.1',
      DB_MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'log',
      DB_POOL_SIZE: '16',
      KAFKA_BROKERS: '',
      STATS_REFRESH_SECONDS: '0',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the node process exited (${child.exitCode})`);
    if (
      await fetch(`${url}/health`).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error('the node process did not start');
    await sleep(200);
  }
  return { url, child, metricsToken };
}

/**
 * Waits until the node has done what it does once after it starts: bring the statistics up to date, load
 * them into memory and build their cubes (at 1.5 M records, tens of seconds of CPU on both the node and
 * PostgreSQL). A running node does this once; measuring lists meanwhile measures the load. Seconds waited.
 */
async function waitSteady(served) {
  const t0 = performance.now();
  for (;;) {
    const text = await fetch(`${served.url}/metrics`, {
      headers: { authorization: `Bearer ${served.metricsToken}` },
    }).then(
      (r) => (r.ok ? r.text() : ''),
      () => '',
    );
    const metric = (k) => Number(new RegExp(`^tmis_${k} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    // …and the change feed's sequencer caught up with the generated records (a metric the node may lack).
    const feedBehind = metric('change_feed_pending') > 1000;
    if (metric('stats_memory_rows') > 0 && metric('stats_cubes_ready') === 1 && !feedBehind) break;
    if (performance.now() - t0 > 30 * 60_000) throw new Error('the node did not load its statistics in 30 minutes');
    await sleep(500);
  }
  return (performance.now() - t0) / 1000;
}

// The load generator shares the two cores with the node and PostgreSQL: node:http on kept-alive sockets
// costs it about half the CPU per request that fetch() does.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** GET over HTTP; resolves to the node's own time (`Server-Timing: app;dur=…`, ms). */
function timedGet(base, path, token) {
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${path} → ${res.statusCode}`));
        resolve(Number(/app;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** CPU time (user + system, ms) of a process so far (Linux /proc; 0 when it is gone). */
function cpuMsOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms (USER_HZ = 100)
  } catch {
    return 0;
  }
}

const TEACHERS = Number(process.env.BENCH_TEACHERS ?? 1_500_000);
const PASSWORD = 'Bench#Pass2026';
// Requests per list (300 by default; fewer for a quick re-run).
const LIST_REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 300);

const GB11643 = `
CREATE OR REPLACE FUNCTION bench_gb11643(first17 text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT substr('10X98765432', 1 + (SELECT sum(substr(first17, i, 1)::int * (ARRAY[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2])[i]) FROM generate_series(1, 17) i)::int % 11, 1)
$$`;

/** Generates teachers up to `total` in SQL (`reported`: as records already through review); returns [records added, seconds]. */
export async function generateTeachers(ctx, total, { reported = false, withCustom = false } = {}) {
  const db = ctx.state.db;
  await ensureSchools(ctx);
  await db.query(GB11643);
  const [{ n: have }] = await db.query(`SELECT count(*)::int AS n FROM teacher`);
  const t0 = performance.now();
  await db.query(`DROP TABLE IF EXISTS bench_school`);
  await db.query(
    `CREATE TABLE bench_school AS SELECT id, path, school_type, row_number() OVER (ORDER BY code)::int AS rn FROM org_unit WHERE kind = 'school'`,
  );
  await db.query(`CREATE UNIQUE INDEX ON bench_school (rn); ANALYZE bench_school`);
  const [{ schoolCount }] = await db.query(`SELECT count(*)::int AS "schoolCount" FROM bench_school`);
  const chunk = 100_000;
  for (let from = have; from < total; from += chunk) {
    const to = Math.min(total, from + chunk) - 1;
    // Realistic distributions: ages 22-60, 70 % women, 11 (full-time teacher) for 85 %, subjects by weight,
    // titles by weight, 4 % left (resigned/retired); ID numbers valid (GB 11643) and unique.
    await db.query(
      `
      WITH g AS (
        SELECT g,
               (date '1966-01-01' + (g % 13000))::date AS birth,
               lpad((1 + (g / 13000) % 999)::text, 3, '0') AS seq,
               (ARRAY['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','林','罗','高'])[1 + g % 20] AS surname,
               (ARRAY['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀英','霞','平'])[1 + (g / 20) % 20] AS given,
               (ARRAY['02','01','03','02','01','04','05','06','07','08','09','10','11','12','13','14','16','17','18','19'])[1 + (g / 7) % 20] AS subject,
               (ARRAY['013','013','014','012','013','014','015','011','999','012'])[1 + (g / 3) % 10] AS title,
               CASE WHEN g % 29 = 3 THEN '05' WHEN g % 53 = 1 THEN '04' ELSE '01' END AS status,
               CASE WHEN g % 20 < 17 THEN '11' ELSE (ARRAY['12','13','14'])[1 + g % 3] END AS cat
          FROM generate_series($1::int, $2::int) g
      ),
      p AS (
        SELECT g.*, s.id AS unit_id, s.path, s.school_type,
               '440106' || to_char(birth, 'YYYYMMDD') || seq AS first17
          FROM g JOIN bench_school s ON s.rn = 1 + (g.g * 7) % $4::int
      )
      INSERT INTO teacher (unit_id, unit_path, id_type, id_number, name, sex, birth_date, person_status, status_since, active, school_type, staff_category,
                           on_establishment, highest_education, title, subjects, qualification_types, record, custom, catalogue_version, review_state, reported_version)
      SELECT unit_id, path, '1', first17 || bench_gb11643(first17), surname || given,
             CASE WHEN substr(seq, 3, 1)::int % 2 = 1 THEN '1' ELSE '2' END, birth, status, CASE WHEN status <> '01' THEN date '2026-07-31' END,
             status = '01', school_type, cat, g % 10 <> 0, CASE WHEN g % 5 = 0 THEN '14' ELSE '21' END, title, CASE WHEN school_type = '11' THEN '{}'::text[] ELSE ARRAY[subject] END, ARRAY['3'],
             jsonb_strip_nulls(jsonb_build_object(
               'basic', jsonb_build_object('name', surname || given, 'sex', CASE WHEN substr(seq, 3, 1)::int % 2 = 1 THEN '1' ELSE '2' END, 'nationality', 'CHN', 'ethnicity', '01',
                 'idType', '1', 'idNumber', first17 || bench_gb11643(first17), 'birthDate', to_char(birth, 'YYYY-MM-DD'), 'politicalStatus', '13',
                 'workStartMonth', to_char(birth + interval '22 years 8 months', 'YYYY-MM'), 'schoolEntryMonth', to_char(birth + interval '24 years 8 months', 'YYYY-MM'),
                 'staffCategory', cat, 'onEstablishment', g % 10 <> 0, 'employmentForm', CASE WHEN g % 10 = 0 THEN '1' END, 'personStatus', status),
               'education', jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'startMonth', to_char(birth + interval '18 years 8 months', 'YYYY-MM'),
                 'endMonth', to_char(birth + interval '22 years 6 months', 'YYYY-MM'), 'schoolName', '华南师范大学', 'major', '汉语言文学', 'educationLevel', CASE WHEN g % 5 = 0 THEN '14' ELSE '21' END, 'degree', '4', 'isHighest', true)),
               'professionalTitle', jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'title', title, 'startMonth', '2018-09')),
               'qualification', jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'qualificationType', '3', 'certificateNumber', '2014440' || lpad(g::text, 9, '0'))),
               'teaching', CASE WHEN school_type = '11' THEN NULL ELSE jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'schoolYear', '2025-2026', 'semester', '1', 'subject', subject, 'weeklyHours', 10 + g % 8)) END,
               'annualAssessment', jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'year', 2024, 'result', '2'), jsonb_build_object('id', gen_random_uuid(), 'year', 2025, 'result', CASE WHEN g % 5 = 0 THEN '1' ELSE '2' END)),
               'domesticTraining', jsonb_build_array(jsonb_build_object('id', gen_random_uuid(), 'projectName', '国培计划', 'startDate', '2025-07-01', 'endDate', '2025-07-10', 'hours', 40)),
               'contacts', jsonb_build_object('mobile', '139' || lpad((g % 100000000)::text, 8, '0'), 'email', 't' || g || '@school.gd.cn')
             )), CASE WHEN $6::boolean AND g % 16 = 5 THEN '{"x_housing": 1}'::jsonb ELSE '{}'::jsonb END,
             $3, CASE WHEN $5::boolean THEN 'reported' ELSE 'draft' END, CASE WHEN $5::boolean THEN 1 END
        FROM p`,
      [from, to, CATALOGUE_VERSION, schoolCount, reported, withCustom],
    );
    process.stdout.write(`  … ${to + 1} teachers\n`);
  }
  const genSeconds = (performance.now() - t0) / 1000;
  await db.query(`DROP TABLE IF EXISTS bench_school`);
  await db.query('ANALYZE teacher');
  return [Math.max(0, total - have), genSeconds, have];
}

export async function run(ctx) {
  const node = await ensureNode(ctx); // fixtures and plans; the requests go to the node process below
  const db = ctx.state.db;
  const rows = [];
  // One teacher in 16 with a custom field value to filter on, written with the record: setting it
  // afterwards was a 94,000-row UPDATE of 2 kB records through every index and trigger (it had not
  // finished after 28 minutes at 1.5 M on the loaded machine of 2026-12-01).
  const [, genSeconds, have] = await generateTeachers(ctx, TEACHERS, { withCustom: true });
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM teacher`);
  if (genSeconds > 1)
    rows.push({
      metric: 'records generated in SQL (with all indexes)',
      value: n,
      unit: 'records',
      note: `${fmt((n - have) / genSeconds, 0)} records/s`,
    });
  const [{ total, heap, idx }] = await db.query(
    `SELECT pg_total_relation_size('teacher')::bigint AS total, pg_table_size('teacher')::bigint AS heap, pg_indexes_size('teacher')::bigint AS idx`,
  );
  rows.push({
    metric: 'database size per record',
    value: fmt(Number(total) / n, 0),
    unit: 'bytes',
    note: `table ${fmt(Number(heap) / n, 0)} + indexes ${fmt(Number(idx) / n, 0)}; total ${fmt(Number(total) / 2 ** 30, 2)} GiB`,
  });

  // A province-level information administrator (full view) reads over HTTP.
  const [province] = await db.query(`SELECT id, path FROM org_unit WHERE code = '440000'`);
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.info', '基准', '440106199001010011', $2, false) ON CONFLICT (username) DO NOTHING`,
    [province.id, await hashPassword(PASSWORD)],
  );
  const served = await startListNode(ctx);
  // Steady state: the table vacuumed (visibility map set, as autovacuum leaves an insert-only table),
  // and one teacher in 16 with a custom field value to filter on (a database generated by an older
  // bench gets them here).
  const [{ customs }] = await db.query(
    `SELECT count(*)::int AS customs FROM teacher WHERE custom @> '{"x_housing": 1}'`,
  );
  if (!customs)
    await db.query(`UPDATE teacher SET custom = '{"x_housing": 1}' WHERE substr(md5(id::text), 1, 1) = 'a'`);
  const v0 = performance.now();
  await db.query('VACUUM (ANALYZE) teacher');
  await db.query('VACUUM (ANALYZE) teacher_custom_value');
  // …and the subjects' side table, which the subject lists read index-only (not vacuumed, each entry
  // was a heap visit: 3,215 for "province, Maths + senior + 张" at 300,000 records).
  await db.query('VACUUM (ANALYZE) teacher_subject');
  rows.push({
    metric: 'VACUUM (ANALYZE) teacher before the lists',
    value: fmt((performance.now() - v0) / 1000),
    unit: 's',
  });
  const [{ side, sideRows }] = await db.query(
    `SELECT pg_total_relation_size('teacher_custom_value')::bigint AS side, (SELECT count(*)::int FROM teacher_custom_value) AS "sideRows"`,
  );
  rows.push({
    metric: 'custom values index (teacher_custom_value) per record',
    value: fmt(Number(side) / n, 1),
    unit: 'bytes',
    note: `${sideRows} values, ${fmt(Number(side) / 2 ** 20, 1)} MiB (table + indexes); 1 record in 16 has a value`,
  });

  const counties = await db.query(`SELECT id, path FROM org_unit WHERE kind = 'county'`);
  const schools = await db.query(`SELECT id, path FROM org_unit WHERE kind = 'school' ORDER BY random() LIMIT 2000`);
  const ids = await db.query(`SELECT id FROM teacher TABLESAMPLE SYSTEM (0.2) LIMIT 5000`);
  const idNumbers = await db.query(`SELECT id_number AS "idNumber" FROM teacher TABLESAMPLE SYSTEM (0.1) LIMIT 500`);
  const pickUnit = (a, i) => a[(i * 7919) % a.length];
  const county = (i) => pickUnit(counties, i);
  const wholeProvince = () => province;
  // Each list: its subtree and filters (query parameters of GET /teachers), as the service passes them on.
  const filters = [
    ['school list (one page of 50)', (i) => [pickUnit(schools, i), {}]],
    ['county, subject = English', (i) => [county(i), { subject: '03' }]],
    ['county, title = senior', (i) => [county(i), { title: '012' }]],
    ['province, name prefix 王伟', () => [wholeProvince(), { name: '王伟' }]],
    ['province, staff category 12 + kindergarten', () => [wholeProvince(), { staffCategory: '12', schoolType: '11' }]],
    ['province, ID number exact', (i) => [wholeProvince(), { idNumber: idNumbers[i % idNumbers.length].idNumber }]],
    ['province, subject = English', () => [wholeProvince(), { subject: '03' }]],
    ['county, status = retired (05)', (i) => [county(i), { personStatus: '05' }]],
    ['county, staff category 12', (i) => [county(i), { staffCategory: '12' }]],
    ['county, name prefix 李', (i) => [county(i), { name: '李' }]],
    ['county, custom value x_housing = 1', (i) => [county(i), { custom: 'x_housing:1' }]],
    [
      'county, subject English + title 013 + staff category 11',
      (i) => [county(i), { subject: '03', title: '013', staffCategory: '11' }],
    ],
    [
      'province, subject Maths + title senior + name prefix 张',
      () => [wholeProvince(), { subject: '02', title: '012', name: '张' }],
    ],
    ['province, title senior + custom x_housing = 1', () => [wholeProvince(), { title: '012', custom: 'x_housing:1' }]],
  ];
  const url = ([unit, q]) =>
    `/teachers?unitId=${unit.id}` +
    Object.entries(q)
      .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
      .join('');
  // The repository's own plan for the same filters (the service's mapping, first page of 50 + 1).
  const repo = node.app.get(TeacherRepository, { strict: false });
  const search = ([unit, q]) => ({
    pathPrefix: unit.path,
    name: q.name,
    idNumber: q.idNumber,
    personStatus: q.personStatus,
    activeOnly: !q.personStatus,
    schoolType: q.schoolType,
    staffCategory: q.staffCategory,
    subject: q.subject,
    title: q.title,
    custom: q.custom ? Object.fromEntries([q.custom.split(':').map((v, k) => (k ? Number(v) : v))]) : undefined,
    limit: 51,
  });
  const steadySeconds = await waitSteady(served);
  const token = (await api(served.url, 'POST', '/auth/login', null, { username: 'bench.info', password: PASSWORD }))
    .accessToken;
  rows.push({
    metric: 'list node steady (statistics loaded and cubed after its start)',
    value: fmt(steadySeconds),
    unit: 's',
    note: 'waited for before measuring: a running node does this once',
  });
  // CPU per request, ms: the node process, the database's backends, this load generator.
  const backends = async () =>
    (
      await db.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
      )
    ).map((r) => r.pid);
  const measure = async (count, concurrency, path) => {
    const pids = await backends();
    const before = { node: cpuMsOf(served.child.pid), pg: pids.map(cpuMsOf), self: process.cpuUsage() };
    const server = [];
    const r = await load(count, concurrency, async (i) => {
      server.push(await timedGet(served.url, path(i), token));
    });
    const self = process.cpuUsage(before.self);
    const done = r.n + r.errors;
    const cpu = {
      node: (cpuMsOf(served.child.pid) - before.node) / done,
      // (a backend that ended meanwhile is left out)
      pg: pids.reduce((a, pid, k) => a + Math.max(0, cpuMsOf(pid) - before.pg[k]), 0) / done,
      client: (self.user + self.system) / 1000 / done,
    };
    return { r, server: summarise(server.filter(Number.isFinite)), cpu };
  };
  const note = ({ r, server, cpu }, what = 'req/s') =>
    `${fmt(r.perSecond, 0)} ${what}, ${r.errors} errors; server-side p50 ${fmt(server.p50)} / p95 ${fmt(server.p95)} ms; ` +
    `CPU/request node ${fmt(cpu.node)}, PostgreSQL ${fmt(cpu.pg)}, client ${fmt(cpu.client)} ms`;
  // A node in production has served every kind of list long before anyone measures it: its code is
  // compiled (V8's optimising tiers) and its pool's connections have planned these queries. So every
  // list is served 40 times, interleaved, before the first is measured — without it the first list
  // measured pays the node's warm-up (session 10: the school list's p99 at 160 ms, its node CPU 1 ms
  // above the others'). Each list still gets 16 warming requests of its own just before its run.
  const WARM_EACH = Number(process.env.BENCH_LIST_WARM ?? 40);
  await load(WARM_EACH * filters.length, 8, (i) =>
    timedGet(served.url, url(filters[i % filters.length][1](2000 + i)), token),
  );
  for (const [label, spec] of filters) {
    if (typeof repo.explainSearch === 'function') {
      const plan = await repo.explainSearch(search(spec(1)));
      console.log(`\n  plan — ${label}:\n${plan.replace(/^/gm, '    ')}`);
    }
    await load(16, 8, (i) => timedGet(served.url, url(spec(i + 1000)), token)); // warm the connections
    const m = await measure(LIST_REQUESTS, 8, (i) => url(spec(i)));
    rows.push({ metric: `list: ${label}, c=8`, value: ms(m.r), unit: '', note: note(m) });
    console.log(`  list: ${label}, c=8: ${ms(m.r)}; ${note(m)}`);
  }
  const reads = await measure(2000, 8, (i) => `/teachers/${ids[i % ids.length].id}`);
  rows.push({ metric: 'record read GET /teachers/:id, c=8', value: ms(reads.r), unit: '', note: note(reads) });
  const writes = await load(300, 4, async (i) => {
    const t = await api(served.url, 'GET', `/teachers/${ids[(i * 13) % ids.length].id}`, token);
    await api(served.url, 'PATCH', `/teachers/${t.id}`, token, {
      version: t.version,
      changes: { contacts: { officePhone: `020-${String(80000000 + i)}` } },
    });
  });
  rows.push({
    metric: 'read + field update (validate, diff, history), c=4',
    value: ms(writes),
    unit: '',
    note: `${fmt(writes.perSecond, 0)} updates/s, ${writes.errors} errors`,
  });
  await stopNode(served);
  return rows;
}

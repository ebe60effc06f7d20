// Statistics at national scale: BENCH_STATS_TEACHERS (default 15,000,000) teachers generated in SQL
// straight into national_teacher (in chunks of BENCH_STATS_CHUNK, default 1,000,000, with progress),
// over schools under the real GB/T 2260 counties of all 32 provincial units; the time of a full rebuild of
// the fact table and of loading it into the node's memory; p50/p95 of typical breakdowns over HTTP at
// national and at province scope, each next to the same question asked as a plain GROUP BY on the raw
// table in the same run; then an incremental refresh after changing BENCH_STATS_CHANGES teachers.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { runMigrations } from '@tmis/database';
import { startNationalNode } from '@tmis/national';
import { hashPassword } from '@tmis/accounts';
import { FactStore, StatsFactSource, StatsRepository } from '@tmis/stats';
import { NationalSearchService } from '@tmis/sync-ingest';
import { api, fmt, machineCpu, machineCpuBetween, rssOf, summarise } from '../lib.mjs';

export const name = 'stats';
const N = Number(process.env.BENCH_STATS_TEACHERS ?? 15_000_000);
const CHUNK = Number(process.env.BENCH_STATS_CHUNK ?? 1_000_000);
const PARALLEL = Number(process.env.BENCH_STATS_PARALLEL ?? 2);
const API_RUNS = Number(process.env.BENCH_STATS_API_RUNS ?? 20);
const RAW_RUNS = Number(process.env.BENCH_STATS_RAW_RUNS ?? 3);
const CHANGES = Number(process.env.BENCH_STATS_CHANGES ?? 10_000);
/** BENCH_STATS_ONLY=label,label: only the questions whose label contains one of these. */
const ONLY = process.env.BENCH_STATS_ONLY ? process.env.BENCH_STATS_ONLY.split(',') : null;
/**
 * BENCH_STATS_PROFILE=<dir>: a V8 CPU profile of each question's calls (node and client share this process),
 * written to <dir>/<scope>-<question>.cpuprofile; the figures of a profiled run are slower than without.
 */
const PROFILE_DIR = process.env.BENCH_STATS_PROFILE ?? null;
const PASSWORD = 'Bench#Pass2026';
const mib = (b) => fmt(b / 2 ** 20, 0);
const log = (m) => console.log(`  [stats] ${new Date().toISOString().slice(11, 19)} ${m}`);

/** ~40 teachers per school; schools under every county, and under a province that has no counties (XPCC). */
async function generateSchools(db, count) {
  await db.query(
    `
    WITH parents AS (
      SELECT id, path, substr(code, 1, 2) AS prov, row_number() OVER (ORDER BY code) AS rn, count(*) OVER () AS n
        FROM org_unit u
       WHERE kind = 'county' OR (kind = 'province' AND NOT EXISTS (SELECT 1 FROM org_unit c WHERE c.kind = 'county' AND c.code LIKE substr(u.code, 1, 2) || '%'))
    ),
    g AS (SELECT g, (ARRAY['11','11','11','21','21','21','21','31','31','32','34','36','42','51'])[1 + g % 14] AS t FROM generate_series(1, $1::int) g)
    INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor)
    SELECT 'school', 5, g.t || p.prov || lpad(g.g::text, 6, '0'), '学校' || g.g, p.id, p.path || g.t || p.prov || lpad(g.g::text, 6, '0') || '/', 'active', g.t,
           (ARRAY['111','112','121','122','210','220','220'])[1 + (g.g / 3) % 7], CASE WHEN g.g % 9 = 0 THEN '2' ELSE '1' END
      FROM g JOIN parents p ON p.rn = 1 + g.g % p.n`,
    [count],
  );
  await db.query(
    `CREATE TABLE bench_school AS SELECT code, school_type, row_number() OVER (ORDER BY code)::int AS rn FROM org_unit WHERE kind = 'school'`,
  );
  await db.query(`CREATE UNIQUE INDEX ON bench_school (rn)`);
  await db.query(`ANALYZE bench_school`);
  await db.query(`ANALYZE org_unit`);
}

/**
 * One chunk of teachers: the record fields statistics read, with realistic distributions (women ~65 %,
 * ages 22-62, Han ~91 %, bachelor's ~63 %, titles by weight, subjects by weight with ~15 % teaching
 * two, 5 % who left, pay rising with title).
 */
const CHUNK_SQL = `
  WITH g AS (
    SELECT g, s.code AS unit_code, substr(s.code, 3, 2) AS prov, s.school_type,
           (date '1964-01-01' + ((g * 7919) % 14600)::int)::date AS birth,
           CASE WHEN (g * 31) % 100 < 65 THEN '2' ELSE '1' END AS sex,
           CASE WHEN (g * 17) % 100 < 91 THEN '01' ELSE lpad((2 + (g * 13) % 55)::text, 2, '0') END AS eth,
           (ARRAY['01','01','01','13','13','13','13','13','03','12'])[1 + (g * 11) % 10] AS pol,
           (ARRAY['14','14','21','21','21','21','21','21','31','31','31','41','11'])[1 + (g * 19) % 13] AS edu,
           (ARRAY['013','013','013','014','014','012','012','015','011','999','023','022'])[1 + (g * 23) % 12] AS title,
           (ARRAY['01','01','02','02','03','03','04','05','06','07','08','09','10','11','12','13','14','17','18','19'])[1 + (g * 29) % 20] AS subj,
           (ARRAY['02','03','01','04','09','12'])[1 + (g * 37) % 6] AS subj2,
           CASE WHEN g % 20 = 7 THEN '05' WHEN g % 97 = 3 THEN '04' WHEN g % 61 = 5 THEN '02' ELSE '01' END AS status,
           CASE WHEN g % 20 < 17 THEN '11' ELSE (ARRAY['12','13','14','55'])[1 + g % 4] END AS cat
      FROM generate_series($1::bigint, $2::bigint) g
      JOIN bench_school s ON s.rn = 1 + (g * 7) % $3::int
  )
  INSERT INTO national_teacher (teacher_id, province_code, unit_code, id_type, id_number, name, person_status, active, record, custom, catalogue_version, reported_version, last_sequence)
  SELECT gen_random_uuid(), prov, unit_code, '1', lpad(g::text, 18, '0'), '教师' || g, status, status IN ('01','02','03'),
         jsonb_build_object(
           'basic', jsonb_build_object('sex', sex, 'birthDate', to_char(birth, 'YYYY-MM-DD'), 'ethnicity', eth, 'politicalStatus', pol, 'staffCategory', cat,
                                       'onEstablishment', g % 10 <> 0, 'personStatus', status, 'nationality', 'CHN', 'idType', '1'),
           'education', jsonb_build_array(jsonb_build_object('educationLevel', edu, 'isHighest', true)),
           'professionalTitle', CASE WHEN g % 13 = 0 THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('title', title, 'startMonth', to_char(birth + interval '30 years', 'YYYY-MM'))) END,
           'teaching', CASE WHEN school_type = '11' THEN '[]'::jsonb
                            WHEN g % 7 = 0 THEN jsonb_build_array(jsonb_build_object('schoolYear', '2025-2026', 'subject', subj), jsonb_build_object('schoolYear', '2025-2026', 'subject', subj2))
                            ELSE jsonb_build_array(jsonb_build_object('schoolYear', '2025-2026', 'subject', subj)) END,
           'qualification', jsonb_build_array(jsonb_build_object('qualificationType', CASE school_type WHEN '11' THEN '1' WHEN '21' THEN '2' WHEN '31' THEN '3' WHEN '34' THEN '4' ELSE '5' END)),
           'payBenefits', jsonb_build_array(jsonb_build_object('year', 2025, 'annualPay', 45000 + ((g * 41) % 60000) + CASE title WHEN '011' THEN 90000 WHEN '012' THEN 50000 WHEN '013' THEN 25000 ELSE 0 END))),
         '{}'::jsonb, '2026.1', 1, g
    FROM g`;

/** The same questions as plain GROUP BYs over the raw table (the record read at query time). */
const b = `nt.record->'basic'`;
const RAW = {
  sex: `${b}->>'sex'`,
  ageBand: `CASE WHEN date_part('year', age((${b}->>'birthDate')::date)) < 25 THEN '00' WHEN date_part('year', age((${b}->>'birthDate')::date)) >= 60 THEN '60' ELSE (floor(date_part('year', age((${b}->>'birthDate')::date)) / 5) * 5)::text END`,
  highestEducation: `(SELECT e->>'educationLevel' FROM jsonb_array_elements(nt.record->'education') e WHERE e->'isHighest' = 'true'::jsonb LIMIT 1)`,
  titleLevel: `(SELECT e->>'title' FROM jsonb_array_elements(nt.record->'professionalTitle') e WHERE e->>'endMonth' IS NULL LIMIT 1)`,
  urbanRural: `u.urban_rural`,
  ethnicity: `${b}->>'ethnicity'`,
  schoolType: `u.school_type`,
  onEstablishment: `${b}->>'onEstablishment'`,
  retireYear: `date_part('year', tmis_retirement_date(${b}->>'sex', (${b}->>'birthDate')::date))::text`,
};
const SUBJECT_JOIN = `CROSS JOIN LATERAL jsonb_array_elements(nt.record->'teaching') te`;

const QUERIES = [
  { label: 'sex', params: { by: 'sex' }, raw: [RAW.sex] },
  { label: 'age pyramid (ageBand × sex)', params: { by: 'ageBand,sex' }, raw: [RAW.ageBand, RAW.sex] },
  {
    label: 'highest education by province',
    params: { by: 'highestEducation', level: 'province' },
    raw: [RAW.highestEducation],
    level: 'province',
  },
  {
    label: 'title structure by province',
    params: { by: 'titleLevel', level: 'province' },
    raw: [RAW.titleLevel],
    level: 'province',
  },
  {
    label: 'subject supply by county',
    params: { by: 'subject', level: 'county' },
    raw: [`te->>'subject'`],
    join: SUBJECT_JOIN,
    level: 'county',
  },
  {
    label: 'retirements next 5 years by subject',
    params: {
      by: 'retireYear,subject',
      filter: `retireYear:${[0, 1, 2, 3, 4].map((i) => new Date().getFullYear() + i).join('|')}`,
    },
    raw: [RAW.retireYear, `te->>'subject'`],
    join: SUBJECT_JOIN,
    rawWhere: `date_part('year', tmis_retirement_date(${b}->>'sex', (${b}->>'birthDate')::date)) BETWEEN ${new Date().getFullYear()} AND ${new Date().getFullYear() + 4}`,
  },
  {
    label: 'urban/rural × sex, filter title 012',
    params: { by: 'urbanRural,sex', filter: 'title:012' },
    raw: [RAW.urbanRural, RAW.sex],
    rawWhere: `${RAW.titleLevel} = '012'`,
  },
  {
    label: 'full-time teachers: title × sex by province (filter staff category 11)',
    params: { by: 'titleLevel,sex', level: 'province', filter: 'staffCategory:11' },
    raw: [RAW.titleLevel, RAW.sex],
    rawWhere: `${b}->>'staffCategory' = '11'`,
    level: 'province',
  },
  {
    label: 'subject × sex by city',
    params: { by: 'subject,sex', level: 'city' },
    raw: [`te->>'subject'`, RAW.sex],
    join: SUBJECT_JOIN,
    level: 'city',
  },
  {
    label: 'title structure by county',
    params: { by: 'titleLevel', level: 'county' },
    raw: [RAW.titleLevel],
    level: 'county',
  },
  { label: 'ethnicity', params: { by: 'ethnicity' }, raw: [RAW.ethnicity] },
  {
    label: '3 dimensions',
    params: { by: 'sex,schoolType,onEstablishment' },
    raw: [RAW.sex, RAW.schoolType, RAW.onEstablishment],
  },
  {
    label: '4 dimensions (sex × title × subject × urban/rural)',
    params: { by: 'sex,title,subject,urbanRural' },
    raw: [RAW.sex, RAW.titleLevel, `te->>'subject'`, RAW.urbanRural],
    join: SUBJECT_JOIN,
  },
  {
    label: '4 dimensions by county (refused: millions of rows)',
    params: { by: 'sex,title,subject,urbanRural', level: 'county' },
    refused: 'STATS_TABLE_TOO_LARGE',
    nationalOnly: true,
  },
  { label: 'sex by school', params: { by: 'sex' }, raw: [RAW.sex], level: 'school', provinceOnly: true },
];

function rawSql(q, level, province) {
  const levelCol = { province: 'nt.province_code', city: 'gpu.code', county: 'pu.code', school: 'u.code' }[level];
  const cols = [...(levelCol ? [levelCol] : []), ...q.raw];
  const where = [
    'nt.active',
    'NOT nt.removed',
    ...(province ? [`nt.province_code = '${province}'`] : []),
    ...(q.rawWhere ? [q.rawWhere] : []),
  ];
  const parents =
    level === 'county' || level === 'city'
      ? 'LEFT JOIN org_unit pu ON pu.id = u.parent_id LEFT JOIN org_unit gpu ON gpu.id = pu.parent_id'
      : '';
  return `SELECT ${cols.map((c, i) => `${c} AS c${i}`).join(', ')}, count(*) FROM national_teacher nt LEFT JOIN org_unit u ON u.code = nt.unit_code ${parents} ${q.join ?? ''} WHERE ${where.join(' AND ')} GROUP BY ${cols.map((_, i) => i + 1).join(', ')}`;
}

/** Schools, then teachers in chunks (one statement per chunk), with progress. */
async function generate(db, url) {
  const rows = [];
  const schools = Math.max(2000, Math.round(N / 40));
  let t0 = performance.now();
  await generateSchools(db, schools);
  log(`${schools} schools in ${fmt((performance.now() - t0) / 1000)} s`);
  t0 = performance.now();
  const [{ n: schoolCount }] = (await db.query(`SELECT count(*)::int AS n FROM bench_school`)).rows;
  // The generated rows bypass national_teacher's triggers (statistics dirty marks, change feed, search
  // facets: a generated population is not a stream of changes, and the full refresh below rebuilds the
  // facts); the facet table is then filled set-based, once, as its migration does for existing rows.
  // As a bulk load does: the secondary indexes are dropped before and built once after (sorted, with
  // parallel workers), instead of taking 15 M random inserts each.
  const indexes = (
    await db.query(
      `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def FROM pg_index
        WHERE indrelid = 'national_teacher'::regclass AND NOT indisprimary`,
    )
  ).rows;
  for (const i of indexes) await db.query(`DROP INDEX ${i.name}`);
  // BENCH_STATS_PARALLEL connections (default 2, one per core here) each take the next chunk, index or
  // province: the statements are independent, and one backend uses one core.
  const workers = [db];
  for (let i = 1; i < PARALLEL; i++) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    workers.push(c);
  }
  const pool = async (jobs, fn) => {
    let next = 0;
    await Promise.all(
      workers.map(async (w) => {
        while (next < jobs.length) await fn(w, jobs[next++]);
      }),
    );
  };
  const chunks = [];
  for (let from = 1; from <= N; from += CHUNK) chunks.push([from, Math.min(N, from + CHUNK - 1)]);
  let done = 0;
  await pool(chunks, async (w, [from, to]) => {
    await w.query(`SET session_replication_role = replica`);
    await w.query(CHUNK_SQL, [from, to, schoolCount]);
    done += to - from + 1;
    log(
      `teachers ${done.toLocaleString('en')} / ${N.toLocaleString('en')} (${fmt((performance.now() - t0) / 1000)} s)`,
    );
  });
  for (const w of workers) await w.query(`RESET session_replication_role`);
  const genSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  for (const w of workers) await w.query(`SET maintenance_work_mem = '1GB'`);
  await pool(indexes, (w, i) => w.query(i.def));
  log(`${indexes.length} indexes of national_teacher built in ${fmt((performance.now() - t1) / 1000)} s`);
  await db.query(`DROP INDEX national_teacher_facet_idx`);
  await db.query(`TRUNCATE national_teacher_facet`);
  const provinceCodes = (
    await db.query(`SELECT DISTINCT province_code AS p FROM national_teacher ORDER BY 1`)
  ).rows.map((r) => r.p);
  await pool(provinceCodes, (w, p) =>
    w.query(
      `INSERT INTO national_teacher_facet (facet, province_code, unit_code, teacher_id, active, person_status)
       SELECT f, nt.province_code, nt.unit_code, nt.teacher_id, nt.active, nt.person_status
         FROM national_teacher nt CROSS JOIN LATERAL unnest(tmis_record_facets(nt.record)) f
        WHERE NOT nt.removed AND nt.province_code = $1`,
      [p],
    ),
  );
  log(`search facets filled in ${fmt((performance.now() - t1) / 1000)} s`);
  for (const w of workers.slice(1)) await w.end();
  await db.query(
    `CREATE INDEX national_teacher_facet_idx ON national_teacher_facet (facet, province_code, unit_code, teacher_id) INCLUDE (active, person_status)`,
  );
  await db.query(`VACUUM ANALYZE national_teacher_facet`);
  await db.query(`VACUUM ANALYZE national_teacher`);
  log(`search facets filled and indexed, tables vacuumed in ${fmt((performance.now() - t1) / 1000)} s`);
  const [{ provinces }] = (
    await db.query(`SELECT count(DISTINCT province_code)::int AS provinces FROM national_teacher`)
  ).rows;
  const [{ size }] = (await db.query(`SELECT pg_total_relation_size('national_teacher') AS size`)).rows;
  rows.push({
    metric: 'teachers generated in SQL into national_teacher',
    value: N,
    unit: 'records',
    note: `${fmt(N / genSeconds, 0)} records/s (triggers bypassed, indexes and facets built after, vacuumed: ${fmt((performance.now() - t1) / 1000)} s); ${provinces} provinces, ${schools} schools; ${fmt(size / 2 ** 30, 2)} GiB`,
  });
  return rows;
}

const SEARCH_RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 20);

/**
 * National search (issue 17): GET /national/teachers, first page of 50 (and a next page), per filter, over
 * the generated national population; p50/p95 over HTTP, with the repository's plan's top node.
 */
async function searchBench(node, db, token) {
  const rows = [];
  const one = async (sql) => (await db.query(sql)).rows[0];
  const city = await one(`SELECT id, code FROM org_unit WHERE kind = 'city' AND code LIKE '44%' ORDER BY code LIMIT 1`);
  const county = await one(
    `SELECT c.id, c.code FROM org_unit c WHERE c.kind = 'county' AND c.code LIKE '44%' AND EXISTS (SELECT 1 FROM org_unit s WHERE s.parent_id = c.id AND s.kind = 'school') ORDER BY c.code LIMIT 1`,
  );
  const school = await one(
    `SELECT id, code FROM org_unit WHERE kind = 'school' AND code LIKE '__44%' ORDER BY code LIMIT 1`,
  );
  const person = await one(
    `SELECT id_number, name FROM national_teacher WHERE province_code = '44' ORDER BY teacher_id LIMIT 1`,
  );
  const filters = [
    ['whole population, first page', ''],
    ['province 44', 'province=44'],
    [`city ${city.code}`, `unitId=${city.id}`],
    [`county ${county.code}`, `unitId=${county.id}`],
    [`school ${school.code}`, `unitId=${school.id}`],
    ['province 44, school type 31', 'province=44&schoolType=31'],
    ['province 44, staff category 12', 'province=44&staffCategory=12'],
    ['province 44, title 011', 'province=44&title=011'],
    ['province 44, subject 05', 'province=44&subject=05'],
    ['province 44, highest education 41', 'province=44&highestEducation=41'],
    ['province 44, qualification type 3', 'province=44&qualificationType=3'],
    ['province 44, status 05 (left)', 'province=44&personStatus=05'],
    [`city ${city.code}, title 012`, `unitId=${city.id}&title=012`],
    [`city ${city.code}, subject 05`, `unitId=${city.id}&subject=05`],
    [`city ${city.code}, qualification type 3`, `unitId=${city.id}&qualificationType=3`],
    [`city ${city.code}, highest education 41`, `unitId=${city.id}&highestEducation=41`],
    [`county ${county.code}, subject 02`, `unitId=${county.id}&subject=02`],
    ['whole population, subject 05', 'subject=05'],
    ['province 44, subject 05 and title 013', 'province=44&subject=05&title=013'],
    ['province 44, status 04', 'province=44&personStatus=04'],
    ['whole population, status 05 (left)', 'personStatus=05'],
    [`city ${city.code}, school type 21`, `unitId=${city.id}&schoolType=21`],
    [`county ${county.code}, status 05 (left)`, `unitId=${county.id}&personStatus=05`],
    // Generated names are 教师<n>: a four-character prefix matches ~1/90 of the teachers, a whole name a dozen.
    [
      `province 44, name prefix ${person.name.slice(0, 4)}`,
      `province=44&name=${encodeURIComponent(person.name.slice(0, 4))}`,
    ],
    [`name ${person.name} (whole population)`, `name=${encodeURIComponent(person.name)}`],
    ['ID number (exact)', `idNumber=${person.id_number}`],
  ];
  // The plans: the repository's statement for the first page, EXPLAIN (ANALYZE, BUFFERS) in the same run.
  const search = node.app.get(NationalSearchService);
  const [ministry] = (await db.query(`SELECT id FROM org_unit WHERE code = '000000'`)).rows;
  const actor = {
    accountId: '00000000-0000-0000-0000-000000000000',
    sessionId: 'bench',
    role: 'info_admin',
    unitId: ministry.id,
    unitPath: '/000000/',
    unitLevel: 1,
    mustChangePassword: false,
  };
  // The node's first search after its start (cold connections, plans and pages): printed apart, not
  // counted in the first filter's percentiles.
  const cold = performance.now();
  await api(node.url, 'GET', `/national/teachers?limit=50`, token);
  rows.push({
    metric: 'national search: the first after the start (cold), whole population, first page',
    value: `${fmt(performance.now() - cold)} ms`,
    unit: '',
    note: 'one call, before the filters below',
  });
  for (const [label, qs] of filters) {
    const times = [];
    let n = 0;
    let cursor = null;
    for (let i = 0; i < SEARCH_RUNS; i++) {
      const s = performance.now();
      const body = await api(node.url, 'GET', `/national/teachers?limit=50${qs ? `&${qs}` : ''}`, token);
      times.push(performance.now() - s);
      n = body.items.length;
      cursor = body.nextCursor;
    }
    const next = [];
    if (cursor)
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        await api(node.url, 'GET', `/national/teachers?limit=50&cursor=${cursor}${qs ? `&${qs}` : ''}`, token);
        next.push(performance.now() - s);
      }
    const a = summarise(times);
    const plan = await search.explain(actor, { ...Object.fromEntries(new URLSearchParams(qs)), limit: 50 });
    const read = plan.scans
      .map(
        (x) =>
          `${x.on}${x.loops > 1 ? ` ×${x.loops}` : ''} ${x.rowsRead}${x.heapFetches !== null ? ` (heap ${x.heapFetches})` : ''}`,
      )
      .join(', ');
    rows.push({
      metric: `national search: ${label}`,
      value: `p50 ${fmt(a.p50)} / p95 ${fmt(a.p95)} ms`,
      unit: '',
      note: `${n} rows${cursor ? `; next page p50 ${fmt(summarise(next).p50)} ms` : ''} (${SEARCH_RUNS} runs); plan ${plan.path} ${fmt(plan.ms)} ms, ${plan.buffers} buffers, read: ${read}`,
    });
    log(
      `search ${label}: p50 ${fmt(a.p50)} / p95 ${fmt(a.p95)} ms, ${n} rows; ${plan.path} ${fmt(plan.ms)} ms: ${read}`,
    );
  }
  return rows;
}

export async function run(ctx) {
  const rows = [];
  // BENCH_STATS_REUSE_DB: a database an earlier run generated (kept by KEEP_BENCH_DB=1 or left by a failed run): no generation.
  const reuse = process.env.BENCH_STATS_REUSE_DB;
  const dbName = reuse ?? `${ctx.dbName}_stats`;
  if (!reuse) {
    const admin = new pg.Client({ connectionString: ctx.serverUrl('postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${dbName}"`);
    await admin.end();
  }
  // On a reused database: the migrations it does not have yet (e.g. new indexes over 15 million records), timed.
  const migrating = performance.now();
  const applied = await runMigrations(ctx.serverUrl(dbName));
  const migrationSeconds = (performance.now() - migrating) / 1000;
  if (applied.length) log(`migrations ${applied.join(', ')} in ${fmt(migrationSeconds)} s`);
  if (reuse) {
    // The generation's writes are in the dirty log: the node's boot refresh would rebuild everything in the
    // background (under the search figures), and the full refresh below rebuilds everything anyway.
    const c = new pg.Client({ connectionString: ctx.serverUrl(dbName) });
    await c.connect();
    await c.query('TRUNCATE stat_dirty');
    await c.end();
  }
  const node = await startNationalNode({
    DATABASE_URL: ctx.serverUrl(dbName),
    JWT_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    DB_MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'error',
    STATS_REFRESH_SECONDS: '0',
    DB_POOL_SIZE: '8',
    STATS_CACHE_ENTRIES: '0',
  });
  ctx.state.statsNode = node;
  const db = new pg.Client({ connectionString: ctx.serverUrl(dbName) });
  await db.connect();
  try {
    if (!reuse) {
      rows.push(...(await generate(db, ctx.serverUrl(dbName))));
      // BENCH_STATS_GENERATE_ONLY=1: stop after the generation (with KEEP_BENCH_DB=1, for later runs on BENCH_STATS_REUSE_DB).
      if (process.env.BENCH_STATS_GENERATE_ONLY) return rows;
    } else {
      const [{ n, size }] = (
        await db.query(
          `SELECT count(*)::int AS n, pg_total_relation_size('national_teacher') AS size FROM national_teacher`,
        )
      ).rows;
      rows.push({
        metric: 'teachers in national_teacher (generated by an earlier run)',
        value: n,
        unit: 'records',
        note: `${fmt(size / 2 ** 30, 2)} GiB; database ${reuse}`,
      });
      if (applied.length)
        rows.push({
          metric: 'migrations applied to it first',
          value: `${fmt(migrationSeconds)} s`,
          unit: '',
          note: `${applied.join(', ')} (${fmt(migrationSeconds / (n / 1e6), 1)} s per million records)`,
        });
    }

    // A ministry information administrator (exact counts, no small-cell suppression); logged in again per step (tokens expire).
    const [ministry] = (await db.query(`SELECT id FROM org_unit WHERE code = '000000'`)).rows;
    const [gd] = (await db.query(`SELECT id FROM org_unit WHERE code = '440000'`)).rows;
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.stats', '基准', '110101199001010011', $2, false) ON CONFLICT DO NOTHING`,
      [ministry.id, await hashPassword(PASSWORD)],
    );
    const login = async () =>
      (await api(node.url, 'POST', '/auth/login', null, { username: 'bench.stats', password: PASSWORD })).accessToken;
    let token = await login();

    // Index-only scans skip the records only on pages the visibility map marks all-visible (set by VACUUM;
    // autovacuum does it some time after a bulk load). BENCH_STATS_VACUUM=1: vacuum first.
    if (process.env.BENCH_STATS_VACUUM === '1') {
      const t0 = performance.now();
      await db.query('VACUUM (ANALYZE) national_teacher');
      await db.query('VACUUM (ANALYZE) national_teacher_facet');
      log(`vacuumed in ${fmt((performance.now() - t0) / 1000)} s`);
    }
    // Fresh planner statistics: the facet table is created empty by its migration and filled by triggers
    // during the generation, which autovacuum may not have analyzed yet (then the planner sorts a province's
    // whole value instead of walking the index in order: 1.6 s for a page at 500,000 teachers).
    const analyzing = performance.now();
    await db.query('ANALYZE national_teacher, national_teacher_facet');
    log(`analyzed in ${fmt((performance.now() - analyzing) / 1000)} s`);
    const visible = (
      await db.query(
        `SELECT relname, relallvisible::float / greatest(relpages, 1) AS share FROM pg_class WHERE relname IN ('national_teacher', 'national_teacher_facet') ORDER BY 1`,
      )
    ).rows;
    rows.push({
      metric: 'pages marked all-visible (index-only scans read no record there)',
      value: visible.map((v) => `${v.relname} ${fmt(v.share * 100, 0)} %`).join(', '),
      unit: '',
      note: process.env.BENCH_STATS_VACUUM === '1' ? 'after VACUUM' : 'as found (BENCH_STATS_VACUUM=1 to vacuum first)',
    });
    // On the facts of an earlier run the node loads them (and builds its cubes) as it starts: the searches wait
    // for that, not to be measured beside it.
    if (reuse && process.env.BENCH_STATS_SKIP_REFRESH === '1') {
      await node.app.get(FactStore).current();
      await node.app.get(FactStore).cubesReady();
      token = await login();
    }
    if (process.env.BENCH_STATS_SEARCH !== '0') rows.push(...(await searchBench(node, db, token)));
    if (process.env.BENCH_STATS_SEARCH_ONLY) return rows;

    // The first build: every teacher's facts, then the load into memory (after the node's own boot refresh and load, so they do not overlap).
    await node.app.get(FactStore).current();
    // BENCH_STATS_SKIP_REFRESH=1 (a reused database an earlier run refreshed): the facts as they are, loaded.
    const skipRefresh = reuse && process.env.BENCH_STATS_SKIP_REFRESH === '1';
    log(skipRefresh ? 'facts of the earlier run, loaded …' : 'full refresh …');
    // Through the service, not HTTP: at 15 million a rebuild outlasts fetch's 300 s header timeout.
    const r = skipRefresh
      ? { durationMs: NaN, factRows: NaN }
      : await node.app.get(StatsRepository).refresh(node.app.get(StatsFactSource), 'manual', null, true);
    await node.app.get(FactStore).current();
    const [{ fact }] = (await db.query(`SELECT pg_total_relation_size('stat_fact') AS fact`)).rows;
    // Logged in again: at national scale the rebuild and load outlast an access token.
    token = await login();
    const mem = (await api(node.url, 'GET', '/stats/freshness', token)).memory;
    rows.push({
      metric: `full refresh: every teacher's facts, build and swap${skipRefresh ? ' (skipped: the facts of an earlier run)' : ''}`,
      value: `${fmt(r.durationMs / 1000)} s`,
      unit: '',
      note: `${r.factRows} rows, ${fmt(fact / 2 ** 20, 0)} MiB (${fmt(r.factRows / (r.durationMs / 1000), 0)} teachers/s)`,
    });
    rows.push({
      metric: "load into the node's memory (whole generation)",
      value: `${fmt(mem.lastLoad.ms / 1000)} s`,
      unit: '',
      note: `${mem.rows} rows, ${fmt(mem.bytes / 2 ** 20, 0)} MiB of columns; bench process RSS ${mib(rssOf(process.pid).rss)} MiB, peak ${mib(rssOf(process.pid).hwm)} MiB (node and bench client)`,
    });
    log(`full refresh ${fmt(r.durationMs / 1000)} s, load ${fmt(mem.lastLoad.ms / 1000)} s`);
    // The cubes (issue 17): built in the background after the load; the questions below wait for them.
    const cubeWait = performance.now();
    await node.app.get(FactStore).cubesReady();
    const cubes = (await api(node.url, 'GET', '/stats/freshness', await login())).memory.cubes;
    rows.push({
      metric: 'cubes: every dimension and pair by city, then every triple by province, built after the load',
      value: cubes ? `${fmt(cubes.builtMs / 1000)} s + ${fmt(cubes.provinceMs / 1000)} s` : 'none',
      unit: '',
      note: cubes
        ? `${cubes.cubes} cubes, ${fmt(cubes.bytes / 2 ** 20, 0)} MiB, of which the province set of triples ${cubes.provinceCubes} cubes, ${fmt(cubes.provinceBytes / 2 ** 20, 0)} MiB (all ready ${fmt((performance.now() - cubeWait) / 1000)} s after the load); bench process RSS ${mib(rssOf(process.pid).rss)} MiB, peak ${mib(rssOf(process.pid).hwm)} MiB`
        : '',
    });
    log(`cubes ${cubes ? `${cubes.cubes} in ${cubes.builtMs} ms, ${fmt(cubes.bytes / 2 ** 20, 0)} MiB` : 'none'}`);

    // The store's own time per question (the engine's answer, before labels, the table and HTTP), timed in
    // this process around FactStore.query: the HTTP figure minus this is the service, the JSON and the socket.
    const store = node.app.get(FactStore);
    const storeQuery = store.query.bind(store);
    const storeTimes = [];
    const [{ pid: pgBackendPid }] = (await db.query('SELECT pg_backend_pid() AS pid')).rows;
    const machineNow = () => machineCpu({ named: { 'bench process (node and client)': process.pid }, pgBackendPid });
    store.query = async (q) => {
      const s = performance.now();
      try {
        return await storeQuery(q);
      } finally {
        storeTimes.push(performance.now() - s);
      }
    };
    for (const [scopeLabel, unit, province] of [
      ['national', null, null],
      ['province 44', gd.id, '44'],
    ]) {
      for (const q of QUERIES) {
        if ((q.provinceOnly && !unit) || (q.nationalOnly && unit) || (ONLY && !ONLY.some((o) => q.label.includes(o))))
          continue;
        if (q.refused) {
          // A table too large for one answer is refused quickly, before labels and JSON.
          token = await login();
          const s = performance.now();
          const res = await fetch(
            `${node.url}/stats/breakdown?${new URLSearchParams({ ...q.params, ...(unit ? { unit } : {}) })}`,
            { headers: { authorization: `Bearer ${token}` } },
          );
          const body = await res.json();
          rows.push({
            metric: `${scopeLabel}: ${q.label}`,
            value: `${fmt(performance.now() - s)} ms`,
            unit: '',
            note: `${res.status} ${body.code}: ${body.detail ?? ''}`,
          });
          continue;
        }
        token = await login();
        const level = unit && q.level === 'province' ? 'city' : q.level;
        const params = new URLSearchParams({ ...q.params, ...(unit ? { unit } : {}), ...(level ? { level } : {}) });
        // Until the last byte of the answer (a large table is streamed); the client's JSON parse is not the node's time.
        const times = [];
        let text = '';
        storeTimes.length = 0;
        const cpu0 = machineNow();
        const profiler = PROFILE_DIR ? new Session() : null;
        if (profiler) {
          profiler.connect();
          await profiler.post('Profiler.enable');
          await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
          await profiler.post('Profiler.start');
        }
        for (let i = 0; i < API_RUNS; i++) {
          const s = performance.now();
          const res = await fetch(`${node.url}/stats/breakdown?${params}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          text = await res.text();
          times.push(performance.now() - s);
          if (!res.ok) throw new Error(`breakdown ${params} → ${res.status} ${text.slice(0, 200)}`);
        }
        const cpu = machineCpuBetween(cpu0, machineNow());
        if (profiler) {
          const { profile } = await profiler.post('Profiler.stop');
          profiler.disconnect();
          const file = `${scopeLabel}-${q.label}`.replace(/[^\w一-龥-]+/g, '_');
          writeFileSync(`${PROFILE_DIR}/${file}.cpuprofile`, JSON.stringify(profile));
        }
        const body = JSON.parse(text);
        const source = `${body.answeredFrom === 'cubes' ? 'cubes' : 'uncached scan'}, ${body.rows.length} rows, ${fmt(Buffer.byteLength(text) / 2 ** 10, 0)} KiB`;
        const rawTimes = [];
        const sql = rawSql(q, level, province);
        for (let i = 0; i < RAW_RUNS; i++) {
          const s = performance.now();
          await db.query(sql);
          rawTimes.push(performance.now() - s);
        }
        const a = summarise(times);
        const inStore = summarise(storeTimes.splice(0));
        const cpuNote = cpu.groups.map(([g, sec]) => `${g} ${fmt(sec, 2)} s`).join(', ');
        const raw = RAW_RUNS ? summarise(rawTimes) : { p50: NaN, p95: NaN };
        rows.push({
          metric: `${scopeLabel}: ${q.label}`,
          value: `p50 ${fmt(a.p50)} / p95 ${fmt(a.p95)} ms`,
          unit: '',
          note: `${source}; the store's answer alone p50 ${fmt(inStore.p50)} / p95 ${fmt(inStore.p95)} ms; CPU during the calls: ${cpuNote}; plain GROUP BY p50 ${fmt(raw.p50, 0)} / p95 ${fmt(raw.p95, 0)} ms (${RAW_RUNS} runs)`,
        });
        log(
          `${scopeLabel}: ${q.label}: api p50 ${fmt(a.p50)} / p95 ${fmt(a.p95)} ms, store p50 ${fmt(inStore.p50)} / p95 ${fmt(inStore.p95)} ms (${source}), raw p50 ${fmt(raw.p50, 0)} ms`,
        );
      }
    }

    if (process.env.BENCH_STATS_SKIP_INCREMENTAL === '1') return rows;
    token = await login();
    // Incremental: CHANGES teachers change (as the ingest of their provinces' messages would), then a refresh.
    const [{ before }] = (
      await db.query(
        `SELECT count(*)::int AS before FROM national_teacher WHERE active AND NOT removed AND record->'basic'->'onEstablishment' = 'true'::jsonb`,
      )
    ).rows;
    const cnt = async () => {
      const b = await api(node.url, 'GET', '/stats/breakdown?by=onEstablishment', token);
      return b.rows.find((x) => x.values.onEstablishment.code === '1').count;
    };
    const apiBefore = await cnt();
    const [{ flipped }] = (
      await db.query(
        `
      WITH c AS (SELECT teacher_id FROM national_teacher WHERE active AND NOT removed AND record->'basic'->'onEstablishment' = 'true'::jsonb ORDER BY teacher_id LIMIT $1),
           u AS (UPDATE national_teacher n SET record = jsonb_set(n.record, '{basic,onEstablishment}', 'false'::jsonb), updated_at = now() FROM c WHERE n.teacher_id = c.teacher_id RETURNING 1)
      SELECT count(*)::int AS flipped FROM u`,
        [CHANGES],
      )
    ).rows;
    const inc = await api(node.url, 'POST', '/stats/refresh', token);
    const mem2 = (await api(node.url, 'GET', '/stats/freshness', token)).memory;
    const apiAfter = await cnt();
    const ok = apiBefore === before && apiAfter === before - flipped;
    rows.push({
      metric: `incremental refresh after ${flipped} changed teachers`,
      value: `${fmt(inc.durationMs / 1000)} s`,
      unit: '',
      note: `mode ${inc.mode}, ${inc.changedRows} recomputed; the node caught up in ${fmt(mem2.lastLoad.ms)} ms (${mem2.lastLoad.kind}); on establishment ${apiBefore} → ${apiAfter} (${ok ? 'exact' : 'WRONG'})`,
    });
    log(
      `incremental ${fmt(inc.durationMs / 1000)} s (${inc.mode}), catch-up ${mem2.lastLoad.ms} ms, ${ok ? 'exact' : 'WRONG'}`,
    );
    const idle = await api(node.url, 'POST', '/stats/refresh', token);
    rows.push({
      metric: 'refresh with nothing changed',
      value: `${fmt(idle.durationMs)} ms`,
      unit: '',
      note: `mode ${idle.mode}`,
    });
  } finally {
    await db.end();
    await node.close();
    ctx.state.statsNode = null;
  }
  return rows;
}

#!/usr/bin/env node
// Soak run of the federation (issue 19): a national and a provincial node (each its own process) on
// PostgreSQL over a real Kafka broker, driven for SOAK_SECONDS (600) by a bounded load generator: fixed
// rates per kind, at most SOAK_CONCURRENCY requests in flight (a tick that finds no free slot is
// dropped and counted), every request with a timeout, and a hard stop. Kinds: reads (teacher lists,
// record reads, statistics breakdowns), writes (record edits, status changes), the review flow (new
// teacher → submit → school approve → department approve, which reports and syncs the record), small
// bulk imports (an xlsx through /bulk/imports) and sync reads at both nodes. Samples both nodes' RSS,
// counts every response by kind and status, measures the lag from each department approval to the
// record's arrival in national's table, and prints the backlog at the end.
//   npm run build && node bench/soak.mjs
//   SOAK_SECONDS=60 node bench/soak.mjs
// Exit 1 on any 5xx, on any request not answered, on lag that does not drain, or on memory growth over
// SOAK_RSS_MAX_GROWTH. Everything listens on 127.0.0.1 only. See bench/README.md.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import os from 'node:os';
import pg from 'pg';
import { runMigrations } from '@tmis/database';
import { hashPassword } from '@tmis/accounts';
import { ALL_SETS, layoutMeta, sheetLayouts, writeWorkbook } from '@tmis/bulk';
import { makeIdNumber } from '@tmis/core-indicators';
import { fmt, percentile, portOpen, repoRoot, rssOf, sleep, spawnNode, startBroker, stopNode } from './lib.mjs';
import { generateTeachers } from './suites/teachers.mjs';

const env = process.env;
const num = (k, d) => Number(env[k] ?? d);
const SECONDS = num('SOAK_SECONDS', 600);
const WARMUP = num('SOAK_WARMUP_SECONDS', Math.min(60, SECONDS / 10));
const RECORDS = num('SOAK_RECORDS', 20_000); // reported records generated before the run
const CONCURRENCY = num('SOAK_CONCURRENCY', 8);
const TIMEOUT_MS = num('SOAK_TIMEOUT_MS', 30_000);
const RSS_EVERY = num('SOAK_RSS_SECONDS', 5);
const LAG_LIMIT_MS = num('SOAK_LAG_LIMIT_MS', 30_000); // an approval not at national by then is "unbounded"
const DRAIN_MAX = num('SOAK_DRAIN_SECONDS', 120);
const RSS_MAX_GROWTH = num('SOAK_RSS_MAX_GROWTH', 0.5); // last-10 % mean over first-10 % mean after warm-up, minus 1
// Rates per second (ticks of each kind are spread evenly; SOAK_RATE_<KIND> overrides).
const RATES = {
  list: num('SOAK_RATE_LIST', 4),
  read: num('SOAK_RATE_READ', 4),
  stats: num('SOAK_RATE_STATS', 0.5),
  edit: num('SOAK_RATE_EDIT', 1),
  status: num('SOAK_RATE_STATUS', 0.5),
  review: num('SOAK_RATE_REVIEW', 0.5), // whole flows per second (4 requests each)
  import: num('SOAK_RATE_IMPORT', 1 / 30), // files per second
  sync: num('SOAK_RATE_SYNC', 1),
};
const IMPORT_ROWS = num('SOAK_IMPORT_ROWS', 20);
const KAFKA_PORT = env.KAFKA_PORT ?? '19992';
const NAT_PORT = num('SOAK_NATIONAL_PORT', 3460);
const PROV_PORT = num('SOAK_PROVINCE_PORT', 3461);
const SERVER = env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'Soak#Pass2026';
const METRICS_TOKEN = randomBytes(24).toString('hex');
const MiB = 1024 * 1024;
const log = (m) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${m}`);

const urlOf = (db) => Object.assign(new URL(SERVER), { pathname: `/${db}` }).toString();
const tag = Date.now().toString(36);
const provDb = `soak_${tag}_province`;
const natDb = `soak_${tag}_national`;
const admin = new pg.Client({ connectionString: urlOf('postgres') });
await admin.connect();
for (const d of [provDb, natDb]) await admin.query(`CREATE DATABASE "${d}"`);
const prov = new pg.Pool({ connectionString: urlOf(provDb), max: 3 });
const nat = new pg.Pool({ connectionString: urlOf(natDb), max: 3 });
// An idle client's error (e.g. the server closing it) is logged, not fatal: the next query reconnects.
for (const [name, pool] of [
  ['province', prov],
  ['national', nat],
])
  pool.on('error', (e) => log(`${name} database pool: ${e.message}`));
admin.on('error', (e) => log(`admin connection: ${e.message}`));
const q = async (pool, sql, params) => (await pool.query(sql, params)).rows;

const ownBroker = !env.KAFKA_BROKERS && !(await portOpen(KAFKA_PORT));
const broker = ownBroker ? startBroker(KAFKA_PORT) : null;
const brokers = env.KAFKA_BROKERS ?? `127.0.0.1:${KAFKA_PORT}`;
const topic = `tmis.sync.soak.${tag}`;
const jwt = randomBytes(32).toString('hex');
const common = {
  JWT_SECRET: jwt,
  LOG_LEVEL: 'error',
  KAFKA_BROKERS: brokers,
  SYNC_TOPIC: topic,
  FEDERATION_PROVINCES: '44',
  METRICS_TOKEN,
};

// ---- counters ----
const counts = {}; // kind → status → n
const times = {}; // kind → ms[]
let notAnswered = 0;
const firstFailures = [];
const perMinute = []; // minute → { n, ms[], lags[] }
let soakStart = 0; // set when the load starts; setup requests are not in the per-minute table
const minuteOf = () => (perMinute[Math.floor((Date.now() - soakStart) / 60000)] ??= { n: 0, ms: [], lags: [] });
function count(kind, status, ms, detail) {
  if (soakStart && kind !== 'login') {
    const m = minuteOf();
    m.n++;
    m.ms.push(ms);
  }
  counts[kind] ??= {};
  counts[kind][status] = (counts[kind][status] ?? 0) + 1;
  (times[kind] ??= []).push(ms);
  if ((status >= 500 || status === 'none') && firstFailures.length < 20)
    firstFailures.push(`${kind} ${status} ${detail}`);
}
/** One request, counted under `kind`; returns { status, body } (status 'none' when not answered in time). */
async function call(kind, base, method, path, token, body, { form } = {}) {
  const t0 = performance.now();
  let res;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: form ?? (body ? JSON.stringify(body) : undefined),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    notAnswered++;
    count(kind, 'none', performance.now() - t0, `${method} ${path}: ${e?.cause?.code ?? e?.name ?? e}`);
    return { status: 'none' };
  }
  const text = await res.text().catch(() => '');
  count(kind, res.status, performance.now() - t0, `${method} ${path}: ${text.slice(0, 300)}`);
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed };
}

// ---- identities for new people: valid GB 11643 numbers, unique per run ----
let personNo = 0;
function newPerson(region) {
  const i = personNo++;
  const birth = new Date(Date.UTC(1970, 0, 1) + (i % 9000) * 86400000);
  const ymd = birth.toISOString().slice(0, 10);
  const seq = 1 + Math.floor(i / 9000);
  const idNumber = makeIdNumber(region, ymd.replaceAll('-', ''), seq);
  const year = birth.getUTCFullYear();
  return { idNumber, ymd, year, sex: Math.floor(seq % 10) % 2 === 1 ? '1' : '2', i };
}
function newRecord() {
  const p = newPerson('440303');
  return {
    basic: {
      name: '耐' + ['久', '测', '试', '稳'][p.i % 4] + ['一', '二', '三'][p.i % 3],
      sex: p.sex,
      nationality: 'CHN',
      ethnicity: '01',
      idType: '1',
      idNumber: p.idNumber,
      birthDate: p.ymd,
      politicalStatus: '13',
      workStartMonth: `${p.year + 22}-09`,
      schoolEntryMonth: `${p.year + 23}-09`,
      staffCategory: '11',
      onEstablishment: true,
      personStatus: '01',
    },
    education: [
      {
        startMonth: `${p.year + 18}-09`,
        endMonth: `${p.year + 22}-07`,
        schoolName: '华南师范大学',
        educationLevel: '21',
        degree: '4',
        isHighest: true,
      },
    ],
    teaching: [{ schoolYear: '2025-2026', semester: '1', subject: '02', grade: '七年级', weeklyHours: 12 }],
    contacts: { mobile: `139${String(10000000 + p.i).slice(-8)}`, email: `soak${p.i}@school.gd.cn` },
  };
}

const nodes = {};
const timers = []; // samplers, cleared on every way out
const rss = { national: [], provincial: [] }; // { t, rss }
const lags = [];
const pendingLag = new Map(); // teacher id → { v, at }
let unboundedLag = 0;
let exitCode = 0;
const out = [];
const bulkDir = join(repoRoot, '.data', `soak-bulk-${tag}`);

try {
  await mkdir(bulkDir, { recursive: true });
  await runMigrations(urlOf(provDb));
  await runMigrations(urlOf(natDb));
  nodes.provincial = await spawnNode('provincial', PROV_PORT, {
    ...common,
    DATABASE_URL: urlOf(provDb),
    PROVINCE_CODE: '44',
    SYNC_RELAY_INTERVAL_MS: '100',
    STATS_REFRESH_SECONDS: env.SOAK_STATS_REFRESH_SECONDS ?? '120',
    BULK_DIR: join(bulkDir, 'uploads'),
  });
  nodes.national = await spawnNode('national', NAT_PORT, { ...common, DATABASE_URL: urlOf(natDb) });
  const provUrl = nodes.provincial.url;
  const natUrl = nodes.national.url;
  log(
    `nodes up: national ${natUrl} (pid ${nodes.national.pid}), provincial ${provUrl} (pid ${nodes.provincial.pid}), broker ${brokers}, topic ${topic}`,
  );

  // ---- data: 30,000 schools and RECORDS reported records (set-based, the bench generator) ----
  const ctx = { state: { db: { query: (sql, params) => q(prov, sql, params) } } };
  const g0 = Date.now();
  await generateTeachers(ctx, RECORDS, { reported: true });
  await q(prov, `VACUUM ANALYZE teacher`);
  log(`${RECORDS} reported records generated in ${fmt((Date.now() - g0) / 1000)} s`);
  // The generated records are already "reported" in the province: a resync puts them at national first.
  const hash = await hashPassword(PASSWORD);
  const [province] = await q(prov, `SELECT id FROM org_unit WHERE code = '440000'`);
  const [county] = await q(
    prov,
    `SELECT parent_id AS id FROM org_unit WHERE kind = 'school' AND school_type IN ('21','31','34')
      GROUP BY parent_id ORDER BY count(*) DESC LIMIT 1`,
  );
  const schools = await q(
    prov,
    `SELECT id, code FROM org_unit WHERE parent_id = $1 AND kind = 'school' AND school_type IN ('21','31','34') ORDER BY code LIMIT 8`,
    [county.id],
  );
  const account = (pool, unitId, username, idNumber) =>
    q(
      pool,
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
       VALUES ($1, 'info_admin', $2, '耐久', $3, $4, false)`,
      [unitId, username, idNumber, hash],
    );
  await account(prov, province.id, 'soak.province', makeIdNumber('440106', '19800101', 11));
  await account(prov, county.id, 'soak.county', makeIdNumber('440106', '19800101', 13));
  for (const [k, s] of schools.entries())
    await account(prov, s.id, `soak.school${k}`, makeIdNumber('440106', '19800102', 11 + 2 * k));
  const [ministry] = await q(nat, `SELECT id FROM org_unit WHERE code = '000000'`);
  await account(nat, ministry.id, 'soak.ministry', makeIdNumber('110101', '19800101', 11));
  const tokens = {};
  const loginAll = async () => {
    const login = async (url, username) => {
      const r = await call('login', url, 'POST', '/auth/login', null, { username, password: PASSWORD });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.accessToken;
    };
    tokens.province = await login(provUrl, 'soak.province');
    tokens.county = await login(provUrl, 'soak.county');
    tokens.schools = [];
    for (let k = 0; k < schools.length; k++) tokens.schools.push(await login(provUrl, `soak.school${k}`));
    tokens.ministry = await login(natUrl, 'soak.ministry');
  };
  await loginAll();

  // The generated records reach national through a resync before the soak starts.
  const r0 = Date.now();
  await call('sync', provUrl, 'POST', '/sync/resync', tokens.province);
  for (;;) {
    const [o] = await q(
      prov,
      `SELECT (SELECT state FROM sync_resync ORDER BY id DESC LIMIT 1) AS resync,
              (SELECT count(*) FROM sync_outbox WHERE published_at IS NULL)::int AS unpublished`,
    );
    const [n] = await q(nat, `SELECT count(*)::int AS n FROM national_teacher WHERE province_code = '44'`);
    if (o.resync === 'done' && o.unpublished === 0 && n.n >= RECORDS) break;
    if (Date.now() - r0 > 600_000) throw new Error(`the initial resync did not finish: ${JSON.stringify({ o, n })}`);
    await sleep(1000);
  }
  log(`initial resync: ${RECORDS} records at national in ${fmt((Date.now() - r0) / 1000)} s`);

  // Targets: reads over the generated records; status changes on active reported ones (each once);
  // edits on drafts this run creates (one per school admin's school, more as the review flow creates).
  const readIds = (await q(prov, `SELECT id::text FROM teacher ORDER BY random() LIMIT 2000`)).map((r) => r.id);
  const statusTargets = await q(
    prov,
    `SELECT id::text, version FROM teacher WHERE reported_version IS NOT NULL AND person_status = '01' ORDER BY random() LIMIT $1`,
    [Math.ceil(RATES.status * SECONDS) + 10],
  );
  const drafts = []; // { id, school }
  for (let k = 0; k < schools.length * 4; k++) {
    const s = k % schools.length;
    const r = await call('setup', provUrl, 'POST', '/teachers', tokens.schools[s], {
      unitId: schools[s].id,
      record: newRecord(),
    });
    if (r.status !== 201) throw new Error(`setup draft: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
    drafts.push({ id: r.body.id, school: s });
  }
  const stats0 = await call('setup', provUrl, 'POST', '/stats/refresh', tokens.province);
  if (stats0.status !== 200) throw new Error(`stats refresh: ${stats0.status} ${JSON.stringify(stats0.body)}`);

  // ---- the kinds ----
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  // [path, who asks]: the province's and the county's information administrators, each in its own subtree.
  const LISTS = [
    () => [`/teachers?unitId=${county.id}&limit=50`, tokens.county],
    () => [`/teachers?unitId=${province.id}&subject=02&limit=50`, tokens.province],
    () => [`/teachers?unitId=${province.id}&name=${encodeURIComponent('王伟')}&limit=50`, tokens.province],
    () => [`/teachers?unitId=${pick(schools).id}&limit=50`, tokens.county],
  ];
  const STATS = [
    `/stats/breakdown?by=sex&unit=${province.id}`,
    `/stats/breakdown?by=title&unit=${county.id}`,
    `/stats/breakdown?by=ageBand,sex&unit=${province.id}`,
  ];
  let statusNext = 0;
  let draftNext = 0;
  const kinds = {
    list: () => call('list', provUrl, 'GET', ...pick(LISTS)()),
    read: () => call('read', provUrl, 'GET', `/teachers/${pick(readIds)}`, tokens.province),
    stats: () => call('stats', provUrl, 'GET', pick(STATS), tokens.province),
    async edit() {
      const d = drafts[draftNext++ % drafts.length];
      const token = tokens.schools[d.school];
      const cur = await call('edit', provUrl, 'GET', `/teachers/${d.id}`, token);
      if (cur.status !== 200) return;
      await call('edit', provUrl, 'PATCH', `/teachers/${d.id}`, token, {
        version: cur.body.version,
        changes: { contacts: { mobile: `137${String(Date.now()).slice(-8)}` } },
      });
    },
    async status() {
      const t = statusTargets[statusNext++];
      if (!t) return;
      await call('status', provUrl, 'POST', `/teachers/${t.id}/status`, tokens.province, {
        version: t.version,
        personStatus: '03',
        effectiveDate: '2026-11-30',
        reason: 'soak',
      });
    },
    async review() {
      const s = Math.floor(Math.random() * schools.length);
      const token = tokens.schools[s];
      const made = await call('review', provUrl, 'POST', '/teachers', token, {
        unitId: schools[s].id,
        record: newRecord(),
      });
      if (made.status !== 201) return;
      const id = made.body.id;
      const v = made.body.version;
      const sub = await call('review', provUrl, 'POST', `/teachers/${id}/review/submit`, token, { version: v });
      if (sub.status !== 200) return;
      const ok = await call('review', provUrl, 'POST', `/teachers/${id}/review/school-approve`, token, {
        version: v,
        participants: ['王校长', '李主任'],
        principal: '王校长',
      });
      if (ok.status !== 200) return;
      const dep = await call('review', provUrl, 'POST', `/teachers/${id}/review/department-approve`, tokens.county, {
        version: v,
      });
      if (dep.status === 200) pendingLag.set(id, { v: dep.body.reportedVersion ?? v, at: Date.now() });
    },
    async import() {
      const path = join(bulkDir, `import-${Date.now()}.xlsx`);
      const layouts = sheetLayouts(ALL_SETS, []);
      const basic = layouts[0];
      const rows = Array.from({ length: IMPORT_ROWS }, () => {
        const p = newPerson('440304');
        return {
          unitCode: pick(schools).code,
          idType: '1',
          idNumber: p.idNumber,
          name: '导' + ['入', '批', '量'][p.i % 3],
          sex: p.sex === '1' ? '1 男' : '2 女',
          nationality: 'CHN',
          ethnicity: '01',
          birthDate: p.ymd,
          politicalStatus: '13 群众',
          workStartMonth: `${p.year + 22}-09`,
          schoolEntryMonth: `${p.year + 23}-09`,
          staffCategory: '11',
          onEstablishment: '是',
          personStatus: '01',
          staffNumber: `S${p.i}`,
        };
      });
      const file = createWriteStream(path);
      await writeWorkbook(file, {
        layouts,
        meta: layoutMeta('department', ALL_SETS, [], '44', false),
        rows: (l) =>
          (async function* () {
            if (l.subSet === 'basic') for (const p of rows) yield basic.columns.map((c) => p[c.key] ?? null);
          })(),
      });
      if (!file.writableFinished) await once(file, 'finish');
      const form = new FormData();
      form.append('file', await openAsBlob(path), 'soak.xlsx');
      const up = await call('import', provUrl, 'POST', '/bulk/imports?dryRun=false', tokens.province, null, { form });
      await rm(path, { force: true });
      if (up.status !== 202) return;
      for (const until = Date.now() + 120_000; Date.now() < until;) {
        await sleep(1000);
        const j = await call('import', provUrl, 'GET', `/bulk/jobs/${up.body.id}`, tokens.province);
        if (j.status !== 200) return;
        if (!['queued', 'validating', 'committing'].includes(j.body.state)) {
          if (j.body.state !== 'committed' && firstFailures.length < 20)
            firstFailures.push(`import ended ${j.body.state}: ${JSON.stringify(j.body).slice(0, 300)}`);
          counts.importJobs ??= {};
          counts.importJobs[j.body.state] = (counts.importJobs[j.body.state] ?? 0) + 1;
          return;
        }
      }
    },
    async sync() {
      const which = Math.floor(Math.random() * 4);
      if (which === 0) await call('sync', natUrl, 'GET', '/sync/status', tokens.ministry);
      else if (which === 1) await call('sync', natUrl, 'GET', '/sync/teachers?province=44', tokens.ministry);
      else if (which === 2) await call('sync', provUrl, 'GET', '/sync/status', tokens.province);
      else
        await call('sync', pick([provUrl, natUrl]), 'GET', '/health', null, null, {
          form: undefined,
        });
    },
  };

  // ---- samplers: RSS of both nodes; arrival of approved records at national ----
  const t0 = Date.now();
  soakStart = t0;
  const sampleRss = () => {
    for (const k of ['national', 'provincial'])
      try {
        rss[k].push({ t: (Date.now() - t0) / 1000, rss: rssOf(nodes[k].pid).rss, load: os.loadavg()[0] });
      } catch {
        /* process gone: reported by the request counts */
      }
  };
  sampleRss();
  timers.push(setInterval(sampleRss, RSS_EVERY * 1000));
  let lagBusy = false;
  const pollLag = async () => {
    if (lagBusy || !pendingLag.size) return;
    lagBusy = true;
    try {
      const ids = [...pendingLag.keys()];
      const got = await q(
        nat,
        `SELECT teacher_id::text AS id, reported_version AS v FROM national_teacher WHERE province_code = '44' AND teacher_id = ANY($1::uuid[])`,
        [ids],
      );
      const now = Date.now();
      for (const g of got) {
        const p = pendingLag.get(g.id);
        if (p && Number(g.v) >= Number(p.v)) {
          lags.push(now - p.at);
          minuteOf().lags.push(now - p.at);
          pendingLag.delete(g.id);
        }
      }
      for (const [id, p] of pendingLag)
        if (now - p.at > LAG_LIMIT_MS && !p.late) {
          p.late = true;
          unboundedLag++;
          log(`record ${id} approved ${fmt((now - p.at) / 1000)} s ago is not at national yet`);
        }
    } finally {
      lagBusy = false;
    }
  };
  timers.push(setInterval(() => pollLag().catch((e) => log(`lag poll: ${e.message}`)), 200));
  timers.push(setInterval(() => loginAll().catch((e) => log(`re-login: ${e.message}`)), 600_000));

  // ---- the load generator: fixed rates, bounded concurrency, bounded time ----
  log(`soak: ${SECONDS} s, rates/s ${JSON.stringify(RATES)}, at most ${CONCURRENCY} in flight`);
  let inFlight = 0;
  const dropped = {};
  const running = new Set();
  const end = t0 + SECONDS * 1000;
  let lastProgress = t0;
  await Promise.all(
    Object.entries(RATES)
      .filter(([, r]) => r > 0)
      .map(async ([kind, rate], ki) => {
        // Each kind ticks every 1/rate s, offset so kinds do not start together.
        for (let n = 0; ; n++) {
          const due = t0 + ((n + ki / 8) * 1000) / rate;
          if (due >= end) return;
          if (due > Date.now()) await sleep(due - Date.now());
          if (inFlight >= CONCURRENCY) {
            dropped[kind] = (dropped[kind] ?? 0) + 1;
            continue;
          }
          inFlight++;
          const p = kinds[kind]()
            .catch((e) => {
              if (firstFailures.length < 20) firstFailures.push(`${kind} threw ${e?.stack ?? e}`);
              counts[kind] ??= {};
              counts[kind].threw = (counts[kind].threw ?? 0) + 1;
            })
            .finally(() => {
              inFlight--;
              running.delete(p);
            });
          running.add(p);
          if (Date.now() - lastProgress > 60_000) {
            lastProgress = Date.now();
            const total = Object.values(counts).reduce((a, c) => a + Object.values(c).reduce((x, y) => x + y, 0), 0);
            const r = rss.national.at(-1)?.rss;
            const rp = rss.provincial.at(-1)?.rss;
            log(
              `${fmt((Date.now() - t0) / 1000, 0)} s: ${total} responses, ${notAnswered} not answered, RSS national ${fmt(r / MiB, 0)} / provincial ${fmt(rp / MiB, 0)} MiB, ${lags.length} arrivals, ${pendingLag.size} in flight, load ${os
                .loadavg()
                .map((x) => x.toFixed(1))
                .join(' ')}`,
            );
          }
        }
      }),
  );
  await Promise.all([...running]);
  const loadEnd = Date.now();
  log(`load stopped after ${fmt((loadEnd - t0) / 1000)} s; waiting for the federation to drain`);

  // ---- drain: every approval at national, outbox published, national at the province's last sequence ----
  let drained = false;
  let backlog;
  for (; Date.now() - loadEnd < DRAIN_MAX * 1000; await sleep(1000)) {
    await pollLag();
    const [o] = await q(
      prov,
      `SELECT (SELECT count(*) FROM sync_outbox WHERE published_at IS NULL)::int AS unpublished,
              (SELECT last FROM sync_publish_counter)::bigint AS last`,
    );
    const [n] = await q(
      nat,
      `SELECT COALESCE((SELECT max_sequence FROM sync_progress WHERE province_code = '44'), 0)::bigint AS head`,
    );
    backlog = { unpublished: o.unpublished, published: Number(o.last), consumed: Number(n.head) };
    if (!pendingLag.size && o.unpublished === 0 && Number(n.head) >= Number(o.last)) {
      drained = true;
      break;
    }
  }
  const drainSeconds = (Date.now() - loadEnd) / 1000;
  timers.forEach(clearInterval);
  sampleRss();
  const health = {};
  for (const [k, url] of [
    ['national', natUrl],
    ['provincial', provUrl],
  ]) {
    const h = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    health[k] = await h.json();
  }
  const natStatus = await fetch(`${natUrl}/sync/status`, { headers: { authorization: `Bearer ${tokens.ministry}` } })
    .then((r) => r.json())
    .catch(() => ({}));
  const p44 = natStatus.provinces?.find((x) => x.province === '44') ?? {};
  const [deadLetters] = await q(nat, `SELECT count(*)::int AS n FROM sync_dead_letter`).catch(() => [{ n: '?' }]);
  const [{ n: atNational }] = await q(
    nat,
    `SELECT count(*)::int AS n FROM national_teacher WHERE province_code = '44'`,
  );
  const [{ n: reportedHere }] = await q(
    prov,
    `SELECT count(*)::int AS n FROM teacher WHERE reported_version IS NOT NULL`,
  );

  // ---- report ----
  const fivexx = Object.entries(counts)
    .filter(([k]) => k !== 'importJobs')
    .reduce((a, [, c]) => a + Object.entries(c).reduce((x, [s, n]) => x + (Number(s) >= 500 ? n : 0), 0), 0);
  const kindsOut = Object.entries(counts)
    .filter(([k]) => k !== 'importJobs')
    .map(([k, c]) => {
      const s = [...(times[k] ?? [])].sort((a, b) => a - b);
      return [
        k,
        Object.entries(c)
          .map(([st, n]) => `${st}: ${n}`)
          .join(', '),
        s.length
          ? `p50 ${fmt(percentile(s, 50), 0)} / p95 ${fmt(percentile(s, 95), 0)} / max ${fmt(s.at(-1), 0)} ms`
          : '',
      ];
    });
  const flat = (samples) => {
    const after = samples.filter((x) => x.t >= WARMUP);
    const k = Math.max(1, Math.floor(after.length / 10));
    const mean = (a) => a.reduce((x, y) => x + y.rss, 0) / a.length;
    const first = mean(after.slice(0, k));
    const last = mean(after.slice(-k));
    const vals = samples.map((x) => x.rss);
    return {
      first: samples[0]?.rss,
      min: Math.min(...vals),
      max: Math.max(...vals),
      last: samples.at(-1)?.rss,
      growth: last / first - 1,
      firstMean: first,
      lastMean: last,
      n: samples.length,
    };
  };
  const mem = { national: flat(rss.national), provincial: flat(rss.provincial) };
  const ls = [...lags].sort((a, b) => a - b);
  out.push(
    `soak ${new Date().toISOString()}: ${fmt((loadEnd - t0) / 1000, 0)} s of load, ${RECORDS} reported records, concurrency ≤ ${CONCURRENCY}`,
  );
  out.push(
    `rates/s: ${Object.entries(RATES)
      .map(([k, r]) => `${k} ${fmt(r, 2)}`)
      .join(', ')}; ticks dropped (no free slot): ${JSON.stringify(dropped)}`,
  );
  const loads = rss.national.map((x) => x.load).sort((a, b) => a - b);
  out.push(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model?.trim()}, ${fmt(os.totalmem() / 1024 ** 3)} GiB; 1-min load average during the run min ${fmt(loads[0])} / median ${fmt(percentile(loads, 50))} / max ${fmt(loads.at(-1))} (other sessions share the machine)`,
  );
  out.push('');
  out.push('| kind | responses by status | latency |');
  out.push('|---|---|---|');
  for (const [k, c, l] of kindsOut) out.push(`| ${k} | ${c} | ${l} |`);
  out.push(`| import jobs | ${JSON.stringify(counts.importJobs ?? {})} | ${IMPORT_ROWS} rows each |`);
  out.push('');
  out.push('');
  out.push(
    '| minute | responses | latency p50 / p95 ms | lag p50 / p95 ms | RSS national / provincial MiB | load (1 min) |',
  );
  out.push('|---|---|---|---|---|---|');
  for (const [i, m] of perMinute.entries()) {
    if (!m) continue;
    const a = [...m.ms].sort((x, y) => x - y);
    const l = [...m.lags].sort((x, y) => x - y);
    const at = (k) => rss[k].filter((x) => x.t >= i * 60 && x.t < (i + 1) * 60);
    const last = (k) => at(k).at(-1);
    out.push(
      `| ${i + 1} | ${m.n} | ${a.length ? `${fmt(percentile(a, 50), 0)} / ${fmt(percentile(a, 95), 0)}` : '—'} | ${fmt(percentile(l, 50), 0)} / ${fmt(percentile(l, 95), 0)} | ${fmt(last('national')?.rss / MiB, 0)} / ${fmt(last('provincial')?.rss / MiB, 0)} | ${fmt(last('national')?.load)} |`,
    );
  }
  out.push('');
  out.push(`5xx: ${fivexx}; not answered in ${TIMEOUT_MS / 1000} s: ${notAnswered}`);
  for (const k of ['national', 'provincial']) {
    const m = mem[k];
    out.push(
      `RSS ${k}: first ${fmt(m.first / MiB, 0)} / min ${fmt(m.min / MiB, 0)} / max ${fmt(m.max / MiB, 0)} / last ${fmt(m.last / MiB, 0)} MiB (${m.n} samples every ${RSS_EVERY} s); after ${WARMUP} s warm-up, last-10 % mean ${fmt(m.lastMean / MiB, 0)} vs first-10 % mean ${fmt(m.firstMean / MiB, 0)} MiB: ${m.growth >= 0 ? '+' : ''}${fmt(m.growth * 100)} %`,
    );
  }
  out.push(
    `sync lag (department approval answered → record at national): n ${ls.length}, p50 ${fmt(percentile(ls, 50), 0)} / p95 ${fmt(percentile(ls, 95), 0)} / max ${fmt(ls.at(-1), 0)} ms (200 ms polling); over ${LAG_LIMIT_MS / 1000} s: ${unboundedLag}; never arrived: ${pendingLag.size}`,
  );
  out.push(
    `backlog at the end (${drained ? `drained ${fmt(drainSeconds)} s after the load` : `NOT drained in ${DRAIN_MAX} s`}): outbox unpublished ${backlog?.unpublished}, published up to ${backlog?.published}, national consumed up to ${backlog?.consumed}; national gap ${p44.gap ?? '?'}, dead letters ${deadLetters.n}; province /health outbox ${JSON.stringify(health.provincial?.details?.sync_outbox ?? health.provincial?.details ?? {}).slice(0, 200)}`,
  );
  out.push(`records: ${reportedHere} reported in the province, ${atNational} at national`);
  if (firstFailures.length) out.push('', 'first failures:', ...firstFailures.map((f) => `  ${f}`));
  const memBad = Object.values(mem).some((m) => m.growth > RSS_MAX_GROWTH);
  if (fivexx || notAnswered || unboundedLag || pendingLag.size || !drained || memBad) exitCode = 1;
  out.push(
    '',
    `verdict: ${exitCode ? 'FAIL' : 'PASS'} (5xx ${fivexx}, not answered ${notAnswered}, late ${unboundedLag}, undrained ${!drained}, memory growth over ${RSS_MAX_GROWTH * 100} % ${memBad})`,
  );
} catch (e) {
  console.error(e);
  exitCode = 2;
} finally {
  timers.forEach(clearInterval);
  await stopNode(nodes.provincial);
  await stopNode(nodes.national);
  await prov.end();
  await nat.end();
  if (!env.KEEP_SOAK_DB)
    for (const d of [provDb, natDb]) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  await admin.end();
  if (broker)
    try {
      process.kill(broker.pid(), 'SIGKILL');
    } catch {
      /* gone */
    }
  await rm(bulkDir, { recursive: true, force: true });
}
console.log(out.join('\n'));
process.exit(exitCode);

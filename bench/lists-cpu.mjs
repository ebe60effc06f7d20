#!/usr/bin/env node
// CPU per teacher-list request, node + PostgreSQL, on a database the `teachers` suite generated and kept
// (KEEP_BENCH_DB=1). CPU time is what bounds the lists at c=8 on 2 cores, and unlike the latency it
// hardly depends on what else runs on the machine, so two builds can be compared on a shared machine:
//
//   node bench/lists-cpu.mjs <database> [<repository root of the build to serve>] [--prof <dir>]
//
// (DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432/postgres; LISTS_CPU_REQUESTS per
// list, 400; LISTS_CPU_WARM requests of every list before the first is measured, 100). Each list: its
// requests at c=8, CPU per request of the node process and of the database's client backends (from
// /proc, clock ticks of 10 ms) less what they spend idle in the same time (timers, pollers, measured
// first for 10 s), and the node's own p50/p95 (`Server-Timing`). `--prof <dir>` runs the
// node with bench/cpu-profile-hook.mjs and leaves the profile of the measured requests in <dir>.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { fmt, load, repoRoot, sleep, summarise } from './lib.mjs';

const args = process.argv.slice(2);
const profDir = args.includes('--prof') ? resolve(args.splice(args.indexOf('--prof'), 2)[1]) : null;
const [dbName, servedRoot = repoRoot] = args;
if (!dbName) throw new Error('usage: node bench/lists-cpu.mjs <database> [<root of the build>] [--prof <dir>]');
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
server.pathname = `/${dbName}`;
const databaseUrl = server.toString();
const REQUESTS = Number(process.env.LISTS_CPU_REQUESTS ?? 400);
const WARM = Number(process.env.LISTS_CPU_WARM ?? 100);
const PASSWORD = 'Bench#Pass2026'; // the teachers suite's bench.info account

const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const q = async (sql, p) => (await db.query(sql, p)).rows;

const port = 39800 + (process.pid % 90);
const metricsToken = randomBytes(24).toString('hex');
const child = spawn(
  process.execPath,
  [
    ...(profDir ? ['--import', join(repoRoot, 'bench', 'cpu-profile-hook.mjs')] : []),
    join(servedRoot, 'apps', 'provincial', 'dist', 'main.js'),
  ],
  {
    env: {
      ...process.env,
      ...(profDir ? { CPU_PROFILE_DIR: profDir } : {}),
      PROVINCE_CODE: '44',
      DATABASE_URL: databaseUrl,
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
  },
);
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (child.exitCode !== null) throw new Error(`the node exited (${child.exitCode})`);
  const text = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).then(
    (r) => (r.ok ? r.text() : ''),
    () => '',
  );
  const metric = (k) => Number(new RegExp(`^tmis_${k} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  // …and the change feed's sequencer caught up with the generated records (it numbers them in the background).
  const feedBehind = metric('change_feed_pending') > 1000;
  if (metric('stats_memory_rows') > 0 && metric('stats_cubes_ready') === 1 && !feedBehind) break;
  if (i > 9000) throw new Error('the node did not become steady');
  await sleep(200);
}
const login = await fetch(`${base}/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'bench.info', password: PASSWORD }),
}).then((r) => r.json());
const token = login.accessToken;
if (!token) throw new Error(`login failed: ${JSON.stringify(login)}`);

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function get(path) {
  return new Promise((ok, ko) => {
    const req = http.get(base + path, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () =>
        res.statusCode === 200
          ? ok(Number(/app;dur=([\d.]+)/.exec(String(res.headers['server-timing'] ?? ''))?.[1] ?? NaN))
          : ko(new Error(`GET ${path} → ${res.statusCode} ${res.headers['retry-after'] ?? ''}`)),
      );
    });
    req.on('error', ko);
  });
}
const cpuMsOf = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
};

// The suite's lists, on units picked deterministically (the same ones for every build).
const [province] = await q(`SELECT id FROM org_unit WHERE code = '440000'`);
const counties = await q(`SELECT id FROM org_unit WHERE kind = 'county' ORDER BY code`);
const schools = await q(`SELECT id FROM org_unit WHERE kind = 'school' ORDER BY md5(code) LIMIT 2000`);
const idNumbers = await q(`SELECT id_number AS "idNumber" FROM teacher ORDER BY md5(id::text) LIMIT 500`);
const ids = await q(`SELECT id FROM teacher ORDER BY md5(id::text) LIMIT 2000`);
const pick = (a, i) => a[(i * 7919) % a.length];
const lists = [
  ['school page', (i) => [pick(schools, i), {}]],
  ['county, subject English', (i) => [pick(counties, i), { subject: '03' }]],
  ['county, title senior', (i) => [pick(counties, i), { title: '012' }]],
  ['province, name prefix 王伟', () => [province, { name: '王伟' }]],
  ['province, staff category 12 + kindergarten', () => [province, { staffCategory: '12', schoolType: '11' }]],
  ['province, ID number', (i) => [province, { idNumber: idNumbers[i % idNumbers.length].idNumber }]],
  ['province, subject English', () => [province, { subject: '03' }]],
  ['county, status retired', (i) => [pick(counties, i), { personStatus: '05' }]],
  ['county, staff category 12', (i) => [pick(counties, i), { staffCategory: '12' }]],
  ['county, name prefix 李', (i) => [pick(counties, i), { name: '李' }]],
  ['county, custom value', (i) => [pick(counties, i), { custom: 'x_housing:1' }]],
  ['county, English + 013 + 11', (i) => [pick(counties, i), { subject: '03', title: '013', staffCategory: '11' }]],
  ['province, Maths + senior + 张', () => [province, { subject: '02', title: '012', name: '张' }]],
  ['province, senior + custom value', () => [province, { title: '012', custom: 'x_housing:1' }]],
];
const url = ([unit, f]) =>
  `/teachers?unitId=${unit.id}` +
  Object.entries(f)
    .map(([k, v]) => `&${k}=${encodeURIComponent(v)}`)
    .join('');
const controls = [['record read (control)', (i) => `/teachers/${ids[i % ids.length].id}`]];
const paths = [...lists.map(([label, spec]) => [label, (i) => url(spec(i))]), ...controls];

// Warm every route and plan (the node's JIT, the pool's connections) before measuring any.
for (const [, path] of paths) await load(WARM, 8, (i) => get(path(i + 5000)));

const backends = async () =>
  (
    await q(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    )
  ).map((r) => r.pid);
const load1 = () => os.loadavg()[0].toFixed(1);
console.log(`${dbName}, build ${servedRoot}, ${REQUESTS} requests per list at c=8, load ${load1()} at the start`);
console.log('| list | CPU node + PostgreSQL ms/request | node p50 / p95 ms | errors |');
console.log('|---|---|---|---|');
const idle = { node: 0, pg: 0 };
{
  // What the node and its backends spend with no request at all (timers, pollers), per second: taken
  // off each list's figure (its share of the list's duration).
  const pids = await backends();
  const before = { node: cpuMsOf(child.pid), pg: pids.map(cpuMsOf), t: performance.now() };
  await sleep(10_000);
  const s = (performance.now() - before.t) / 1000;
  const pgIdle = pids.reduce((a, pid, k) => a + Math.max(0, cpuMsOf(pid) - before.pg[k]), 0);
  idle.node = (cpuMsOf(child.pid) - before.node) / s;
  idle.pg = pgIdle / s;
  console.log(`| idle (no requests), CPU ms per second | ${fmt(idle.node, 1)} + ${fmt(idle.pg, 1)} | | |`);
}
if (profDir) child.kill('SIGUSR2');
const out = [];
for (const [label, path] of paths) {
  const pids = await backends();
  const before = { node: cpuMsOf(child.pid), pg: pids.map(cpuMsOf), t: performance.now() };
  const own = [];
  let firstError;
  const r = await load(REQUESTS, 8, async (i) =>
    own.push(
      await get(path(i)).catch((e) => {
        firstError ??= e.message;
        throw e;
      }),
    ),
  );
  if (firstError) console.log(`  (first error: ${firstError})`);
  const n = r.n + r.errors;
  const seconds = (performance.now() - before.t) / 1000;
  const node = (cpuMsOf(child.pid) - before.node - idle.node * seconds) / n;
  const pgms = (pids.reduce((a, pid, k) => a + Math.max(0, cpuMsOf(pid) - before.pg[k]), 0) - idle.pg * seconds) / n;
  const s = summarise(own.filter(Number.isFinite));
  out.push({ label, node, pg: pgms });
  console.log(`| ${label} | ${fmt(node, 2)} + ${fmt(pgms, 2)} | ${fmt(s.p50)} / ${fmt(s.p95)} | ${r.errors} |`);
}
const lists14 = out.slice(0, lists.length);
const mean = (k) => lists14.reduce((a, r) => a + r[k], 0) / lists14.length;
console.log(
  `mean of the ${lists.length} lists: node ${fmt(mean('node'), 2)} + PostgreSQL ${fmt(mean('pg'), 2)} ms; load ${load1()} at the end`,
);
if (profDir) {
  child.kill('SIGUSR2');
  await sleep(3000);
}
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
await db.end();
process.exit(0);

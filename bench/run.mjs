#!/usr/bin/env node
// `npm run bench [-- --only <suite>]`: every benchmark against a fresh database on real PostgreSQL
// (BENCH_DATABASE_URL or DATABASE_URL's server; else the embedded one), printing one table.
import 'reflect-metadata';
import os from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { runMigrations, startEmbeddedPostgres } from '@tmis/database';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const suites = [
  'org-accounts',
  'teachers',
  'review',
  'sync',
  'federation',
  'bulk',
  'stats',
  'transfers',
  'training',
  'registration',
  'platform',
  'feed',
  'console',
].filter((s) => !only || s === only);

let embedded;
let server = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!server) {
  embedded = await startEmbeddedPostgres({
    dataDir: join(root, '.data', 'bench-pg'),
    port: Number(process.env.BENCH_EMBEDDED_PORT ?? 54349),
    database: 'postgres',
  });
  server = embedded.url;
}
const url = (db) => {
  const u = new URL(server);
  u.pathname = `/${db}`;
  return u.toString();
};
// BENCH_REUSE_DB=<name>: run on a database an earlier run generated and kept (KEEP_BENCH_DB=1): its
// teachers are not generated again, pending migrations are applied, and it is kept afterwards.
// BENCH_DB_TAG=<name>: the fresh database is tmis_bench_<name>_<stamp> (who made it, on a shared server).
const reuse = process.env.BENCH_REUSE_DB;
const tag = process.env.BENCH_DB_TAG ? `${process.env.BENCH_DB_TAG.replace(/[^a-z0-9_]/gi, '')}_` : '';
const dbName = reuse ?? `tmis_bench_${tag}${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: url('postgres') });
await admin.connect();
if (!reuse) await admin.query(`CREATE DATABASE "${dbName}"`);
await runMigrations(url(dbName));
const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;

const cpu = os.cpus();
const header = [
  `TMIS benchmarks — ${new Date().toISOString()}`,
  `machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}`,
  `node ${process.version}; PostgreSQL ${pgVersion} (${embedded ? 'embedded' : `external, ${new URL(server).host}`}), database ${dbName}`,
];
console.log(header.join('\n'));

// The sync suite needs a broker: KAFKA_BROKERS, or the local one from deploy/kafka (Java + Maven).
let kafkaBrokers = process.env.KAFKA_BROKERS;
let kafkaStarted = false;
if ((suites.includes('sync') || suites.includes('federation')) && !kafkaBrokers) {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('bash', [join(root, 'deploy', 'kafka', 'start-kafka.sh')], {
    env: { ...process.env, KAFKA_PORT: process.env.BENCH_KAFKA_PORT ?? '19592' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  kafkaBrokers = /([0-9.]+:\d+)\s*$/.exec(r.stdout ?? '')?.[1];
  kafkaStarted = !!kafkaBrokers;
}
const ctx = {
  databaseUrl: url(dbName),
  state: {},
  kafkaBrokers,
  syncTopic: `tmis.sync.bench.${Date.now().toString(36)}`,
  serverUrl: url,
  dbName,
};
const rows = [];
for (const name of suites) {
  const mod = await import(`./suites/${name}.mjs`);
  const t0 = Date.now();
  console.log(`\n[bench] ${name} …`);
  const out = await mod.run(ctx);
  for (const r of out) {
    rows.push({ suite: name, ...r });
    console.log(`  ${r.metric}: ${r.value} ${r.unit ?? ''}`);
  }
  console.log(`[bench] ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
if (ctx.state.national) await ctx.state.national.close();
if (ctx.state.node) await ctx.state.node.close();

const w = (k) => Math.max(k.length, ...rows.map((r) => String(r[k] ?? '').length));
const cols = ['suite', 'metric', 'value', 'unit', 'note'];
const widths = Object.fromEntries(cols.map((c) => [c, Math.min(w(c), c === 'note' ? 60 : 80)]));
const line = (r) => '| ' + cols.map((c) => String(r[c] ?? '').padEnd(widths[c])).join(' | ') + ' |';
console.log('\n' + header.join('\n') + '\n');
console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
console.log('|' + cols.map((c) => '-'.repeat(widths[c] + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));

if (!process.env.KEEP_BENCH_DB && !reuse)
  for (const d of [dbName, `${dbName}_nat`, `${dbName}_stats`])
    await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
await admin.end();
if (embedded) await embedded.stop();
if (kafkaStarted)
  (await import('node:child_process')).spawnSync('bash', [join(root, 'deploy', 'kafka', 'stop-kafka.sh')], {
    env: { ...process.env, KAFKA_PORT: process.env.BENCH_KAFKA_PORT ?? '19592' },
    stdio: 'inherit',
  });
process.exit(0);

#!/usr/bin/env node
// Runs every test against real PostgreSQL: DATABASE_URL (or TEST_DATABASE_URL) when given, otherwise
// an embedded PostgreSQL under .data/test-pg. Creates two fresh databases (national, provincial),
// migrates them once, runs unit specs (libs/*/dist/**/*.spec.js) and medium/e2e tests
// (test/dist/**/*.test.js) with Node's test runner, then prints `N passed, N failed`.
import 'reflect-metadata';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { runMigrations, startEmbeddedPostgres } from '@tmis/database';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));

function walk(dir, suffix, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) walk(p, suffix, out);
    else if (p.endsWith(suffix)) out.push(p);
  }
  return out;
}

const files = [
  ...readdirSync(join(root, 'libs')).flatMap((lib) => walk(join(root, 'libs', lib, 'dist'), '.spec.js')),
  ...readdirSync(join(root, 'apps')).flatMap((app) => walk(join(root, 'apps', app, 'dist'), '.spec.js')),
  ...walk(join(root, 'test', 'dist'), '.test.js'),
].filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

let embedded;
let serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!serverUrl) {
  console.log('[test] no DATABASE_URL: starting the embedded PostgreSQL (.data/test-pg)');
  try {
    embedded = await startEmbeddedPostgres({
      dataDir: join(root, '.data', 'test-pg'),
      port: Number(process.env.TEST_EMBEDDED_PG_PORT ?? 54339),
      database: 'postgres',
      log: (m) => console.log(`[test] ${m}`),
    });
  } catch (e) {
    // One clear sentence (e.g. started as root where the postgres user cannot run), not a stack trace.
    if (e?.name === 'EmbeddedPostgresSetupError' || e?.name === 'ConfigError') {
      console.error(`[test] ${e.message}`);
      process.exit(78);
    }
    throw e;
  }
  serverUrl = embedded.url;
}

const stamp = `${Date.now().toString(36)}_${process.pid}`;
const dbUrl = (name) => {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
};
const names = { national: `tmis_test_${stamp}_n`, provincial: `tmis_test_${stamp}_p` };
const admin = new pg.Client({ connectionString: dbUrl('postgres') });
await admin.connect();
for (const n of Object.values(names)) await admin.query(`CREATE DATABASE "${n}"`);
for (const n of Object.values(names)) await runMigrations(dbUrl(n));
console.log(
  `[test] databases ${names.national}, ${names.provincial} on ${new URL(serverUrl).host} (${embedded ? 'embedded' : 'external'} PostgreSQL), migrated`,
);

// Kafka: KAFKA_BROKERS when given; otherwise start the local KRaft broker (deploy/kafka) when Java and
// Maven are here. Without either, the Kafka tests report loudly that they were skipped and why;
// REQUIRE_KAFKA=1 (CI) turns that into a failure.
let kafkaBrokers = process.env.KAFKA_BROKERS;
let kafkaStarted = false;
let kafkaSkipReason = '';
const kafkaPort = process.env.TEST_KAFKA_PORT ?? '19192';
if (!kafkaBrokers) {
  const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (have('java') && have('mvn')) {
    console.log('[test] starting a local Kafka broker (deploy/kafka/start-kafka.sh)');
    const r = spawnSync('bash', [join(root, 'deploy', 'kafka', 'start-kafka.sh')], {
      env: { ...process.env, KAFKA_PORT: kafkaPort },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const address = /([0-9.]+:\d+)\s*$/.exec(r.stdout ?? '')?.[1];
    if (r.status === 0 && address) {
      kafkaBrokers = address;
      kafkaStarted = true;
    } else kafkaSkipReason = 'the local Kafka broker did not start (see .kafka/broker-*.log)';
  } else kafkaSkipReason = 'no KAFKA_BROKERS and no Java + Maven to start a local broker';
}
if (!kafkaBrokers) {
  console.warn(`\n[test] !!! KAFKA TESTS WILL BE SKIPPED: ${kafkaSkipReason} !!!\n`);
  if (process.env.REQUIRE_KAFKA) {
    console.error('[test] REQUIRE_KAFKA is set: failing');
    process.exit(1);
  }
}

const env = {
  ...process.env,
  TMIS_TEST_DB_NATIONAL: dbUrl(names.national),
  TMIS_TEST_DB_PROVINCIAL: dbUrl(names.provincial),
  TMIS_TEST_KAFKA_BROKERS: kafkaBrokers ?? '',
  TMIS_TEST_KAFKA_SKIP_REASON: kafkaSkipReason,
  TMIS_TEST_KAFKA_MANAGED_PORT: kafkaStarted ? kafkaPort : '',
  // The local broker's SASL/SCRAM listener (deploy/kafka: KAFKA_PORT + 2, dev users); or an external one.
  TMIS_TEST_KAFKA_SASL_BROKERS:
    process.env.KAFKA_SASL_BROKERS ?? (kafkaStarted ? `127.0.0.1:${Number(kafkaPort) + 2}` : ''),
};
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// Files that stop and restart the shared test broker (TMIS_TEST_KAFKA_MANAGED_PORT) would break the Kafka
// tests of whichever file runs beside them: they run after the others, one at a time.
const disruptsBroker = (f) => /TMIS_TEST_KAFKA_MANAGED_PORT/.test(readFileSync(f, 'utf8'));
const phases = [
  { files: files.filter((f) => !disruptsBroker(f)), concurrency },
  { files: files.filter(disruptsBroker), concurrency: '1' },
].filter((p) => p.files.length);
let output = '';
let code = 0;
for (const phase of phases) {
  const phaseCode = await new Promise((resolveRun) => {
    const child = spawn(
      process.execPath,
      [
        '--test',
        '--test-force-exit',
        `--test-concurrency=${phase.concurrency}`,
        '--test-reporter=spec',
        ...phase.files,
      ],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', (d) => {
      output += d;
      process.stdout.write(d);
    });
    child.on('close', resolveRun);
  });
  if (phaseCode !== 0) code = phaseCode;
}

if (!process.env.KEEP_TEST_DB) {
  if (!process.env.TEST_KEEP_DB)
    for (const n of Object.values(names))
      await admin.query(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`).catch(() => undefined);
}
await admin.end();
if (embedded) await embedded.stop();
if (kafkaStarted)
  spawnSync('bash', [join(root, 'deploy', 'kafka', 'stop-kafka.sh')], {
    env: { ...process.env, KAFKA_PORT: kafkaPort },
    stdio: 'inherit',
  });

const num = (label) =>
  [...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
const passed = num('pass');
const failed = num('fail') + num('cancelled');
const skipped = num('skipped') + num('todo');
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (process.env.REQUIRE_KAFKA && /KAFKA TESTS SKIPPED/.test(output)) {
  console.error('[test] Kafka tests were skipped but REQUIRE_KAFKA is set');
  process.exit(1);
}
process.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);

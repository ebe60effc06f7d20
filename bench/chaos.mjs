#!/usr/bin/env node
// Chaos run of the federation (issue 20), re-runnable: a national and a provincial node (each its own
// process) on PostgreSQL over a real Kafka broker, N reported records, a full resync, a steady stream of
// status changes over HTTP, and `kill -9` of the national node, the provincial node and the broker in
// turn (each restarted after a pause); then it waits for the outbox to drain and reconciles. Prints the
// records, the faults injected, the time to drain, lost / duplicated / stale records and the gap shown.
//   npm run build && node bench/chaos.mjs
//   CHAOS_RECORDS=200000 CHAOS_RATE=50 CHAOS_SECONDS=120 node bench/chaos.mjs
// Everything listens on 127.0.0.1 only. See bench/README.md for the knobs and the last figures.
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { runMigrations, startEmbeddedPostgres } from '@tmis/database';
import { hashPassword } from '@tmis/accounts';
import { api, fmt, portOpen, sleep, spawnNode, startBroker as startKafka } from './lib.mjs';
import { generateTeachers } from './suites/teachers.mjs';

const root = resolve(import.meta.dirname, '..');
const env = process.env;
const RECORDS = Number(env.CHAOS_RECORDS ?? 20_000);
const RATE = Number(env.CHAOS_RATE ?? 20); // status changes per second
const SECONDS = Number(env.CHAOS_SECONDS ?? 60); // length of the stream
const CONCURRENCY = Number(env.CHAOS_CONCURRENCY ?? 4);
const DOWN = Number(env.CHAOS_DOWN_SECONDS ?? 6); // how long each killed process stays down
const KAFKA_PORT = env.CHAOS_KAFKA_PORT ?? '19692';
const NAT_PORT = Number(env.CHAOS_NATIONAL_PORT ?? 3450);
const PROV_PORT = Number(env.CHAOS_PROVINCE_PORT ?? 3451);
const DRAIN_MAX = Number(env.CHAOS_DRAIN_MAX_SECONDS ?? 900);
const PASSWORD = 'Chaos#Pass2026';
const log = (m) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${m}`);

// ---- PostgreSQL: the run's own embedded server (restarted under the nodes mid-run, so nobody else's
// databases are disturbed), on CHAOS_PG_PORT (54450); CHAOS_DATABASE_URL uses another server instead,
// and then the database is not restarted ----
let embedded;
let server = env.CHAOS_DATABASE_URL;
const PG_PORT = Number(env.CHAOS_PG_PORT ?? 54450);
const startPg = () =>
  startEmbeddedPostgres({ dataDir: join(root, '.data', `chaos-pg-${PG_PORT}`), port: PG_PORT, database: 'postgres' });
if (!server) {
  embedded = await startPg();
  server = embedded.url;
}
const urlOf = (db) => Object.assign(new URL(server), { pathname: `/${db}` }).toString();
const tag = Date.now().toString(36);
const provDb = `chaos_${tag}_province`;
const natDb = `chaos_${tag}_national`;
// A pool, not one client: the run's own connections ride out the database restart (a dropped
// connection is an 'error' event, replaced on the next query).
const admin = new pg.Pool({ connectionString: urlOf('postgres'), max: 1 });
admin.on('error', () => undefined);
for (const d of [provDb, natDb]) await admin.query(`CREATE DATABASE "${d}"`);
await runMigrations(urlOf(provDb));
await runMigrations(urlOf(natDb));
const prov = new pg.Pool({ connectionString: urlOf(provDb), max: 4 });
const nat = new pg.Pool({ connectionString: urlOf(natDb), max: 4 });
// The bench's own connections ride out what it does to the nodes (a pool error is not fatal; a query is retried).
for (const pool of [prov, nat]) pool.on('error', () => undefined);
async function q(pool, sql, params) {
  for (let i = 0; ; i++)
    try {
      return (await pool.query(sql, params)).rows;
    } catch (e) {
      if (i >= 10 || !/terminat|ECONNRE|Connection|starting up|shutting down/i.test(String(e?.message))) throw e;
      await sleep(1000);
    }
}

// ---- the broker (deploy/kafka), killable by its pid ----
const kafkaHome = join(root, '.kafka');
const startBroker = () => startKafka(KAFKA_PORT, kafkaHome).brokers;
const brokerPid = () => Number(readFileSync(join(kafkaHome, `broker-${KAFKA_PORT}.pid`), 'utf8'));
// A broker this script left on the port (from its pid file) is reused, not started twice.
const brokers = env.KAFKA_BROKERS ?? ((await portOpen(KAFKA_PORT)) ? `127.0.0.1:${KAFKA_PORT}` : startBroker());
const ownBroker = !env.KAFKA_BROKERS;
const topic = `tmis.sync.chaos.${tag}`;

// ---- the two nodes, each its own process ----
const jwt = randomBytes(32).toString('hex');
const metricsToken = randomBytes(24).toString('hex'); // unlocks /health details (METRICS_TOKEN)
const nodes = {
  national: {
    port: NAT_PORT,
    env: { DATABASE_URL: urlOf(natDb) },
  },
  provincial: {
    port: PROV_PORT,
    env: { DATABASE_URL: urlOf(provDb), PROVINCE_CODE: '44', SYNC_RELAY_INTERVAL_MS: '100' },
  },
};
async function startNode(kind, attempt = 1) {
  const n = nodes[kind];
  // A node that cannot reach its database at boot exits; like systemd's Restart=on-failure
  // (deploy/systemd), it is started again, up to five times.
  const up = await spawnNode(kind, n.port, {
    ...n.env,
    JWT_SECRET: jwt,
    METRICS_TOKEN: metricsToken,
    LOG_LEVEL: 'error',
    KAFKA_BROKERS: brokers,
    SYNC_TOPIC: topic,
    FEDERATION_PROVINCES: '44',
  }).catch(async (e) => {
    if (attempt >= 5 || !/exited/.test(String(e?.message))) throw e;
    log(`${kind} node did not start (${e.message}); starting it again`);
    await sleep(2000);
    return null;
  });
  if (!up) return startNode(kind, attempt + 1);
  n.child = up.child;
  return up.url;
}
async function kill9(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  await sleep(300);
}
const faults = [];
let pgRecovery = null;
async function fault(what, kill, restart, how = 'kill -9') {
  const t0 = Date.now();
  log(`${how} ${what}`);
  await kill();
  await sleep(DOWN * 1000);
  await restart();
  faults.push({ what: `${how} ${what}`, downSeconds: (Date.now() - t0) / 1000 });
  log(`${what} back after ${fmt((Date.now() - t0) / 1000)} s`);
}

const rows = [];
let exitCode = 0;
try {
  const provUrl = await startNode('provincial'); // seeds the province's reference tree
  const natUrl = await startNode('national');
  log(`nodes up: national ${natUrl}, provincial ${provUrl}, broker ${brokers}, topic ${topic}`);

  // ---- N reported records (the bench generator: valid ID numbers, 30,000 schools), set-based ----
  const ctx = { state: { db: { query: (sql, params) => q(prov, sql, params) } } };
  const g0 = Date.now();
  await generateTeachers(ctx, RECORDS, { reported: true });
  await q(
    prov,
    `UPDATE teacher SET review_state = 'reported', reported_version = version WHERE reported_version IS NULL`,
  );
  await q(prov, 'VACUUM ANALYZE teacher');
  const [{ n: reported }] = await q(prov, `SELECT count(*)::int AS n FROM teacher WHERE reported_version IS NOT NULL`);
  log(`${reported} reported records generated in ${fmt((Date.now() - g0) / 1000)} s`);

  const hash = await hashPassword(PASSWORD);
  const [p44] = await q(prov, `SELECT id FROM org_unit WHERE code = '440000'`);
  await q(
    prov,
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
     VALUES ($1, 'info_admin', 'chaos.province', '混沌', '440106199001010011', $2, false)`,
    [p44.id, hash],
  );
  const [ministry] = await q(nat, `SELECT id FROM org_unit WHERE code = '000000'`);
  await q(
    nat,
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password)
     VALUES ($1, 'info_admin', 'chaos.ministry', '混沌', '110101199001010014', $2, false)`,
    [ministry.id, hash],
  );
  const login = async (url, username) =>
    (await api(url, 'POST', '/auth/login', null, { username, password: PASSWORD })).accessToken;
  let pt = await login(provUrl, 'chaos.province');
  const nt = await login(natUrl, 'chaos.ministry');

  // ---- the full resync, the stream of status changes, and the faults in turn ----
  const t0 = Date.now();
  await api(provUrl, 'POST', '/sync/resync', pt);
  log('resync started');
  const targets = await q(
    prov,
    `SELECT id::text, version FROM teacher WHERE reported_version IS NOT NULL AND person_status = '01' ORDER BY random() LIMIT $1`,
    [RATE * SECONDS],
  );
  const stream = { ok: 0, refused: 0, failed: 0 };
  let provinceUp = true;
  const streamDone = (async () => {
    let i = 0;
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const k = i++;
        if (k >= targets.length || Date.now() - t0 > SECONDS * 1000) return;
        const due = t0 + (k * 1000) / RATE;
        if (Date.now() < due) await sleep(due - Date.now());
        if (!provinceUp) {
          stream.failed++;
          continue;
        }
        const t = targets[k];
        const r = await fetch(`${provUrl}/teachers/${t.id}/status`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${pt}` },
          body: JSON.stringify({
            version: t.version,
            personStatus: '03',
            effectiveDate: '2026-11-30',
            reason: 'chaos',
          }),
          signal: AbortSignal.timeout(10000),
        }).catch((e) => {
          if (provinceUp && stream.failed < 3) log(`status change not answered: ${e?.cause?.code ?? e?.name ?? e}`);
          return null;
        });
        if (!r) stream.failed++;
        else if (r.ok) stream.ok++;
        else {
          stream.refused++;
          if (stream.refused <= 3) log(`status change refused: ${r.status} ${(await r.text()).slice(0, 200)}`);
        }
      }
    });
    await Promise.all(workers);
  })();
  const at = (s) => sleep(Math.max(0, t0 + s * 1000 - Date.now()));
  // The provincial node first, a few seconds in, while the resync is still queueing; then the national
  // node; then the broker.
  await at(Number(env.CHAOS_PROVINCE_KILL_AT ?? 4));
  const resyncAtKill = await api(provUrl, 'GET', '/sync/resync', pt).catch(() => null);
  await fault(
    `provincial node (resync ${resyncAtKill?.state ?? '?'}, ${resyncAtKill?.teachersQueued ?? '?'} records queued)`,
    async () => {
      provinceUp = false;
      await kill9(nodes.provincial.child.pid);
    },
    async () => {
      await startNode('provincial');
      pt = await login(provUrl, 'chaos.province');
      provinceUp = true;
    },
  );
  await at(SECONDS * 0.4);
  await fault(
    'national node',
    () => kill9(nodes.national.child.pid),
    () => startNode('national'),
  );
  // PostgreSQL (both nodes' databases) stopped and started again under the running nodes: their pools
  // reconnect, the relay, the resync and the consumers carry on by themselves.
  await at(SECONDS * 0.55);
  if (embedded)
    await fault(
      'PostgreSQL restarted under both nodes',
      async () => {
        await embedded.stop();
      },
      async () => {
        embedded = await startPg();
      },
      'stop',
    );
  if (embedded) {
    // Both nodes must come back by themselves: same processes, answering an authenticated call that reads the database.
    const r0 = Date.now();
    const pids = [nodes.national.child.pid, nodes.provincial.child.pid];
    let back = null;
    while (Date.now() - r0 < 60000) {
      const [a, b] = await Promise.all([
        fetch(`${natUrl}/sync/status`, { headers: { authorization: `Bearer ${nt}` } }).then(
          (r) => r.status,
          () => 0,
        ),
        fetch(`${provUrl}/sync/resync`, { headers: { authorization: `Bearer ${pt}` } }).then(
          (r) => r.status,
          () => 0,
        ),
      ]);
      if (a === 200 && b === 200) {
        back = (Date.now() - r0) / 1000;
        break;
      }
      await sleep(250);
    }
    const alive = [nodes.national.child, nodes.provincial.child].every(
      (c) => c.exitCode === null && c.signalCode === null,
    );
    pgRecovery = {
      back,
      alive,
      samePids: pids.join() === [nodes.national.child.pid, nodes.provincial.child.pid].join(),
    };
    log(
      `after the PostgreSQL restart: nodes ${alive ? 'running' : 'DEAD'}, answering again ${back === null ? 'never (60 s)' : `${fmt(back)} s after it was back`}`,
    );
  }
  await at(SECONDS * 0.7);
  if (ownBroker)
    await fault(
      'Kafka broker',
      () => kill9(brokerPid()),
      async () => {
        startBroker();
      },
    );
  await streamDone;
  const streamEnd = Date.now();
  log(`stream done: ${stream.ok} changes answered 200, ${stream.refused} refused, ${stream.failed} not answered`);

  // ---- wait for drain: resync done, outbox published, national at the province's last publish sequence ----
  let drained = false;
  let status = null;
  for (let lastLog = 0; Date.now() - streamEnd < DRAIN_MAX * 1000; await sleep(1000)) {
    const [o] = await q(
      prov,
      `SELECT (SELECT count(*) FROM sync_outbox WHERE published_at IS NULL)::int AS unpublished,
              (SELECT last FROM sync_publish_counter)::bigint AS last,
              (SELECT state FROM sync_resync ORDER BY id DESC LIMIT 1) AS resync`,
    );
    const [n] = await q(
      nat,
      `SELECT COALESCE((SELECT max_sequence FROM sync_progress WHERE province_code = '44'), 0)::bigint AS head,
              (SELECT count(*) FROM sync_received WHERE province_code = '44')::bigint AS received`,
    );
    if (Date.now() - lastLog > 10000) {
      lastLog = Date.now();
      log(
        `draining: resync ${o.resync}, ${o.unpublished} unpublished, national at ${n.head} of ${o.last} (${n.received} received)`,
      );
    }
    // The head alone is not enough: partitions are applied concurrently, so the highest sequence can
    // arrive while lower ones of another partition are still on their way; every one must be received.
    if (
      o.resync === 'done' &&
      o.unpublished === 0 &&
      Number(n.head) >= Number(o.last) &&
      Number(n.received) >= Number(o.last)
    ) {
      drained = true;
      break;
    }
  }
  const drainSeconds = (Date.now() - streamEnd) / 1000;
  status = await api(natUrl, 'GET', '/sync/status', nt);
  const p = status.provinces.find((x) => x.province === '44') ?? {};
  const health = await api(provUrl, 'GET', '/health', metricsToken);

  // ---- compare: what the province reported vs what national holds ----
  const theirs = new Map(
    (await q(prov, `SELECT id::text, reported_version AS v FROM teacher WHERE reported_version IS NOT NULL`)).map(
      (r) => [r.id, r.v],
    ),
  );
  const ours = await q(
    nat,
    `SELECT teacher_id::text AS id, reported_version AS v FROM national_teacher WHERE province_code = '44' AND NOT removed`,
  );
  const seen = new Map();
  for (const r of ours) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const oursV = new Map(ours.map((r) => [r.id, r.v]));
  const lost = [...theirs.keys()].filter((id) => !oursV.has(id)).length;
  const stale = [...theirs.entries()].filter(([id, v]) => oursV.has(id) && oursV.get(id) !== v).length;
  const duplicated = [...seen.values()].filter((c) => c > 1).length + ours.filter((r) => !theirs.has(r.id)).length;
  const [{ n: changed }] = await q(prov, `SELECT count(*)::int AS n FROM teacher WHERE person_status = '03'`);
  const [{ n: changedAtNat }] = await q(
    nat,
    `SELECT count(*)::int AS n FROM national_teacher WHERE province_code = '44' AND person_status = '03'`,
  );
  const resyncs = await q(prov, `SELECT state, teachers_queued AS n FROM sync_resync ORDER BY id`);
  // What national refused (a refused message counts in the gap): reasons, most frequent first.
  const deadLetters = await q(
    nat,
    `SELECT left(reason, 120) AS reason, count(*)::int AS n FROM sync_dead_letter GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
  );
  const tool = await promisify(execFile)(process.execPath, [join(root, 'tools', 'reconcile.mjs')], {
    env: {
      ...env,
      PROVINCE_URL: provUrl,
      PROVINCE_USER: 'chaos.province',
      PROVINCE_PASSWORD: PASSWORD,
      NATIONAL_URL: natUrl,
      NATIONAL_USER: 'chaos.ministry',
      NATIONAL_PASSWORD: PASSWORD,
    },
  }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e) => ({ code: e.code, out: e.stdout }),
  );

  rows.push(
    ['records reported', reported, `${RECORDS} requested; full resync of all of them`],
    [
      'resync',
      resyncs.map((r) => r.state).join(', '),
      `${resyncs.length} started, ${resyncs.at(-1)?.n ?? 0} records queued by it (it resumed by itself after the kill)`,
    ],
    [
      'status changes',
      stream.ok,
      `answered 200 (${RATE}/s for ${SECONDS} s, ${CONCURRENCY} at a time); ${stream.refused} refused, ${stream.failed} not answered (node down)`,
    ],
    [
      'nodes after the PostgreSQL restart',
      pgRecovery ? (pgRecovery.alive && pgRecovery.back !== null ? 'recovered' : 'NOT RECOVERED') : 'not restarted',
      pgRecovery
        ? `same processes ${pgRecovery.alive ? 'running' : 'gone'}; both answered an authenticated database read ${pgRecovery.back === null ? 'never (60 s)' : `${fmt(pgRecovery.back)} s after PostgreSQL was back`}`
        : 'CHAOS_DATABASE_URL given: another server, not restarted',
    ],
    ['faults injected', faults.length, faults.map((f) => `${f.what}, down ${fmt(f.downSeconds)} s`).join('; ')],
    [
      'time to drain',
      drained ? `${fmt(drainSeconds)} s` : `not drained in ${DRAIN_MAX} s`,
      'from the end of the stream',
    ],
    ['lost', lost, 'reported in the province, missing at national'],
    ['duplicated', duplicated, 'at national twice, or not reported by the province'],
    ['stale', stale, 'at national with another reported version'],
    ['status changes at national', changedAtNat, `province has ${changed}`],
    [
      'gap shown (national /sync/status)',
      p.gap ?? '?',
      `head ${p.maxSequence ?? '?'}, ${p.duplicates ?? '?'} redeliveries ignored`,
    ],
    [
      'province /health outbox',
      health.details?.sync_outbox?.unpublished ?? '?',
      `unpublished; lastError ${health.details?.sync_outbox?.lastError ?? 'null'}`,
    ],
    [
      'dead letters at national',
      deadLetters.reduce((s, d) => s + d.n, 0),
      deadLetters.map((d) => `${d.n}× ${d.reason}`).join('; ') || 'none',
    ],
    ['tools/reconcile.mjs', tool.code === 0 ? 'EQUAL' : `exit ${tool.code}`, tool.out.trim().split('\n')[0] ?? ''],
  );
  if (!drained || lost || stale || duplicated || tool.code !== 0 || Number(p.gap) !== 0) exitCode = 1;
  if (pgRecovery && (!pgRecovery.alive || pgRecovery.back === null)) exitCode = 1;
} catch (e) {
  console.error(e);
  exitCode = 2;
} finally {
  for (const n of Object.values(nodes))
    if (n.child && n.child.exitCode === null) {
      n.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => n.child.once('exit', r)), sleep(10000)]);
      if (n.child.exitCode === null) n.child.kill('SIGKILL');
    }
  await prov.end();
  await nat.end();
  if (!env.KEEP_CHAOS_DB)
    for (const d of [provDb, natDb]) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  await admin.end();
  if (ownBroker) await kill9(brokerPid());
  if (embedded) await embedded.stop?.();
}

const w = [Math.max(4, ...rows.map((r) => r[0].length)), Math.max(5, ...rows.map((r) => String(r[1]).length))];
console.log(`\nchaos run ${new Date().toISOString()}: ${RECORDS} records, ${RATE} changes/s for ${SECONDS} s\n`);
console.log(`| ${'what'.padEnd(w[0])} | ${'value'.padEnd(w[1])} | note |`);
console.log(`|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|------|`);
for (const r of rows) console.log(`| ${r[0].padEnd(w[0])} | ${String(r[1]).padEnd(w[1])} | ${r[2]} |`);
process.exit(exitCode);

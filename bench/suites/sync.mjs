// Federation: full resync throughput of a province (records/s end to end over Kafka, and as a ratio
// to a raw COPY of the same rows into the same national table, in the same run), and replication lag
// under a steady stream of changes.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@tmis/database';
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { api, fmt, machineCpu, machineCpuBetween, spawnNode, stopNode, summarise } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';
import { hashPassword } from '@tmis/accounts';

export const name = 'sync';
const N = Number(process.env.BENCH_SYNC_TEACHERS ?? process.env.BENCH_TEACHERS ?? 1_500_000);
const RATE = Number(process.env.BENCH_SYNC_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SYNC_SECONDS ?? 30);
// BENCH_SYNC_ONLY=lag: the resync only to fill the national node, then the lag (no raw COPY comparison).
const ONLY_LAG = process.env.BENCH_SYNC_ONLY === 'lag';

export async function run(ctx) {
  if (!ctx.kafkaBrokers)
    return [
      { metric: 'sync', value: 'skipped', unit: '', note: 'no KAFKA_BROKERS and no local broker (Java + Maven)' },
    ];
  const rows = [];
  await ensureNode(ctx);
  // Every generated record counts as reported; then the table is vacuumed, as a province's would be.
  await generateTeachers(ctx, N, { reported: true });
  await ctx.state.db.query(
    `UPDATE teacher SET review_state = 'reported', reported_version = version WHERE reported_version IS NULL`,
  );
  // From here the provincial node runs in a process of its own, as in production: the bench's writes and
  // polls (this process) must not share an event loop with its relay. The in-process fixture node is
  // closed (a later suite starts it again); this process talks to the database over a pool of its own.
  await ctx.state.node.close();
  ctx.state.node = null;
  const pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 10 });
  const db = { query: async (sql, params) => (await pool.query(sql, params)).rows };
  ctx.state.db = null;
  await db.query('VACUUM ANALYZE teacher');
  const [{ n: reported }] = await db.query(`SELECT count(*)::int AS n FROM teacher WHERE reported_version IS NOT NULL`);

  const natName = `${ctx.dbName}_nat`;
  const admin = new pg.Client({ connectionString: ctx.serverUrl('postgres') });
  await admin.connect();
  // A reused database (BENCH_REUSE_DB) starts its federation afresh: a new national database, an empty outbox.
  await admin.query(`DROP DATABASE IF EXISTS "${natName}" WITH (FORCE)`);
  await db.query(`TRUNCATE sync_outbox, sync_resync`);
  await db.query(`UPDATE sync_publish_counter SET last = 0`);
  await admin.query(`CREATE DATABASE "${natName}"`);
  await runMigrations(ctx.serverUrl(natName));
  // The national node runs in its own process, as in production (the province's relay and the national
  // consumer must not share one event loop); the bench process holds the provincial node.
  const child = spawn(
    process.execPath,
    // BENCH_SYNC_NATIONAL_NODE_ARGS: extra node flags for the national process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/x`).
    [
      ...(process.env.BENCH_SYNC_NATIONAL_NODE_ARGS ?? '').split(' ').filter(Boolean),
      join(import.meta.dirname, '..', '..', 'apps', 'national', 'dist', 'main.js'),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: ctx.serverUrl(natName),
        JWT_SECRET: randomBytes(32).toString('hex'),
        PORT: String(39000 + (process.pid % 1000)),
        HOST: '127.0.0.1',
        DB_MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'warn',
        KAFKA_BROKERS: ctx.kafkaBrokers,
        SYNC_TOPIC: ctx.syncTopic,
        FEDERATION_PROVINCES: '44',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  ctx.state.national = {
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
  const nat = new pg.Client({ connectionString: ctx.serverUrl(natName) });
  await nat.connect();
  const node = await spawnNode('provincial', 38000 + (process.pid % 1000), {
    PROVINCE_CODE: '44',
    DATABASE_URL: ctx.databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: '16',
    KAFKA_BROKERS: ctx.kafkaBrokers,
    SYNC_TOPIC: ctx.syncTopic,
    SYNC_RELAY_INTERVAL_MS: process.env.BENCH_SYNC_RELAY_INTERVAL_MS ?? '100',
    FEDERATION_PROVINCES: '44',
  });

  // Resync end to end: outbox insert, relay → Kafka → national ingest, until every record is there.
  const [province] = await db.query(`SELECT id FROM org_unit WHERE code = '440000'`);
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.sync', '基准', '440106199001010011', $2, false) ON CONFLICT (username) DO NOTHING`,
    [province.id, await hashPassword('Bench#Pass2026')],
  );
  const token = (
    await api(node.url, 'POST', '/auth/login', null, { username: 'bench.sync', password: 'Bench#Pass2026' })
  ).accessToken;
  // CPU seconds spent during the resync by each party.
  const pids = [node.pid, child.pid];
  const [{ pid: adminPid }] = (await admin.query('SELECT pg_backend_pid() AS pid')).rows;
  const machine = () =>
    machineCpu({
      named: { 'province node': node.pid, 'national node': child.pid, 'bench process': process.pid },
      pgBackendPid: adminPid,
      pgDatabases: { [ctx.dbName]: 'province PostgreSQL backends', [natName]: 'national PostgreSQL backends' },
    });
  const cpuBefore = await cpuOf(admin, [ctx.dbName, natName], pids);
  const t0 = performance.now();
  await api(node.url, 'POST', '/sync/resync', token);
  const deadline = Date.now() + Number(process.env.BENCH_SYNC_MAX_SECONDS ?? 3600) * 1000;
  let have = 0;
  let queuedAt = 0;
  let status = null;
  let lastPrint = 0;
  // The records' phase alone (from the first record at national: the units, a fixed ~30,000, are before it).
  let recordsFrom = null;
  while (Date.now() < deadline) {
    if (!queuedAt) {
      // A poll that fails (a kept-alive socket closed under a loaded machine) is tried again next second.
      status = (await api(node.url, 'GET', '/sync/resync', token).catch(() => null)) ?? status;
      if (status?.state === 'done') queuedAt = performance.now();
      if (status?.state === 'failed') throw new Error(`resync failed: ${status.error}`);
    }
    have = Number((await nat.query(`SELECT count(*)::int AS n FROM national_teacher`)).rows[0].n);
    if (!recordsFrom && have > 0)
      recordsFrom = {
        have,
        at: performance.now(),
        cpu: await cpuOf(admin, [ctx.dbName, natName], pids),
        machine: machine(),
      };
    if (Date.now() - lastPrint > 10000) {
      lastPrint = Date.now();
      const [{ p }] = await db.query(
        `SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS p FROM sync_outbox`,
      );
      console.error(
        `[bench sync] ${Math.round((performance.now() - t0) / 1000)} s: ${status?.teachersQueued ?? '?'} queued, ${p} published, ${have} at national`,
      );
    }
    if (have >= reported) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const queued = status?.teachersQueued ?? 0;
  const resyncSeconds = (performance.now() - t0) / 1000;
  const cpuAfter = await cpuOf(admin, [ctx.dbName, natName], pids);
  const machineAfter = machine();
  const cpuUsed = (k) => cpuBetween(cpuBefore, cpuAfter, k);
  const perRecord = (k) => fmt((cpuUsed(k) / Math.max(1, have)) * 1e6, 0);
  rows.push({
    metric: `full resync of ${reported} records over Kafka`,
    value: `${fmt(resyncSeconds)} s`,
    unit: '',
    note: `${fmt(have / resyncSeconds, 0)} records/s end to end; ${have} arrived; outbox filled in ${fmt((queuedAt - t0) / 1000)} s (${queued} records, ${status?.unitsQueued ?? 0} units, alongside the relay)`,
  });
  if (recordsFrom && have > recordsFrom.have) {
    const n = have - recordsFrom.have;
    const used = (k) => cpuBetween(recordsFrom.cpu, cpuAfter, k);
    const us = (k) => fmt((used(k) / n) * 1e6, 0);
    const total = ['province', 'provinceDb', 'national', 'nationalDb'].reduce((a, k) => a + used(k), 0);
    rows.push({
      metric: 'CPU per record in the records phase',
      value: `${us('province')} + ${us('provinceDb')} + ${us('national')} + ${us('nationalDb')} µs`,
      unit: '',
      note: `${n} records from the first at national to the last, ${fmt(n / ((performance.now() - recordsFrom.at) / 1000), 0)} records/s; province node, its backends, national node, its backends; ${fmt((total / n) * 1e6, 0)} µs in all (the broker not counted)`,
    });
    // The whole machine in the same phase: every process's share, the broker and idle included.
    const m = machineCpuBetween(recordsFrom.machine, machineAfter);
    rows.push({
      metric: 'the machine in the records phase, µs per record',
      value: `${fmt(((m.busy + m.groups.find(([g]) => g === 'idle')[1]) / n) * 1e6, 0)} µs`,
      unit: '',
      note: `${fmt(m.wall)} s × the cores; ${m.groups.map(([g, s]) => `${g} ${fmt((s / n) * 1e6, 0)}`).join(', ')}; not charged to a running process ${fmt(((m.busy - m.groups.filter(([g]) => g !== 'idle').reduce((a, [, s]) => a + s, 0)) / n) * 1e6, 0)}; of the machine's time, kernel (system) ${fmt((m.kernel.system / n) * 1e6, 0)}, interrupts ${fmt((m.kernel.irq / n) * 1e6, 0)}, waiting for I/O (in idle) ${fmt((m.kernel.iowait / n) * 1e6, 0)}, stolen by the host ${fmt((m.kernel.steal / n) * 1e6, 0)}`,
    });
  }
  rows.push({
    metric: 'CPU during the resync, per record',
    value: `${perRecord('province')} + ${perRecord('provinceDb')} + ${perRecord('national')} + ${perRecord('nationalDb')} µs`,
    unit: '',
    note: `province node (fill + relay) ${fmt(cpuUsed('province'))} s, its PostgreSQL backends ${fmt(cpuUsed('provinceDb'))} s; national node ${fmt(cpuUsed('national'))} s, its backends ${fmt(cpuUsed('nationalDb'))} s (the broker not counted)`,
  });

  // Raw COPY of the same rows into the same national table (a scratch copy with the same indexes).
  if (!ONLY_LAG) await rawCopy(nat, have, resyncSeconds, rows);

  rows.push(...(await lagUnderLoad(db, nat, () => cpuOf(admin, [ctx.dbName, natName], pids))));
  await stopNode(node);
  await pool.end();
  await nat.end();
  await admin.end();
  return rows;
}

async function rawCopy(nat, have, resyncSeconds, rows) {
  const file = `/tmp/tmis-bench-copy-${process.pid}.bin`;
  await nat.query(`CREATE TABLE national_teacher_copy (LIKE national_teacher INCLUDING ALL)`);
  await nat.query(`COPY (SELECT * FROM national_teacher) TO '${file}' (FORMAT binary)`);
  const c0 = performance.now();
  await nat.query(`COPY national_teacher_copy FROM '${file}' (FORMAT binary)`);
  const copySeconds = (performance.now() - c0) / 1000;
  await nat.query(`DROP TABLE national_teacher_copy`);
  // The server wrote the file (2 GB at 1.5 M); removed when this process may (same machine), else left.
  await rm(file, { force: true }).catch(() => undefined);
  const copyRate = have / copySeconds;
  rows.push({
    metric: 'raw COPY of the same rows into the same table',
    value: `${fmt(copySeconds)} s`,
    unit: '',
    note: `${fmt(copyRate, 0)} records/s; resync / COPY = ${fmt(have / resyncSeconds / copyRate, 3)} (resync runs at ${fmt((have / resyncSeconds / copyRate) * 100, 1)} % of COPY; the goal is at least a third)`,
  });
}

/**
 * Replication lag under a steady stream of changes, written by this process straight into the
 * province's database (the node's relay, in its own process, sees only committed outbox rows), as
 * outbox write → national commit, and split at the relay's claim (`published_at`).
 */
async function lagUnderLoad(db, nat, cpuNow) {
  const ids = (
    await db.query(
      `SELECT id, version FROM teacher WHERE reported_version IS NOT NULL AND active ORDER BY random() LIMIT $1`,
      [RATE * SECONDS],
    )
  ).map((r) => ({ id: r.id, version: r.version }));
  const [{ s: startSeq }] = await db.query(`SELECT COALESCE(max(sequence), 0)::bigint AS s FROM sync_outbox`);
  // Status changes, 20 a transaction, each change and its outbox event in one statement (as the node's
  // write and its outbox row share a transaction), offered on a schedule whatever the database's pace:
  // up to 8 transactions in flight (a node has many clients), so a slow commit delays its own changes,
  // not the ones after it; the schedule waits only when all 8 are still open.
  const inFlight = new Set();
  let full = 0;
  const cpu0 = await cpuNow();
  const l0 = Date.now();
  let i = 0;
  while (i < ids.length && Date.now() - l0 < (SECONDS + 30) * 1000) {
    const due = l0 + (i * 1000) / RATE;
    if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
    if (inFlight.size >= 8) {
      full++;
      await Promise.race(inFlight);
      continue;
    }
    const batch = ids.slice(i, i + 20).map((b) => b.id);
    const write = db
      .query(
        `WITH t AS (
           UPDATE teacher SET person_status = '02', record = jsonb_set(record, '{basic,personStatus}', '"02"'), version = version + 1,
                  reported_version = version + 1
            WHERE id = ANY($1::uuid[])
           RETURNING id, unit_id, id_type, id_number, name, person_status, reported_version, record, custom, catalogue_version)
         INSERT INTO sync_outbox (type, key, payload)
         SELECT 'teacher.upserted', t.id::text, jsonb_build_object('teacherId', t.id, 'unitCode', u.code, 'idType', t.id_type, 'idNumber', t.id_number, 'name', t.name,
                'personStatus', t.person_status, 'reportedVersion', t.reported_version, 'record', t.record, 'custom', t.custom, 'catalogueVersion', t.catalogue_version)
           FROM t JOIN org_unit u ON u.id = t.unit_id`,
        [batch],
      )
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
    i += batch.length;
  }
  await Promise.all(inFlight);
  const sent = i;
  const writeSeconds = fmt((Date.now() - l0) / 1000);
  const [{ e: endSeq }] = await db.query(`SELECT max(sequence)::bigint AS e FROM sync_outbox`);
  const until = Date.now() + 120000;
  // National sees publish sequences (handed out by the relay); map them back to the outbox rows written.
  let received = [];
  let created = new Map();
  while (Date.now() < until) {
    created = new Map(
      (
        await db.query(
          `SELECT publish_sequence::text AS sequence, created_at, published_at FROM sync_outbox
            WHERE sequence > $1 AND sequence <= $2 AND publish_sequence IS NOT NULL`,
          [startSeq, endSeq],
        )
      ).map((r) => [r.sequence, { created: new Date(r.created_at).getTime(), published: r.published_at }]),
    );
    received = (
      await nat.query(
        `SELECT sequence::text, received_at FROM sync_received WHERE province_code = '44' AND sequence = ANY($1::bigint[])`,
        [[...created.keys()]],
      )
    ).rows;
    if (received.length >= Number(endSeq) - Number(startSeq)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const cpu1 = await cpuNow();
  const [{ claims }] = await db.query(
    `SELECT count(DISTINCT published_at)::int AS claims FROM sync_outbox WHERE sequence > $1 AND sequence <= $2`,
    [startSeq, endSeq],
  );
  const parts = received
    .map((r) => ({ at: new Date(r.received_at).getTime(), ...created.get(r.sequence) }))
    .filter((x) => Number.isFinite(x.created) && x.published);
  const lag = summarise(parts.map((x) => x.at - x.created));
  const relay = summarise(parts.map((x) => new Date(x.published).getTime() - x.created));
  const onward = summarise(parts.map((x) => x.at - new Date(x.published).getTime()));
  const us = (k) => fmt((cpuBetween(cpu0, cpu1, k) / Math.max(1, received.length)) * 1e6, 0);
  const lagRow = {
    metric: `replication lag at ${RATE} changes/s for ${SECONDS} s`,
    value: `p50 ${fmt(lag.p50, 0)} / p95 ${fmt(lag.p95, 0)} / p99 ${fmt(lag.p99, 0)} ms`,
    unit: '',
    note: `${sent} changes written in ${writeSeconds} s (all 8 writers busy ${full} times); ${received.length} received; outbox write → national commit; of it write → relay's claim p50 ${fmt(relay.p50, 0)} / p95 ${fmt(relay.p95, 0)} ms, claim → national commit p50 ${fmt(onward.p50, 0)} / p95 ${fmt(onward.p95, 0)} ms; ${claims} claims`,
  };
  return [
    lagRow,
    {
      metric: 'CPU per change in the lag phase',
      value: `${us('province')} + ${us('provinceDb')} + ${us('national')} + ${us('nationalDb')} µs`,
      unit: '',
      note: "province node (relay), its PostgreSQL backends (the bench's writes included), national node, its backends; from the first write to the last change at national",
    },
  ];
}

/** Cumulative CPU seconds (user + system) of a process from /proc (0 when unreadable). */
async function procCpu(pid) {
  try {
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(stat[11]) + Number(stat[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU so far of this process (the province), the national node, and the server backends of each
 * database. Backends come and go (a pool closes idle connections): each database's figure is kept per
 * backend, and `cpuUsed` counts a backend from its first reading (or from 0 if it started since).
 */
async function cpuOf(admin, [provinceDb, nationalDb], [provincePid, nationalPid]) {
  const backends = (
    await admin.query(`SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1::text[])`, [
      [provinceDb, nationalDb],
    ])
  ).rows;
  const per = async (db) => {
    const m = new Map();
    for (const b of backends.filter((x) => x.datname === db)) m.set(b.pid, await procCpu(b.pid));
    return m;
  };
  return {
    province: await procCpu(provincePid),
    provinceDb: await per(provinceDb),
    national: await procCpu(nationalPid),
    nationalDb: await per(nationalDb),
  };
}

/** CPU seconds of one party between two `cpuOf` readings (backends that exited in between are not counted). */
function cpuBetween(before, after, k) {
  if (!(after[k] instanceof Map)) return after[k] - before[k];
  let s = 0;
  for (const [pid, v] of after[k]) s += v - (before[k].get(pid) ?? 0);
  return s;
}

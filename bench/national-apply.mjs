// The national apply alone (issue 19's resync): replays a province's resync chunks, as the relay
// publishes them, through the national node's ingest (`applyBatch`, in this process, three lanes as
// the three partitions the national consumer takes concurrently), into a copy of a national database
// emptied of its records. Prints records/s and CPU per record (this process, the database's backends).
//
//   BENCH_PROVINCE_URL=postgres://…/tmis_bench_x  BENCH_NATIONAL_URL=postgres://…/tmis_bench_x_nat \
//   node bench/national-apply.mjs
//
// Both databases are what `KEEP_BENCH_DB=1 node bench/run.mjs --only sync` leaves: the province's
// outbox still holds the resync's `teacher.snapshot` rows, and the national database its tree (the
// copy keeps the units, so that every record's school is known). BENCH_APPLY_BATCH: messages per
// `applyBatch` (20, ~3,000 records: what one fetch of 8 MB per partition brings during a resync).
import pg from 'pg';
import { readFile } from 'node:fs/promises';
import { startNationalNode } from '@tmis/national';
import { SyncIngestService } from '@tmis/sync-ingest';

const provinceUrl = process.env.BENCH_PROVINCE_URL;
const nationalUrl = process.env.BENCH_NATIONAL_URL;
if (!provinceUrl || !nationalUrl) throw new Error('BENCH_PROVINCE_URL and BENCH_NATIONAL_URL are required');
const BATCH = Number(process.env.BENCH_APPLY_BATCH ?? 20);
const LANES = Number(process.env.BENCH_APPLY_LANES ?? 3);

const source = new URL(nationalUrl);
const copyName = `${source.pathname.slice(1)}_replay`;
const copyUrl = Object.assign(new URL(nationalUrl), { pathname: `/${copyName}` }).toString();
const admin = new pg.Client({
  connectionString: Object.assign(new URL(nationalUrl), { pathname: '/postgres' }).toString(),
});
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${copyName}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${copyName}" TEMPLATE "${source.pathname.slice(1)}"`);
const nat = new pg.Client({ connectionString: copyUrl });
await nat.connect();
await nat.query(`TRUNCATE national_teacher, national_teacher_facet, change_log, change_pending, sync_received,
                          national_duplicate_notice, sync_dead_letter`);
await nat.query(`UPDATE change_feed_counter SET last = 0, pruned_through = 0`);
await nat.query(`UPDATE sync_progress SET max_sequence = 0, applied = 0, duplicates = 0`);
await nat.query(`VACUUM ANALYZE`);

// The chunks as the relay sends them (the envelope around the stored payload text).
const prov = new pg.Client({ connectionString: provinceUrl });
await prov.connect();
const [{ code }] = (await prov.query(`SELECT substr(code, 1, 2) AS code FROM org_unit WHERE level = 2 LIMIT 1`)).rows;
const rows = (
  await prov.query(
    `SELECT publish_sequence::text AS seq, event_id AS "eventId", key, type, created_at AS "createdAt", payload::text AS payload
       FROM sync_outbox WHERE type = 'teacher.snapshot' ORDER BY sequence`,
  )
).rows;
await prov.end();
const messages = rows.map((r) => {
  const head = {
    schemaVersion: 4,
    eventId: r.eventId,
    provinceCode: code,
    sequence: Number(r.seq),
    type: r.type,
    key: r.key,
    occurredAt: new Date(r.createdAt).toISOString(),
  };
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"payload":${r.payload}}`);
});
rows.length = 0;
const records = messages.reduce((n, m) => n + (m.toString().match(/"teacherId"/g)?.length ?? 0), 0);

const node = await startNationalNode({
  ...process.env,
  DATABASE_URL: copyUrl,
  JWT_SECRET: 'x'.repeat(64),
  PORT: '0',
  HOST: '127.0.0.1',
  DB_MIGRATE_ON_START: 'false',
  LOG_LEVEL: 'warn',
  KAFKA_BROKERS: '',
  FEDERATION_PROVINCES: code,
});
const ingest = node.app.get(SyncIngestService);

const procCpu = async (pid) => {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const backendsCpu = async () => {
  const pids = (await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [copyName])).rows;
  let s = 0;
  for (const { pid } of pids) s += await procCpu(pid).catch(() => 0);
  return s;
};
const db0 = await backendsCpu();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const outcomes = new Map();
await Promise.all(
  Array.from({ length: LANES }, async (_, lane) => {
    const mine = messages.filter((_, i) => i % LANES === lane);
    for (let i = 0; i < mine.length; i += BATCH) {
      for (const o of await ingest.applyBatch(mine.slice(i, i + BATCH))) outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
    }
  }),
);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const dbCpu = (await backendsCpu()) - db0;
const [{ n, logged }] = (
  await nat.query(
    `SELECT (SELECT count(*) FROM national_teacher)::int AS n, (SELECT count(*) FROM change_log)::int AS logged`,
  )
).rows;
const us = (s) => ((s / n) * 1e6).toFixed(0);
console.log(
  `${messages.length} chunks (${records} records) in ${seconds.toFixed(1)} s: ${(n / seconds).toFixed(0)} records/s; ` +
    `${n} records at national, ${logged} feed entries; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
    `CPU per record: node ${us((cpu.user + cpu.system) / 1e6)} µs, its backends ${us(dbCpu)} µs`,
);
await node.close();
await nat.end();
if (!process.env.BENCH_KEEP_REPLAY) await admin.query(`DROP DATABASE IF EXISTS "${copyName}" WITH (FORCE)`);
await admin.end();

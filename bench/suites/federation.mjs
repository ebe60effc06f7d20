// Federation messenger (ADR 0013): messages national → province and province → national over the
// local Kafka broker, end to end (outbox in the sender's transaction → relay → @nestjs/microservices
// consumer → inbox + handler in one transaction), in batches and one at a time.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { runMigrations, TransactionHost } from '@tmis/database';
import { FederationHandlers, FederationMessenger } from '@tmis/federation';
import { startNationalNode } from '@tmis/national';
import { startProvincialNode } from '@tmis/provincial';
import { fmt, summarise } from '../lib.mjs';

export const name = 'federation';
const N = Number(process.env.BENCH_FEDERATION_MESSAGES ?? 5000);
const SINGLE = Number(process.env.BENCH_FEDERATION_SINGLE ?? 50);

export async function run(ctx) {
  if (!ctx.kafkaBrokers)
    return [{ metric: 'federation', value: 'skipped', unit: '', note: 'no KAFKA_BROKERS and no local broker' }];
  const admin = new pg.Client({ connectionString: ctx.serverUrl('postgres') });
  await admin.connect();
  const dbs = [`${ctx.dbName}_fed_n`, `${ctx.dbName}_fed_p`];
  for (const d of dbs) {
    await admin.query(`CREATE DATABASE "${d}"`);
    await runMigrations(ctx.serverUrl(d));
  }
  const prefix = `tmis.bench.fed.${Date.now().toString(36)}`;
  const common = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    DB_MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'error',
    KAFKA_BROKERS: ctx.kafkaBrokers,
    SYNC_TOPIC: prefix,
    FEDERATION_RELAY_INTERVAL_MS: '50',
  };
  const national = await startNationalNode({
    ...common,
    DATABASE_URL: ctx.serverUrl(dbs[0]),
    FEDERATION_PROVINCES: '44',
  });
  const province = await startProvincialNode({ ...common, DATABASE_URL: ctx.serverUrl(dbs[1]), PROVINCE_CODE: '44' });
  const received = { national: new Map(), province: new Map() };
  national.app
    .get(FederationHandlers)
    .register('bench.ping', async (m) => void received.national.set(m.payload.i, Date.now()));
  province.app
    .get(FederationHandlers)
    .register('bench.ping', async (m) => void received.province.set(m.payload.i, Date.now()));

  const rows = [];
  const direction = async (label, from, to, seen) => {
    const tx = from.app.get(TransactionHost);
    const messenger = from.app.get(FederationMessenger);
    // Batches: 100 messages per business transaction.
    const t0 = Date.now();
    for (let i = 0; i < N; i += 100)
      await tx.withTransaction(async () => {
        for (let j = i; j < Math.min(N, i + 100); j++)
          await messenger.send(to, 'bench.ping', { i: j, pad: 'x'.repeat(200) }, `k${j % 16}`);
      });
    const enqueued = Date.now() - t0;
    while (seen.size < N) await new Promise((r) => setTimeout(r, 20));
    const total = Date.now() - t0;
    rows.push({
      metric: `${label}: ${fmt(N, 0)} messages, enqueue (100 per transaction)`,
      value: fmt(N / (enqueued / 1000), 0),
      unit: 'msg/s',
    });
    rows.push({
      metric: `${label}: ${fmt(N, 0)} messages end to end (handled, inbox)`,
      value: fmt(N / (total / 1000), 0),
      unit: 'msg/s',
      note: `${(total / 1000).toFixed(1)} s`,
    });
    // One at a time: latency from commit to handled.
    const lat = [];
    for (let k = 0; k < SINGLE; k++) {
      const i = N + k;
      const s = Date.now();
      await tx.withTransaction(() => messenger.send(to, 'bench.ping', { i }, 'single'));
      while (!seen.has(i)) await new Promise((r) => setTimeout(r, 2));
      lat.push(seen.get(i) - s);
    }
    const q = summarise(lat);
    rows.push({
      metric: `${label}: one message, commit → handled (p50 / p95)`,
      value: `${q.p50} / ${q.p95}`,
      unit: 'ms',
      note: `${SINGLE} sequential; relay every 50 ms`,
    });
  };
  await direction('down (national → 44)', national, '44', received.province);
  await direction('up (44 → national)', province, 'national', received.national);
  const inbox = await province.app.get(DataSource).query(`SELECT count(*)::int AS n FROM federation_inbox`);
  rows.push({ metric: 'inbox rows at 44 (exactly once)', value: inbox[0].n, unit: '', note: `expected ${N + SINGLE}` });
  await province.close();
  await national.close();
  for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  await admin.end();
  return rows;
}

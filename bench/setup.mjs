// Shared bench fixtures: one provincial node (Guangdong, 44) in-process, 30,000 schools.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { startProvincialNode } from '@tmis/provincial';

export async function ensureNode(ctx) {
  if (ctx.state.node) return ctx.state.node;
  const node = await startProvincialNode({
    PROVINCE_CODE: '44',
    DATABASE_URL: ctx.databaseUrl,
    JWT_SECRET: randomBytes(32).toString('hex'),
    PORT: '0',
    HOST: '127.0.0.1',
    DB_MIGRATE_ON_START: 'false',
    LOG_LEVEL: 'error',
    DB_POOL_SIZE: '16',
    // The suites' webhook receivers are local servers.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ...(ctx.kafkaBrokers
      ? {
          KAFKA_BROKERS: ctx.kafkaBrokers,
          SYNC_TOPIC: ctx.syncTopic,
          SYNC_RELAY_INTERVAL_MS: '100',
          // The national node consumes (and creates) only the bench province's topics.
          FEDERATION_PROVINCES: '44',
        }
      : {}),
  });
  ctx.state.node = node;
  ctx.state.db = node.app.get(DataSource);
  return node;
}

/** 30,000 schools over Guangdong's counties, set-based; returns seconds taken (0 when already there). */
export async function ensureSchools(ctx, count = 30000) {
  const db = ctx.state.db;
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM org_unit WHERE kind = 'school'`);
  if (n >= count) return 0;
  const t0 = performance.now();
  await db.query(
    `
    WITH c AS (SELECT id, path, row_number() OVER (ORDER BY code) AS rn, count(*) OVER () AS n FROM org_unit WHERE kind = 'county'),
    g AS (SELECT g, (ARRAY['11','11','11','21','21','21','21','31','31','34','36','51'])[1 + g % 12] AS t FROM generate_series(1, $1::int) g)
    INSERT INTO org_unit (kind, level, code, name, parent_id, path, status, school_type, urban_rural, sponsor)
    SELECT 'school', 5, g.t || '44' || lpad(g.g::text, 6, '0'), '学校' || g.g, c.id, c.path || g.t || '44' || lpad(g.g::text, 6, '0') || '/', 'active', g.t,
           (ARRAY['111','112','121','122','210','220'])[1 + g.g % 6], CASE WHEN g.g % 7 = 0 THEN '2' ELSE '1' END
      FROM g JOIN c ON c.rn = 1 + g.g % c.n`,
    [count],
  );
  await db.query('ANALYZE org_unit');
  return (performance.now() - t0) / 1000;
}

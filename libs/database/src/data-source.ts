import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { migrations } from './migrations/index.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type EntityList = MixedList<Function | string | EntitySchema>;

export function dataSourceOptions(
  url: string,
  entities: EntityList = [],
  extra: Partial<DataSourceOptions> = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // JIT off for the node's sessions: a request's statement reads a page, and compiling it (which the
    // planner starts above a cost a subtree's estimate easily passes) costs more than it saves; the
    // statistics refresh turns it back on for its own transaction. No parallel workers either: a page
    // query planned in parallel (a subtree's estimate passes the threshold) starts a worker process per
    // request ("province, Maths + senior + 张" at 1.5 M, embedded PostgreSQL 18, c=8: 135 ms a call so).
    // A caller's `extra` (the nodes give their pool size, acquire timeout and application name) is merged
    // into these, never replaces them: it did, and the nodes' sessions planned in parallel after all.
    ...extra,
    extra: {
      max: Number(process.env.DB_POOL_SIZE ?? 10),
      application_name: 'tmis',
      options: '-c jit=off -c max_parallel_workers_per_gather=0',
      ...(extra as { extra?: Record<string, unknown> }).extra,
    },
  } as DataSourceOptions;
}

/** Applies every pending migration; returns the names applied. */
export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

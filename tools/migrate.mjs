#!/usr/bin/env node
// Applies the pending database migrations to DATABASE_URL (run after `npm run build`).
//   node tools/migrate.mjs           apply; prints each migration applied, or "up to date"
//   node tools/migrate.mjs --check   apply nothing; list pending migrations, exit 1 if any
// Exit codes: 0 done / up to date, 1 failure or (with --check) migrations pending, 2 usage.
// --check only creates the (empty) `schema_migrations` table when the database has none yet.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@tmis/database';

const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--check', '--help', '-h'].includes(a));
if (args.includes('--help') || args.includes('-h') || unknown.length) {
  const usage = 'Usage / 用法: DATABASE_URL=postgres://user:password@host:5432/db node tools/migrate.mjs [--check]';
  if (unknown.length) {
    console.error(`Unknown argument / 未知参数: ${unknown.join(' ')}\n${usage}`);
    process.exit(2);
  }
  console.log(usage);
  process.exit(0);
}

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    'DATABASE_URL is not set / 未设置 DATABASE_URL\n  e.g. / 例如: DATABASE_URL=postgres://tmis:secret@db-host:5432/tmis node tools/migrate.mjs',
  );
  process.exit(2);
}
if (!/^postgres(ql)?:\/\//.test(url)) {
  console.error(
    'DATABASE_URL must start with postgres:// or postgresql:// / DATABASE_URL 必须以 postgres:// 或 postgresql:// 开头',
  );
  process.exit(2);
}

/** pg reports an unreachable server as an AggregateError with an empty message. */
function describe(e) {
  if (!(e instanceof Error)) return String(e);
  if (e.message) return e.message;
  if (Array.isArray(e.errors) && e.errors.length) return e.errors.map(describe).join('; ');
  return e.code ?? e.name;
}

try {
  if (args.includes('--check')) {
    const lines = [];
    const logger = {
      logQuery() {},
      logQueryError() {},
      logQuerySlow() {},
      logMigration() {},
      log() {},
      logSchemaBuild(message) {
        lines.push(message);
      },
    };
    const ds = new DataSource(
      dataSourceOptions(url, [], { logger, extra: { max: 1, application_name: 'tmis-migrate' } }),
    );
    await ds.initialize();
    let pending;
    try {
      pending = await ds.showMigrations();
    } finally {
      await ds.destroy();
    }
    const names = lines.filter((l) => l.startsWith('[ ] ')).map((l) => l.slice(4));
    if (pending) {
      console.log(`${names.length} migration(s) pending / 有 ${names.length} 个待执行的迁移:`);
      for (const n of names) console.log(`  ${n}`);
      process.exit(1);
    }
    console.log('up to date / 已是最新');
    process.exit(0);
  }
  const applied = await runMigrations(url);
  if (applied.length) {
    console.log(`applied ${applied.length} migration(s) / 已执行 ${applied.length} 个迁移:`);
    for (const n of applied) console.log(`  ${n}`);
  } else {
    console.log('up to date / 已是最新');
  }
} catch (e) {
  console.error(`migration failed / 迁移失败: ${describe(e)}`);
  process.exit(1);
}

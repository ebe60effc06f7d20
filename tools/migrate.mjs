#!/usr/bin/env node
// Applies pending migrations to DATABASE_URL (`--check`: exit 1 when any is pending, change nothing).
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from '@tmis/database';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set / 未设置 DATABASE_URL (e.g. postgres://tmis:secret@db-host:5432/tmis)');
  process.exit(2);
}
try {
  if (process.argv.includes('--check')) {
    const ds = new DataSource(dataSourceOptions(url));
    await ds.initialize();
    const pending = await ds.showMigrations();
    await ds.destroy();
    console.log(pending ? 'migrations pending / 有待执行的迁移' : 'up to date / 已是最新');
    process.exit(pending ? 1 : 0);
  }
  const applied = await runMigrations(url);
  console.log(applied.length ? `applied / 已执行: ${applied.join(', ')}` : 'up to date / 已是最新');
} catch (e) {
  console.error(`migration failed / 迁移失败: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

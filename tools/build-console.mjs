#!/usr/bin/env node
// Part of `npm run build`: type-checks and bundles the web console (apps/console, Vite) into
// apps/console/dist, which every node serves under /console. Skipped when nothing it is built from
// changed since the last build (a hash of the sources, the API client and the lock file).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const app = join(root, 'apps/console');
const stamp = join(app, 'dist/.build-hash');

const files = (dir) =>
  readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : [p];
    });
const inputs = [
  ...files(join(app, 'src')),
  join(app, 'index.html'),
  join(app, 'vite.config.ts'),
  join(app, 'tsconfig.json'),
  ...files(join(root, 'libs/api-client/src')),
  join(root, 'package-lock.json'),
];
const hash = createHash('sha256');
for (const f of inputs) hash.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
const digest = hash.digest('hex');
if (!process.argv.includes('--force') && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  console.log('console: up to date (apps/console/dist)');
  process.exit(0);
}

const started = Date.now();
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.json')],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const { build } = await import('vite');
await build({ root: app, configFile: join(app, 'vite.config.ts'), logLevel: 'warn' });
writeFileSync(stamp, digest);
console.log(`console: built apps/console/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
// The chunks and what each costs over the wire (the nodes send them gzipped): the first load is
// index.html's entry and what it imports; each area is its own chunk, loaded on its first visit.
const assets = join(app, 'dist/assets');
const html = readFileSync(join(app, 'dist/index.html'), 'utf8');
const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
const rows = readdirSync(assets)
  .filter((f) => f.endsWith('.js'))
  .map((f) => {
    const body = readFileSync(join(assets, f));
    return { f, raw: body.length, gz: gzipSync(body).length, first: html.includes(f) };
  })
  .sort((a, b) => Number(b.first) - Number(a.first) || b.gz - a.gz);
const first = rows.filter((r) => r.first);
console.log(
  `console: first load ${kB(first.reduce((s, r) => s + r.gz, 0))} gzipped (${kB(first.reduce((s, r) => s + r.raw, 0))}) in ${first.length} file(s); ${rows.length - first.length} lazy chunks:`,
);
for (const r of rows)
  console.log(`  ${r.first ? '*' : ' '} ${r.f.padEnd(40)} ${kB(r.raw).padStart(10)} ${kB(r.gz).padStart(10)} gz`);

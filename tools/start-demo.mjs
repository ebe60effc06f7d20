#!/usr/bin/env node
// `npm start`: a national node and one provincial node (Beijing, 11; or DEMO_PROVINCES=11,44) with demo data, each its own
// process on its own embedded PostgreSQL under .data/ (kept across restarts). Nothing needs to be
// installed besides Node.js.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const env = { ...process.env };
// The demo is the embedded default: a DATABASE_URL meant for something else is not used here.
delete env.DATABASE_URL;
delete env.JWT_SECRET;
// One province (DEMO_PROVINCE, default 11) or several (DEMO_PROVINCES=11,44: a cross-province transfer
// end to end), each on its own port (PROVINCIAL_PORT, then the next ones) and PostgreSQL.
const provinces = (env.DEMO_PROVINCES ?? env.DEMO_PROVINCE ?? '11').split(',').map((p) => p.trim());
if (!provinces.every((p) => /^\d{2}$/.test(p))) throw new Error('DEMO_PROVINCES: two-digit province codes, e.g. 11,44');
// Without a broker each province pushes its outbox and federation messages to the national node over
// HTTP with a node token, and pulls what national sends it.
const tokens = Object.fromEntries(provinces.map((p) => [p, `demo-node-token-${p}-${randomBytes(16).toString('hex')}`]));
const provincialPort = Number(env.PROVINCIAL_PORT ?? '3001');
const provincialPg = Number(env.PROVINCIAL_PG_PORT ?? '54321');
const nodes = [
  {
    name: 'national',
    app: 'apps/national/dist/main.js',
    port: env.NATIONAL_PORT ?? '3000',
    dataDir: '.data/national',
    pgPort: env.NATIONAL_PG_PORT ?? '54320',
    extra: {
      SYNC_NODE_TOKENS: provinces.map((p) => `${p}:${tokens[p]}`).join(','),
      // Cross-province transfers waiting for the sending province expire after a day in the demo.
      CROSS_TRANSFER_TIMEOUT_SECONDS: env.CROSS_TRANSFER_TIMEOUT_SECONDS ?? '86400',
    },
  },
  ...provinces.map((province, i) => ({
    name: `provincial-${province}`,
    app: 'apps/provincial/dist/main.js',
    port: String(provincialPort + i),
    dataDir: `.data/provincial-${province}`,
    pgPort: String(provincialPg + i),
    extra: {
      PROVINCE_CODE: province,
      NATIONAL_URL: `http://127.0.0.1:${env.NATIONAL_PORT ?? '3000'}`,
      SYNC_NODE_TOKEN: tokens[province],
    },
  })),
];

console.log(
  `Starting TMIS demo (the first start initialises ${provinces.length + 1} embedded PostgreSQL clusters; allow a minute)…`,
);
const children = nodes.map((n) => {
  const loginsFile = join(root, n.dataDir, 'demo-logins.json');
  rmSync(loginsFile, { force: true });
  const child = spawn(process.execPath, [n.app], {
    cwd: root,
    env: {
      ...env,
      ...n.extra,
      DEMO_DATA: 'true',
      STATS_REFRESH_SECONDS: env.STATS_REFRESH_SECONDS ?? '60',
      PORT: n.port,
      HOST: env.HOST ?? '127.0.0.1',
      DATA_DIR: n.dataDir,
      EMBEDDED_PG_PORT: n.pgPort,
      LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (d) =>
    d
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((l) => `[${n.name}] ${l}`)
      .join('\n') + '\n';
  child.stdout.on('data', (d) => process.stdout.write(prefix(d)));
  child.stderr.on('data', (d) => process.stderr.write(prefix(d)));
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`[${n.name}] exited with code ${code}`);
      stop(code ?? 1);
    }
  });
  return { ...n, child, loginsFile };
});

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 8000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.child.exitCode !== null ? r() : c.child.on('exit', r))))).then(
    () => process.exit(code),
  );
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const deadline = Date.now() + 300_000;
for (const c of children) {
  while (!existsSync(c.loginsFile)) {
    if (stopping) break;
    if (Date.now() > deadline) {
      console.error(`[${c.name}] did not start within 5 minutes`);
      stop(1);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
if (!stopping) {
  const [nat, ...provs] = children.map((c) => JSON.parse(readFileSync(c.loginsFile, 'utf8')));
  const table = (logins) => logins.map((l) => `    ${l.username.padEnd(22)} ${l.role.padEnd(11)} ${l.unit}`).join('\n');
  console.log(`
TMIS demo is running.

  National node    ${nat.url}   API docs: ${nat.url}/docs   (OpenAPI JSON: /docs-json)
${provs.map((prov, i) => `  Provincial node  ${prov.url}   API docs: ${prov.url}/docs   (province ${provinces[i]})`).join('\n')}

${provs.map((prov, i) => `  Web console      ${prov.url}/console/   (province ${provinces[i]}: schools, teachers, reviewers, statistics)`).join('\n')}
  Web console      ${nat.url}/console/   (national: ministry statistics, sync, accounts)

  Password of every demo account: Tmis@2026demo
  In /docs: POST /auth/login, then "Authorize" with the accessToken.

  National node:
${table(nat.logins)}
${provs.map((prov, i) => `\n  Provincial node ${provinces[i]}:\n${table(prov.logins)}`).join('\n')}

Data lives in .data/ (delete it to start afresh). Ctrl+C stops every node.${provinces.length > 1 ? '\nA cross-province transfer, call by call: README, "Transfers and exchange rotation".' : ''}
`);
}

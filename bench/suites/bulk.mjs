// Bulk import: a 100,000-row xlsx (written with the streaming writer) for schools of one province,
// imported through the HTTP API as a dry run (read + validate) and then committed (the dry run's
// staged persons written in one transaction); rows/s of each phase. The node runs in its own process
// (apps/provincial), so its RSS is the node's alone: before, peak of 100 ms samples, after.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, openAsBlob, readFileSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { hashPassword } from '@tmis/accounts';
import { ALL_SETS, layoutMeta, sheetLayouts, writeWorkbook } from '@tmis/bulk';
import { makeIdNumber } from '@tmis/core-indicators';
import { api, fmt, summarise } from '../lib.mjs';
import { ensureNode, ensureSchools } from '../setup.mjs';

export const name = 'bulk';
const ROWS = Number(process.env.BENCH_BULK_ROWS ?? 100_000);
const PASSWORD = 'Bench#Pass2026';
const MiB = 1024 * 1024;

/** One basic-sheet row per person: valid GB 11643 numbers (unique), birth date and sex agreeing with them. */
function* people(n, schools) {
  for (let i = 0; i < n; i++) {
    const day = i % 12000;
    const birth = new Date(Date.UTC(1966, 0, 1) + day * 86400000);
    const ymd = birth.toISOString().slice(0, 10);
    const seq = 1 + Math.floor(i / 12000) * 2 + (i % 2);
    const idNumber = makeIdNumber('440106', ymd.replaceAll('-', ''), seq);
    const year = birth.getUTCFullYear();
    yield {
      unitCode: schools[i % schools.length],
      idType: '1',
      idNumber,
      name: ['王', '李', '张', '刘', '陈'][i % 5] + ['伟', '芳', '娜', '敏', '静', '强'][i % 6],
      sex: seq % 2 === 1 ? '1 男' : '2 女',
      nationality: 'CHN',
      ethnicity: '01',
      birthDate: ymd,
      politicalStatus: '13 群众',
      workStartMonth: `${year + 22}-09`,
      schoolEntryMonth: `${year + 23}-09`,
      staffCategory: '11',
      onEstablishment: '是',
      personStatus: '01',
      staffNumber: `B${i}`,
    };
  }
}

/** VmRSS and VmHWM (peak) of a process, in bytes (Linux). */
function rssOf(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The provincial node in a process of its own, on the bench database. */
async function startNodeProcess(ctx) {
  const port = 39100 + (process.pid % 800);
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', '..', 'apps', 'provincial', 'dist', 'main.js')],
    {
      env: {
        ...process.env,
        PROVINCE_CODE: '44',
        DATABASE_URL: ctx.databaseUrl,
        JWT_SECRET: randomBytes(32).toString('hex'),
        PORT: String(port),
        HOST: '127.0.0.1',
        DB_MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'error',
        DB_POOL_SIZE: '16',
        BULK_DIR: join(process.cwd(), '.data', 'bench-bulk', 'uploads'),
        KAFKA_BROKERS: undefined,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the node process exited (${child.exitCode})`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('the node process did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    close: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export async function run(ctx) {
  await ensureNode(ctx); // the database fixtures (schools) through the bench's own node
  const db = ctx.state.db;
  await ensureSchools(ctx);
  const rows = [];
  const [province] = await db.query(`SELECT id, path FROM org_unit WHERE code = '440000'`);
  const schools = (
    await db.query(
      `SELECT code FROM org_unit WHERE kind = 'school' AND school_type IN ('21','31','34') AND path LIKE $1 ORDER BY code LIMIT 2000`,
      [province.path + '%'],
    )
  ).map((r) => r.code);
  const hash = await hashPassword(PASSWORD);
  await db.query(
    `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, 'info_admin', 'bench.province.bulk', '基准', '440106199001010011', $2, false) ON CONFLICT (username) DO NOTHING`,
    [province.id, hash],
  );
  const node = await startNodeProcess(ctx);
  const login = async () =>
    (await api(node.url, 'POST', '/auth/login', null, { username: 'bench.province.bulk', password: PASSWORD }))
      .accessToken;
  let token = await login();
  // Access tokens last 15 minutes; on a loaded machine an import can outlast one.
  const renew = setInterval(
    () =>
      login().then(
        (t) => (token = t),
        () => undefined,
      ),
    10 * 60 * 1000,
  );

  // The file: the department layout (every set's columns), rows on the basic sheet only.
  const dir = join(process.cwd(), '.data', 'bench-bulk');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `import-${ROWS}.xlsx`);
  const layouts = sheetLayouts(ALL_SETS, []);
  const basic = layouts[0];
  const g0 = performance.now();
  const out = createWriteStream(path);
  const gen = people(ROWS, schools);
  await writeWorkbook(out, {
    layouts,
    meta: layoutMeta('department', ALL_SETS, [], '44', false),
    rows: (l) =>
      (async function* () {
        if (l.subSet === 'basic') for (const p of gen) yield basic.columns.map((c) => p[c.key] ?? null);
      })(),
  });
  if (!out.writableFinished) await once(out, 'finish');
  const size = (await stat(path)).size;
  rows.push({
    metric: `generate a ${ROWS}-row xlsx (streaming writer)`,
    value: fmt((performance.now() - g0) / 1000),
    unit: 's',
    note: `${fmt(size / MiB)} MiB`,
  });

  const rss = { before: rssOf(node.pid).rss, peak: 0 };
  const sample = () => {
    rss.peak = Math.max(rss.peak, rssOf(node.pid).rss);
  };
  const sampler = setInterval(sample, 100);
  const poll = async (id) => {
    const seen = {};
    for (;;) {
      sample();
      const j = await api(node.url, 'GET', `/bulk/jobs/${id}`, token);
      const phase = j.progress?.phase ?? j.state;
      seen[phase] ??= performance.now();
      if (!['queued', 'validating', 'committing'].includes(j.state)) return { job: j, seen, end: performance.now() };
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  // The node's responsiveness: a teacher list (the province's first page of 50) every 100 ms, one at
  // a time, before the import (idle) and during the dry run.
  const listOnce = async () => {
    const t0 = performance.now();
    await api(node.url, 'GET', '/teachers?limit=50', token);
    return performance.now() - t0;
  };
  const idle = [];
  for (let i = 0; i < 50; i++) {
    idle.push(await listOnce());
    await new Promise((r) => setTimeout(r, 100));
  }
  const during = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      during.push(await listOnce());
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  // Dry run: upload, read + validate.
  const form = new FormData();
  form.append('file', await openAsBlob(path), 'import.xlsx');
  const u0 = performance.now();
  const res = await fetch(`${node.url}/bulk/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const up = await res.json();
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${JSON.stringify(up)}`);
  const u1 = performance.now();
  const dry = await poll(up.id);
  probing = false;
  await probe;
  if (dry.job.state !== 'validated' || dry.job.counts.errors)
    throw new Error(`dry run: ${JSON.stringify(dry.job).slice(0, 500)}`);
  rows.push({
    metric: 'upload + file checks (zip, macros, formulas, merges, meta)',
    value: fmt((u1 - u0) / 1000),
    unit: 's',
    note: 'synchronous, before the job starts',
  });
  const validateSecs = (dry.end - u1) / 1000;
  rows.push({
    metric: `dry run: read + validate ${ROWS} rows`,
    value: fmt(ROWS / validateSecs, 0),
    unit: 'rows/s',
    note: `${fmt(validateSecs)} s (reading ${fmt(((dry.seen.validating ?? dry.end) - u1) / 1000)} s)`,
  });

  const [a, b] = [summarise(idle), summarise(during)];
  rows.push({
    metric: 'a list request while the dry run runs (province, first page, one every 100 ms)',
    value: `p50 ${fmt(b.p50)} / p95 ${fmt(b.p95)} / max ${fmt(Math.max(...during))} ms`,
    unit: '',
    note: `${b.n} requests; idle before the import: p50 ${fmt(a.p50)} / p95 ${fmt(a.p95)} ms`,
  });

  // Commit: the dry run's staged persons (the file is not read again), in one transaction.
  sample();
  const dryPeak = rss.peak;
  rss.peak = 0;
  const c0 = performance.now();
  const commit = await api(node.url, 'POST', `/bulk/jobs/${up.id}/commit`, token);
  const done = await poll(commit.id);
  if (done.job.state !== 'committed') throw new Error(`commit: ${JSON.stringify(done.job).slice(0, 500)}`);
  const commitStart = done.seen.committing ?? c0;
  const commitSecs = (done.end - commitStart) / 1000;
  rows.push({
    metric: `commit job: write ${done.job.counts.created} records (the dry run's, not validated again)`,
    value: fmt(ROWS / ((done.end - c0) / 1000), 0),
    unit: 'rows/s',
    note: `${fmt((done.end - c0) / 1000)} s end to end`,
  });
  rows.push({
    metric: 'commit phase alone (one transaction: records, history, review events, audit)',
    value: fmt(done.job.counts.created / commitSecs, 0),
    unit: 'records/s',
    note: `${fmt(commitSecs)} s (±0.2 s polling); steps ms ${JSON.stringify(done.job.progress?.timingsMs ?? {})}`,
  });
  sample();
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 2000));
  const after = rssOf(node.pid);
  rows.push({
    metric: 'node RSS during the import (own process, peak of 100 ms samples)',
    value: fmt(Math.max(dryPeak, rss.peak) / MiB, 0),
    unit: 'MiB',
    note: `${fmt(rss.before / MiB, 0)} MiB before; peak ${fmt(dryPeak / MiB, 0)} MiB in the dry run, ${fmt(rss.peak / MiB, 0)} MiB in the commit; ${fmt(after.rss / MiB, 0)} MiB 2 s after`,
  });
  clearInterval(renew);
  await node.close();
  await rm(dir, { recursive: true, force: true });
  return rows;
}

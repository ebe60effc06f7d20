// Small helpers shared by the benchmark suites: bounded concurrent request loops against 127.0.0.1
// and percentiles. Benchmarks print figures; they are not pass/fail tests.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function summarise(ms) {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), n: s.length };
}

/** Runs `count` calls of `fn(i)` with `concurrency` in flight, stopping early after `maxSeconds`. */
export async function load(count, concurrency, fn, maxSeconds = 120) {
  const times = [];
  let next = 0;
  let errors = 0;
  const deadline = Date.now() + maxSeconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count && Date.now() < deadline) {
        const i = next++;
        const t0 = performance.now();
        try {
          await fn(i);
        } catch {
          errors++;
        }
        times.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ...summarise(times), errors, perSecond: times.length / seconds };
}

export async function api(base, method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

export const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
export const ms = (r) => `p50 ${fmt(r.p50)} / p95 ${fmt(r.p95)} / p99 ${fmt(r.p99)} ms`;

// ---- Processes for the multi-process runs (soak.mjs; the same approach as chaos.mjs) ----

export const repoRoot = resolve(import.meta.dirname, '..');
export const sleep = (t) => new Promise((r) => setTimeout(r, t));

/** VmRSS and VmHWM (peak) of a process, in bytes (Linux). */
export function rssOf(pid) {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

export const portOpen = (port) =>
  new Promise((r) => {
    const s = connect({ host: '127.0.0.1', port: Number(port) }, () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });

/** A KRaft broker from deploy/kafka/start-kafka.sh on 127.0.0.1:`port`; returns its address and its pid. */
export function startBroker(port, home = join(repoRoot, '.kafka')) {
  const r = spawnSync('bash', [join(repoRoot, 'deploy', 'kafka', 'start-kafka.sh')], {
    env: { ...process.env, KAFKA_PORT: String(port), KAFKA_HOME_DIR: home },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const brokers = /([0-9.]+:\d+)\s*$/.exec(r.stdout ?? '')?.[1];
  if (!brokers) throw new Error('the Kafka broker did not start (deploy/kafka/start-kafka.sh)');
  return { brokers, pid: () => Number(readFileSync(join(home, `broker-${port}.pid`), 'utf8')) };
}

/** apps/<kind>/dist/main.js in its own process on 127.0.0.1:`port`; resolves once /health answers. */
export async function spawnNode(kind, port, nodeEnv) {
  const child = spawn(process.execPath, [join(repoRoot, 'apps', kind, 'dist', 'main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DB_MIGRATE_ON_START: 'false', ...nodeEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`${kind} node exited with ${child.exitCode}`);
    const up = await fetch(`${url}/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) return { url, child, pid: child.pid };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${kind} node did not answer /health`);
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopNode(n, graceMs = 10000) {
  if (!n?.child || n.child.exitCode !== null) return;
  n.child.kill('SIGTERM');
  await Promise.race([new Promise((r) => n.child.once('exit', r)), sleep(graceMs)]);
  if (n.child.exitCode === null) n.child.kill('SIGKILL');
}

// ---- Where the machine's CPU went (Linux /proc), for the multi-process runs ----

const TICK = 100; // USER_HZ

/**
 * The machine's CPU so far, in seconds: busy and idle from /proc/stat, and per process group. `named`
 * maps a group name to pids (their own CPU); the PostgreSQL server whose backend is `pgBackendPid` is
 * split into its backends by database (`pgDatabases`: database name → group), its background
 * processes (checkpointer, WAL writer, background writer, autovacuum, …) and what its exited children
 * used (the postmaster's reaped children: backends and autovacuum workers that ended meanwhile); a Java
 * process is the broker; everything else is "other".
 */
export function machineCpu({ named = {}, pgBackendPid = null, pgDatabases = {} } = {}) {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] + cpu[4]) / TICK;
  // Of the fields after idle: guest time is counted in user time already, steal is time the host ran others.
  const busy = (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6]) / TICK;
  const kernel = {
    system: cpu[2] / TICK,
    irq: (cpu[5] + cpu[6]) / TICK,
    iowait: cpu[4] / TICK,
    steal: (cpu[7] ?? 0) / TICK,
  };
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const raw = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), {
        comm,
        ppid: Number(f[1]),
        own: (Number(f[11]) + Number(f[12])) / TICK,
        reaped: (Number(f[13]) + Number(f[14])) / TICK,
      });
    } catch {
      // exited while read
    }
  }
  const groups = {};
  const add = (g, s) => (groups[g] = (groups[g] ?? 0) + s);
  const taken = new Set();
  for (const [g, pids] of Object.entries(named))
    for (const pid of [pids].flat())
      if (procs.has(pid)) {
        add(g, procs.get(pid).own);
        taken.add(pid);
      }
  const postmaster = pgBackendPid && procs.get(pgBackendPid)?.ppid;
  if (postmaster && procs.has(postmaster)) {
    add('postgres: exited children', procs.get(postmaster).reaped);
    add('postgres: postmaster', procs.get(postmaster).own);
    taken.add(postmaster);
    for (const [pid, p] of procs) {
      if (p.ppid !== postmaster) continue;
      taken.add(pid);
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue;
      }
      const db = Object.keys(pgDatabases).find((name) => cmd.includes(` ${name} `));
      if (db) add(pgDatabases[db], p.own);
      else if (/autovacuum/.test(cmd)) add('postgres: autovacuum', p.own);
      else if (
        /postgres: \S+ \S+ /.test(cmd) &&
        !/checkpointer|walwriter|writer|logger|launcher|archiver|io worker/.test(cmd)
      )
        add('postgres: other backends', p.own);
      else add('postgres: background (checkpointer, WAL, bgwriter, …)', p.own);
    }
  }
  for (const [pid, p] of procs) {
    if (taken.has(pid)) continue;
    if (p.comm === 'java') add('broker (java)', p.own);
    else add('other', p.own);
  }
  return { at: performance.now(), busy, idle, kernel, groups };
}

/** The CPU seconds each group used between two `machineCpu` readings, with idle; sorted, largest first. */
export function machineCpuBetween(a, b) {
  const out = Object.keys(b.groups)
    .map((g) => [g, b.groups[g] - (a.groups[g] ?? 0)])
    .filter(([g, s]) => g !== 'other' || s > 0);
  out.push(['idle', b.idle - a.idle]);
  const kernel = Object.fromEntries(Object.keys(b.kernel).map((k) => [k, b.kernel[k] - a.kernel[k]]));
  return { wall: (b.at - a.at) / 1000, busy: b.busy - a.busy, kernel, groups: out.sort((x, y) => y[1] - x[1]) };
}

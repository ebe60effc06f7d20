// Small helpers shared by the benchmark suites: bounded concurrent request loops against 127.0.0.1
// and percentiles. Benchmarks print figures; they are not pass/fail tests.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

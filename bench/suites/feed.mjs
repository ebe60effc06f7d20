// Change feed and webhooks (issue 16): the feed read from cursor zero over every teacher record of a
// province (BENCH_FEED_TEACHERS, default BENCH_TEACHERS or 1.5 M; each generated record is a
// `teacher.created` entry, written by the trigger and numbered by the sequencer), then webhook
// delivery rate and lag with 200 changes/s written for BENCH_FEED_SECONDS (default 30).
// BENCH_FEED_GENERATE_ONLY=1 stops after generating (with KEEP_BENCH_DB=1, then measure on it with
// BENCH_REUSE_DB=<name>); BENCH_FEED_PAGE sets the page size read (default 5000, the API's largest).
import { createServer } from 'node:http';
import { hashPassword } from '@tmis/accounts';
import { ChangeSequencer } from '@tmis/change-feed';
import { api, fmt, summarise } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';
import { generateTeachers } from './teachers.mjs';

export const name = 'feed';
const PASSWORD = 'Bench#Pass2026';

export async function run(ctx) {
  const node = await ensureNode(ctx);
  const db = ctx.state.db;
  const rows = [];
  const total = Number(process.env.BENCH_FEED_TEACHERS ?? process.env.BENCH_TEACHERS ?? 1_500_000);
  const sequencer = node.app.get(ChangeSequencer);

  const g0 = performance.now();
  await generateTeachers(ctx, total);
  const genSeconds = (performance.now() - g0) / 1000;
  const s0 = performance.now();
  const sequenced = await sequencer.catchUp();
  const seqSeconds = (performance.now() - s0) / 1000;
  await db.query('ANALYZE change_log'); // as autovacuum would have by now (the teachers suite does the same for teacher)
  const [{ head }] = await db.query(`SELECT last::int AS head FROM change_feed_counter`);
  rows.push({
    metric: `generate ${total.toLocaleString('en')} teachers (trigger writes each change)`,
    value: `${fmt(genSeconds)} s`,
    unit: '',
    note: `then sequencer caught up ${sequenced} in ${fmt(seqSeconds)} s (${fmt(sequenced / Math.max(seqSeconds, 0.001), 0)} /s); head ${head}`,
  });
  if (process.env.BENCH_FEED_GENERATE_ONLY) return rows;
  const pageSize = Number(process.env.BENCH_FEED_PAGE ?? 5000);

  const hash = await hashPassword(PASSWORD);
  const [province] = await db.query(`SELECT id FROM org_unit WHERE code = '440000'`);
  for (const [user, role] of [
    ['bench.feed.info', 'info_admin'],
    ['bench.feed.query', 'query'],
  ])
    await db.query(
      `INSERT INTO account (unit_id, role, username, real_name, id_number, password_hash, must_change_password) VALUES ($1, $2, $3, '基准', '440106199001010011', $4, false) ON CONFLICT (username) DO NOTHING`,
      [province.id, role, user, hash],
    );
  const login = async (username) =>
    (await api(node.url, 'POST', '/auth/login', null, { username, password: PASSWORD })).accessToken;

  for (const [label, user] of [
    ['full view (information administrator)', 'bench.feed.info'],
    ['masked view (query user)', 'bench.feed.query'],
  ]) {
    const token = await login(user);
    let cursor = '';
    let n = 0;
    let pages = 0;
    const t0 = performance.now();
    for (;;) {
      const page = await api(node.url, 'GET', `/changes?limit=${pageSize}&cursor=${cursor}`, token);
      n += page.items.length;
      pages++;
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const secs = (performance.now() - t0) / 1000;
    rows.push({
      metric: `read the feed from cursor zero, ${label}`,
      value: fmt(n / secs, 0),
      unit: 'records/s',
      note: `${n} entries, ${pages} pages of ≤ ${pageSize.toLocaleString('en')} in ${fmt(secs)} s`,
    });
  }

  // Webhooks: a local receiver; 200 teacher updates per second (20 every 100 ms, one statement each).
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.push({ at, changedAt: Date.parse(body.data.changedAt), committedAt: Date.parse(body.data.committedAt) });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const token = await login('bench.feed.info');
  await api(node.url, 'POST', '/webhooks', token, {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    eventTypes: ['teacher.updated'],
  });
  const seconds = Number(process.env.BENCH_FEED_SECONDS ?? 30);
  const ids = (await db.query(`SELECT id FROM teacher ORDER BY id LIMIT $1`, [seconds * 200])).map((r) => r.id);
  // The writer keeps its schedule even when one statement is slow (up to 10 in flight), so the rate offered
  // is 200/s unless the database cannot take it; a tick's 20 updates are one statement.
  let written = 0;
  const inFlight = new Set();
  const w0 = Date.now();
  for (let tick = 0; tick < seconds * 10; tick++) {
    const due = w0 + tick * 100;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    while (inFlight.size >= 10) await Promise.race(inFlight);
    const batch = ids.slice(tick * 20, tick * 20 + 20);
    const p = db
      .query(`UPDATE teacher SET version = version + 1, updated_at = now() WHERE id = ANY($1::uuid[])`, [batch])
      .then(() => {
        written += batch.length;
        inFlight.delete(p);
      });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  const writeSecs = (Date.now() - w0) / 1000;
  const drainEnd = Date.now() + 120_000;
  while (received.length < written && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 100));
  server.close();
  const lag = summarise(received.map((r) => r.at - r.changedAt));
  // Split: write → numbered by the sequencer (committedAt), numbered → received.
  const numbering = summarise(received.map((r) => r.committedAt - r.changedAt));
  const sending = summarise(received.map((r) => r.at - r.committedAt));
  const span = (Math.max(...received.map((r) => r.at)) - w0) / 1000;
  // Delivered while the writer ran (the rate the sender kept up with, not the drain after it).
  const during = received.filter((r) => r.at <= w0 + writeSecs * 1000).length;
  rows.push({
    metric: `webhooks at ${fmt(written / writeSecs, 0)} changes/s for ${seconds} s`,
    value: fmt(received.length / span, 0),
    unit: 'deliveries/s',
    note: `${received.length}/${written} delivered (${during} while writing, ${fmt(during / writeSecs, 0)}/s), all by ${fmt(span)} s; lag write→received p50 ${fmt(lag.p50, 0)} / p95 ${fmt(lag.p95, 0)} / p99 ${fmt(lag.p99, 0)} ms (write→numbered p50 ${fmt(numbering.p50, 0)} / p95 ${fmt(numbering.p95, 0)}; numbered→received p50 ${fmt(sending.p50, 0)} / p95 ${fmt(sending.p95, 0)})`,
  });
  return rows;
}

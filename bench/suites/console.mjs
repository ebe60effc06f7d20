// The web console's first load (issue 18): a fresh browser (Debian's Chromium) opening /console/ on a
// node until the sign-in form is usable, five times; and the JavaScript that costs, gzipped. The node is
// the bench's own provincial node, or BENCH_CONSOLE_URL (e.g. the `npm start` demo, the embedded default).
// Also the chunks of the build: the first load's and the lazy ones (areas, the signed-in shell), gzipped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { fmt, summarise } from '../lib.mjs';
import { ensureNode } from '../setup.mjs';

export const name = 'console';

export async function run(ctx) {
  const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p) => p && existsSync(p),
  );
  if (!executablePath)
    return [{ metric: 'first load', value: 'not measured', note: 'Chromium missing: apt-get install -y chromium' }];
  const node = process.env.BENCH_CONSOLE_URL ? { url: process.env.BENCH_CONSOLE_URL } : await ensureNode(ctx);
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const times = [];
  let js = 0;
  try {
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${node.url}/console/`);
      await page.locator('#sign-in_username').waitFor();
      await page.locator('form#sign-in button[type=submit]:not([disabled])').waitFor();
      times.push(performance.now() - t0);
      js = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => e.name.endsWith('.js'))
          .reduce((s, e) => s + e.transferSize, 0),
      );
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const s = summarise(times.sort((a, b) => a - b));
  const dist = resolve(import.meta.dirname, '../../apps/console/dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const chunks = readdirSync(join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => ({ f, gz: gzipSync(readFileSync(join(dist, 'assets', f))).length, first: html.includes(f) }));
  const lazy = chunks.filter((c) => !c.first).sort((a, b) => b.gz - a.gz);
  const areas = lazy.filter((c) => !/^(echarts|table|pagination)-/.test(c.f));
  return [
    {
      metric: 'first load to the sign-in form',
      value: `p50 ${fmt(s.p50, 0)} / max ${fmt(Math.max(...times), 0)}`,
      unit: 'ms',
      note: 'fresh browser context each time, 5 runs',
    },
    {
      metric: 'JavaScript of the first load',
      value: Math.round(js / 1024),
      unit: 'kB gzipped',
      note: `${chunks.length - lazy.length} files; the other areas load on first visit`,
    },
    {
      metric: 'lazy chunks (areas, shell, shared widgets)',
      value: lazy.length,
      unit: 'files',
      note: `largest: ${lazy
        .slice(0, 3)
        .map((c) => `${c.f.replace(/-[\w-]{8}\.js$/, '')} ${Math.round(c.gz / 1024)} kB`)
        .join(', ')}; largest area screen ${Math.round((areas[0]?.gz ?? 0) / 1024)} kB gz`,
    },
  ];
}

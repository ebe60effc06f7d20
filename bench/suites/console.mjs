// The web console's first load (issue 18): a fresh browser (Debian's Chromium) opening /console/ on a
// node until the sign-in form is usable, five times; and the JavaScript that costs, gzipped.
import { existsSync } from 'node:fs';
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
  const node = await ensureNode(ctx);
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
      note: 'the other areas load on first visit',
    },
  ];
}

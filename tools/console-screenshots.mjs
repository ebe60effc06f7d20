#!/usr/bin/env node
// Screenshots of the console's main screens at 1440×900 into docs/console/*.png, taken from a running
// demo (`npm start`; NATIONAL_URL / PROVINCIAL_URL to point elsewhere), with Debian's Chromium
// (CHROMIUM_PATH to override). Also prints the first load of the sign-in screen.
//   node tools/console-screenshots.mjs
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const out = resolve(root, 'docs/console');
const national = process.env.NATIONAL_URL ?? `http://127.0.0.1:${process.env.NATIONAL_PORT ?? 3000}`;
const provincial = process.env.PROVINCIAL_URL ?? `http://127.0.0.1:${process.env.PROVINCIAL_PORT ?? 3001}`;
const password = process.env.DEMO_PASSWORD ?? 'Tmis@2026demo';
const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (p) => p && existsSync(p),
);
if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
const shot = async (page, name) => {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.waitForTimeout(800); // charts animate in
  await page.screenshot({ path: resolve(out, `${name}.png`) });
  console.log(`docs/console/${name}.png`);
};
async function session(base, username, lang = 'zh') {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  if (lang === 'en') {
    await page.evaluate(() => localStorage.setItem('tmis.lang', 'en'));
    await page.reload();
  }
  await page.locator('#sign-in_username').fill(username);
  await page.locator('#sign-in_password').fill(password);
  await page.locator('form#sign-in button[type=submit]').click();
  await page.locator('.ant-layout-sider, form#change-password').first().waitFor();
  if (await page.locator('form#change-password').count()) throw new Error(`${username} must change its password first`);
  return page;
}
const go = async (page, base, path) => {
  await page.goto(`${base}/console/${path}`);
  await page.locator('.ant-layout-content h3').first().waitFor();
};

/** Puts a few demo drafts into the review queues (submitted; school-approved) so the queues show something. */
async function fillQueues() {
  const call = async (method, path, token, body) => {
    const r = await fetch(provincial + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return r.ok ? r.json() : null;
  };
  const login = async (username) => (await call('POST', '/auth/login', null, { username, password }))?.accessToken;
  const token = await login('s2111000001.info');
  if (!token) return;
  const page = await call('GET', '/teachers?limit=100', token);
  const drafts = [];
  for (const t of page?.items ?? []) {
    if (t.idNumber === '110101199003150927') continue; // the demo teacher's own record stays a draft
    const full = await call('GET', `/teachers/${t.id}`, token);
    if (full?.reviewState === 'draft') drafts.push(full);
  }
  for (const [i, t] of drafts.slice(0, 5).entries()) {
    const v = await call('POST', `/teachers/${t.id}/review/submit`, token, { version: t.version });
    if (v && i < 3)
      await call('POST', `/teachers/${t.id}/review/school-approve`, token, {
        version: v.recordVersion,
        participants: ['校长', '教务主任', '年级组长'],
        principal: '校长',
      });
  }
}

/**
 * Puts something on the newer screens through the API (as their users would): a custom indicator of
 * the province, a county spot check with two results, a transfer waiting for the county, an API client.
 * Each step is skipped when the demo already has it (the demo data persists across runs).
 */
async function fillNewerScreens() {
  const call = async (base, method, path, token, body) => {
    const r = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  const login = async (username) =>
    (await call(provincial, 'POST', '/auth/login', null, { username, password })).body?.accessToken;
  const province = await login('p11.info');
  if (province && !(await call(provincial, 'GET', '/custom-fields', province)).body?.length)
    await call(provincial, 'POST', '/custom-fields', province, {
      key: 'x_ruralYears',
      zh: '乡村学校任教年限',
      en: 'Years teaching in rural schools',
      type: 'integer',
      subSet: 'basic',
      requiredIn: [],
      owner: 'school',
      sensitivity: 'normal',
    });
  const county = await login('x110101.info');
  if (county && !(await call(provincial, 'GET', '/spot-checks', county)).body?.length) {
    const check = (await call(provincial, 'POST', '/spot-checks', county, { kind: 'teachers', size: 8 })).body;
    for (const [i, item] of (check?.items ?? []).slice(0, 3).entries())
      await call(provincial, 'PUT', `/spot-checks/${check.id}/items/${item.id}`, county, {
        result: i === 1 ? 'discrepancy' : 'verified',
        ...(i === 1 ? { note: '学历证书编号与档案不符' } : {}),
      });
  }
  const primary = await login('s2111000001.info');
  const middle = await login('s3111000002.info');
  if (primary && middle && !(await call(provincial, 'GET', '/transfers', county)).body?.items?.length) {
    const units = (await call(provincial, 'GET', '/units/lookup?code=3111000002', middle)).body;
    const teachers = (await call(provincial, 'GET', '/teachers?limit=50', primary)).body?.items ?? [];
    for (const t of teachers.slice(3, 5)) {
      const full = (await call(provincial, 'GET', `/teachers/${t.id}`, primary)).body;
      if (full?.reviewState !== 'reported') continue;
      await call(provincial, 'POST', '/transfers', middle, {
        teacherId: t.id,
        toUnitId: units.id,
        effectiveDate: `${new Date().getFullYear() + 1}-02-01`,
        reason: '学校工作需要',
      });
    }
  }
  const admin = await login('p11.admin');
  if (admin && !(await call(provincial, 'GET', '/api-clients', admin)).body?.items?.length)
    await call(provincial, 'POST', '/api-clients', admin, {
      name: '省级教师培训平台',
      scopes: ['teachers:read', 'training:write'],
      allowedAddresses: ['10.11.0.0/16'],
    });
}

try {
  await fillQueues();
  await fillNewerScreens();
  // first load of the sign-in screen, as a newcomer opens it
  const first = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const t0 = Date.now();
  await first.goto(`${provincial}/console/`);
  await first.locator('#sign-in_username').waitFor();
  console.log(`first load of ${provincial}/console/ to the sign-in form: ${Date.now() - t0} ms`);
  await shot(first, 'sign-in');

  const school = await session(provincial, 's2111000001.info');
  await go(school, provincial, 'teachers');
  await shot(school, 'school-teachers');
  await school.locator('.ant-table-row a').first().click();
  await school.getByTestId('record-editor').waitFor();
  await shot(school, 'record-editor');
  await go(school, provincial, 'review');
  await shot(school, 'school-review');
  await go(school, provincial, 'bulk');
  await shot(school, 'bulk-import');

  const county = await session(provincial, 'x110101.info');
  await go(county, provincial, 'review');
  await shot(county, 'department-review');
  await go(county, provincial, 'cycles');
  await shot(county, 'cycle-progress');
  await go(county, provincial, 'transfers');
  await county
    .locator('.ant-table-row')
    .first()
    .waitFor({ timeout: 5000 })
    .catch(() => undefined);
  await shot(county, 'transfers');
  await go(county, provincial, 'spot-checks');
  await county.locator('.ant-table-row a').first().click();
  await county.locator('.ant-descriptions').waitFor();
  await shot(county, 'spot-check');

  const province = await session(provincial, 'p11.info');
  await go(province, provincial, 'custom-fields');
  await shot(province, 'custom-indicators');
  await go(province, provincial, 'stats');
  await province.getByTestId('age-pyramid').locator('canvas').first().waitFor();
  await shot(province, 'statistics');

  const ministry = await session(national, 'moe.info', 'en');
  await go(ministry, national, 'stats');
  await ministry.getByTestId('by-region').locator('canvas').first().waitFor();
  await shot(ministry, 'statistics-national-en');

  const admin = await session(provincial, 'p11.admin');
  await go(admin, provincial, 'accounts');
  await shot(admin, 'accounts');
  await go(admin, provincial, 'api-clients');
  await shot(admin, 'api-clients');
  await go(admin, provincial, 'units');
  await shot(admin, 'org-units');

  const teacher = await session(provincial, '110101199003150927').catch((e) => (console.warn(String(e)), null));
  if (teacher) {
    await go(teacher, provincial, 'me');
    await teacher.getByTestId('record-editor').waitFor();
    await shot(teacher, 'teacher-self-service');
    await go(teacher, provincial, 'my-credits');
    await shot(teacher, 'training-credits');
    await go(teacher, provincial, 'my-registration');
    await shot(teacher, 'registration');
  }
} finally {
  await browser.close();
}

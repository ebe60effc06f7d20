import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Chromium from Debian's packages (Playwright's own download cannot be fetched here); CHROMIUM_PATH overrides. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  // Missing Chromium fails the browser tests (never a skip): .ci/run installs it with apt-get.
  if (!found)
    throw new Error(`Chromium not found (${candidates.join(', ')}): apt-get install -y chromium, or set CHROMIUM_PATH`);
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** Signs in through the console's sign-in form (Chinese, the default language). */
export async function signIn(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('用户名（教师为身份证件号）').fill(username);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.locator('form#sign-in button[type=submit]').click();
}

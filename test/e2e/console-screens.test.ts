import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { Role } from '@tmis/access';
import type { OrgUnitEntity } from '@tmis/org';
import { launchBrowser, signIn } from '../support/browser.js';
import { validRecord } from '../support/records.js';
import { isolatedDatabase, TestNode, type TestAccount } from '../support/test-node.js';

/**
 * The console's administrative screens in a real browser (Debian's Chromium through playwright-core)
 * against a provincial node: custom indicators defined by the province and seen on the record editor,
 * spot checks drawn and recorded by a county, the unit picker bounded by the caller's subtree (and
 * the API refusing the rest), state labels instead of codes, labels and keyboard on the new forms.
 */
describe('web console: administrative screens (issue 18) in headless Chromium', () => {
  let province: TestNode;
  let browser: Browser;
  let db: { url: string; drop(): Promise<void> };
  let provinceInfo: TestAccount;
  let countyInfo: TestAccount;
  let countySys: TestAccount;
  let schoolInfo: TestAccount;
  let county: OrgUnitEntity;
  let school: OrgUnitEntity;
  let otherCounty: OrgUnitEntity;
  let otherSchool: OrgUnitEntity;
  let draftId: string;

  const page = async (): Promise<Page> =>
    (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  /**
   * Picks an option of an Ant Design select (the list is rendered in a pop-up outside the field).
   * Under load the list can still be moving (its opening animation) or re-rendering its virtual window
   * when the option is clicked: the click then misses and the list stays open. So the option is clicked
   * only once the list has settled, and the pick counts only when the list has closed; otherwise it is
   * tried again (the list reopened if it closed without the pick), at most three times. No Escape: in a
   * modal it would close the modal.
   */
  const choose = async (p: Page, field: Locator, option: string | RegExp) => {
    const open = p.locator('.ant-select-dropdown:visible');
    const settled = p.locator(
      '.ant-select-dropdown:visible:not([class*="-appear"]):not([class*="-enter"]):not([class*="-leave"])',
    );
    for (let attempt = 1; ; attempt++) {
      if ((await open.count()) === 0) await field.click();
      try {
        const list = settled.first();
        await list.waitFor({ timeout: 10_000 });
        await list.locator('.ant-select-item-option').filter({ hasText: option }).first().click({ timeout: 10_000 });
        await open.first().waitFor({ state: 'hidden', timeout: 10_000 });
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  };
  /** The form controls of a container that no label names (what a screen reader would announce blank). */
  const unlabeled = (root: Locator) =>
    root.evaluate((el) =>
      [...(el as any).querySelectorAll('input, textarea, select')]
        .filter((x: any) => x.type !== 'hidden' && x.type !== 'file' && x.offsetParent !== null)
        .filter((x: any) => !(x.labels?.length || x.getAttribute('aria-label') || x.getAttribute('aria-labelledby')))
        .map((x: any) => x.outerHTML.slice(0, 120)),
    );

  before(async () => {
    browser = await launchBrowser();
    db = await isolatedDatabase('cs');
    province = await TestNode.start('provincial', { PROVINCE_CODE: '11', DATABASE_URL: db.url });
    county = await province.newCounty();
    school = await province.newSchool(county);
    otherCounty = await province.newCounty();
    otherSchool = await province.newSchool(otherCounty);
    provinceInfo = await province.account(await province.unitByCode('110000'), Role.InfoAdmin);
    countyInfo = await province.account(county, Role.InfoAdmin);
    countySys = await province.account(county, Role.SysAdmin);
    schoolInfo = await province.account(school, Role.InfoAdmin);
    const token = await province.tokenFor(schoolInfo);
    for (let i = 0; i < 3; i++) {
      const t = await province.api('POST', '/teachers', { token, body: { unitId: school.id, record: validRecord() } });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      draftId = t.body.id;
    }
  });
  after(async () => {
    await browser?.close();
    await province?.close();
    await db?.drop();
  });

  it('a province administrator defines a custom indicator (the API refuses a bad key at the field, in zh and en); the school sees it on the record editor', async () => {
    const p = await page();
    await signIn(p, province.url, provinceInfo.username, provinceInfo.password);
    await p.getByRole('menuitem', { name: '自定义指标' }).click();
    await p.getByRole('button', { name: '新增指标' }).click();
    const modal = p.locator('.ant-modal').filter({ has: p.locator('form#custom-field') });
    await modal.getByLabel('标识（x_ 开头）').fill('x_1bad');
    await modal.getByLabel('中文名称').fill('乡村任教年限');
    await modal.getByLabel('英文名称').fill('Rural teaching years');
    await choose(p, modal.getByLabel('子集'), '基本信息');
    await modal.getByRole('button', { name: /保\s?存/ }).click();
    const keyItem = modal.locator('.ant-form-item').filter({ has: p.locator('#custom-field_key') });
    await keyItem
      .locator('.ant-form-item-explain-error')
      .getByText(/须以 x_ 开头/)
      .waitFor();
    assert.equal(
      (await province.api('GET', '/custom-fields', { token: await province.tokenFor(provinceInfo) })).body.length,
      0,
      'nothing was defined',
    );
    // the same refusal in English once the console is switched
    await modal.getByRole('button', { name: /取\s?消/ }).click();
    await p.getByRole('button', { name: 'English' }).click();
    await p.getByRole('button', { name: 'Define an indicator' }).click();
    await modal.getByLabel('Key (starts with x_)').fill('x_1bad');
    await modal.getByLabel('Chinese label').fill('乡村任教年限');
    await modal.getByLabel('English label').fill('Rural teaching years');
    await choose(p, modal.getByLabel('Sub-set'), 'Basic');
    await modal.getByRole('button', { name: 'Save' }).click();
    await keyItem
      .locator('.ant-form-item-explain-error')
      .getByText(/key must be x_/)
      .waitFor();
    // a good key is accepted
    await modal.getByLabel('Key (starts with x_)').fill('x_ruralYears');
    await modal.getByRole('button', { name: 'Save' }).click();
    await modal.waitFor({ state: 'hidden' });
    const row = p.locator('.ant-table-row').filter({ hasText: 'x_ruralYears' });
    await row.getByText('Rural teaching years').waitFor();
    await row.getByText('Active').waitFor();
    const defs = (await province.api('GET', '/custom-fields', { token: await province.tokenFor(provinceInfo) })).body;
    assert.deepEqual(
      defs.map((d: any) => [d.key, d.subSet, d.zh, d.status, d.version]),
      [['x_ruralYears', 'basic', '乡村任教年限', 'active', 1]],
    );
    await p.context().close();

    const s = await page();
    await signIn(s, province.url, schoolInfo.username, schoolInfo.password);
    await s.getByRole('menuitem', { name: '教师信息' }).waitFor();
    await s.goto(`${province.url}/console/teachers/${draftId}`);
    const editor = s.getByTestId('record-editor');
    await editor.waitFor();
    await editor.getByLabel('乡村任教年限').fill('6');
    await editor.locator('button.ant-btn-primary').first().click();
    await s.getByText('已保存').first().waitFor();
    const t = await province.api('GET', `/teachers/${draftId}`, { token: await province.tokenFor(schoolInfo) });
    assert.equal(t.body.record.basic.x_ruralYears, '6');
    await s.context().close();
  });

  it('a county draws a spot check within its subtree, records a result and publishes; the unit picker offers only its own subtree and the API refuses another county', async () => {
    const p = await page();
    await signIn(p, province.url, countyInfo.username, countyInfo.password);
    await p.getByRole('menuitem', { name: '抽查' }).click();
    const form = p.locator('form#spot-check');
    await form.waitFor();
    assert.deepEqual(await unlabeled(form), [], 'every field of the spot-check form has a label');
    // the picker: the county and, opened, its school; never the other county's
    await form.getByLabel('抽查范围').click();
    const tree = p.locator('.ant-select-dropdown:visible');
    await tree.getByText(county.code).waitFor();
    await tree.getByText(school.code).waitFor();
    assert.equal(await tree.getByText(otherSchool.code).count(), 0);
    assert.equal(await tree.getByText(otherCounty.code).count(), 0);
    await tree.getByText(school.code).click();
    await form.getByLabel('样本量').fill('2');
    await form.getByRole('button', { name: /抽\s?取/ }).click();
    await p.getByText('核查无误 0 · 发现问题 0 · 待核查 2').waitFor();
    const id = p.url().split('/').pop()!;
    const token = await province.tokenFor(countyInfo);
    const check = (await province.api('GET', `/spot-checks/${id}`, { token })).body;
    assert.equal(check.unitId, school.id);
    assert.equal(check.items.length, 2);
    // the sampled teachers appear by name, with their state as a label
    const names: string[] = [];
    for (const it of check.items)
      names.push((await province.api('GET', `/teachers/${it.targetId}`, { token })).body.name);
    const first = p.locator('.ant-table-row').filter({ hasText: names[0] });
    await first.getByText('待核查').waitFor();
    assert.doesNotMatch(await p.locator('.ant-table').innerText(), /pending|verified|teachers/);
    await first.getByRole('button', { name: '登记结果' }).click();
    const modal = p.locator('.ant-modal').filter({ has: p.locator('form#spot-check-result') });
    await choose(p, modal.getByLabel('核查结果'), '发现问题');
    await modal.getByLabel('说明').fill('学历证书编号与档案不符');
    await modal.getByRole('button', { name: /保\s?存/ }).click();
    await first.getByText('发现问题').waitFor();
    const recorded = (await province.api('GET', `/spot-checks/${id}`, { token })).body;
    assert.deepEqual(recorded.items.map((i: any) => [i.result, i.note]).sort(), [
      ['discrepancy', '学历证书编号与档案不符'],
      ['pending', null],
    ]);
    await p.getByRole('button', { name: '公布结果' }).click();
    await p.locator('.ant-descriptions').getByText('已公布').waitFor();
    assert.equal((await province.api('GET', `/spot-checks/${id}`, { token })).body.status, 'published');
    assert.equal(await p.getByRole('button', { name: '登记结果' }).count(), 0, 'a published check is closed');
    await p.context().close();

    // What the picker does not offer, the API refuses (and writes nothing).
    const before = await province.count(`SELECT count(*) FROM spot_check`);
    const refused = await province.api('POST', '/spot-checks', {
      token,
      body: { unitId: otherSchool.id, kind: 'teachers', size: 2 },
    });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(await province.count(`SELECT count(*) FROM spot_check`), before);
  });

  it('org units: a county creates a school below it, renames it and closes it; labels, not codes', async () => {
    const sys = countySys;
    const p = await page();
    await signIn(p, province.url, sys.username, sys.password);
    await p.getByRole('menuitem', { name: '机构管理' }).click();
    await p.locator('.ant-table-row').filter({ hasText: school.code }).getByText('学校', { exact: true }).waitFor();
    await p.getByRole('button', { name: '新建下级单位' }).click();
    const modal = p.locator('.ant-modal').filter({ has: p.locator('form#unit') });
    assert.deepEqual(await unlabeled(modal), []);
    const code = `2111${String(Date.now()).slice(-6)}`;
    await modal.getByLabel(/^代码/).fill(code);
    await modal.getByLabel('名称').fill('控制台新建小学');
    await choose(p, modal.getByLabel('学校类型'), /^21 /);
    await choose(p, modal.getByLabel('城乡分类'), /^220 /);
    await choose(p, modal.getByLabel('办学性质'), /^1 /);
    await modal.getByRole('button', { name: /保\s?存/ }).click();
    const row = p.locator('.ant-table-row').filter({ hasText: code });
    await row.getByText('控制台新建小学').waitFor();
    const token = await province.tokenFor(sys);
    const created = (await province.api('GET', `/units/lookup?code=${code}`, { token })).body;
    assert.equal(created.parentId, county.id);
    assert.deepEqual([created.schoolType.code, created.urbanRural.code, created.sponsor.code], ['21', '220', '1']);
    await row.getByRole('button', { name: /更\s?名/ }).click();
    await modal.getByLabel('名称').fill('控制台实验小学');
    await modal.getByRole('button', { name: /保\s?存/ }).click();
    await p.locator('.ant-table-row').filter({ hasText: '控制台实验小学' }).waitFor();
    await p.locator('.ant-table-row').filter({ hasText: code }).getByRole('button', { name: '撤销单位' }).click();
    await modal.getByRole('button', { name: /保\s?存/ }).click();
    await p.locator('.ant-table-row').filter({ hasText: code }).waitFor({ state: 'detached' });
    const closed = (await province.api('GET', `/units/${created.id}`, { token })).body;
    assert.deepEqual([closed.name, closed.status], ['控制台实验小学', 'closed']);
    await p.getByLabel('含已撤销、已合并单位').check();
    await p.locator('.ant-table-row').filter({ hasText: code }).getByText('已撤销').waitFor();
    assert.equal(
      await p
        .locator('.ant-table')
        .getByText(/^(closed|school|active)$/)
        .count(),
      0,
    );
    await p.context().close();
  });

  it('accounts are handed out level by level: a county gives its school a system administrator, choosing among the units directly below only', async () => {
    const sys = countySys;
    const p = await page();
    await signIn(p, province.url, sys.username, sys.password);
    await p.getByRole('menuitem', { name: '账号管理' }).click();
    await p.getByRole('button', { name: /新\s?建/ }).click();
    const modal = p.locator('.ant-modal').filter({ has: p.locator('form#account') });
    await choose(p, modal.getByLabel('角色'), '系统管理员');
    assert.deepEqual(await unlabeled(modal), [], 'every field of the account form has a label');
    await modal.getByLabel(/下一级单位/).click();
    const list = p.locator('.ant-select-dropdown:visible');
    await list.getByText(school.code, { exact: false }).waitFor();
    assert.equal(await list.getByText(otherSchool.code, { exact: false }).count(), 0);
    assert.equal(await list.getByText(county.code, { exact: false }).count(), 0, 'not its own unit');
    await list.getByText(school.code, { exact: false }).click();
    const username = `sys${Date.now() % 1_000_000}`;
    await modal.getByLabel('用户名（教师为身份证件号）').fill(username);
    await modal.getByLabel('姓名').fill('学校系统管理员');
    await modal.getByLabel('身份证件号', { exact: true }).fill((validRecord().basic as { idNumber: string }).idNumber);
    await modal.getByLabel('密码', { exact: true }).fill('Console#Admin2026');
    await modal.getByRole('button', { name: /确\s?定|OK/ }).click();
    await modal.waitFor({ state: 'hidden' });
    const made = await province.api('GET', `/accounts?unitId=${school.id}`, { token: await province.tokenFor(sys) });
    const found = made.body.items.find((a: { username: string }) => a.username === username);
    assert.deepEqual([found?.role, found?.unitId], ['sysadmin', school.id]);
    await p.context().close();
  });

  it('keyboard: the spot-check result form is reached, filled and sent with the keyboard alone', async () => {
    const token = await province.tokenFor(countyInfo);
    const drawn = await province.api('POST', '/spot-checks', { token, body: { kind: 'schools', size: 1 } });
    assert.equal(drawn.status, 201, JSON.stringify(drawn.body));
    const p = await page();
    await signIn(p, province.url, countyInfo.username, countyInfo.password);
    await p.getByRole('menuitem', { name: '抽查' }).waitFor();
    await p.goto(`${province.url}/console/spot-checks/${drawn.body.id}`);
    const button = p.getByRole('button', { name: '登记结果' });
    await button.focus();
    await p.keyboard.press('Enter');
    const modal = p.locator('.ant-modal').filter({ has: p.locator('form#spot-check-result') });
    await modal.waitFor();
    assert.deepEqual(await unlabeled(modal), []);
    await modal.getByLabel('核查结果').focus();
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('Enter'); // 发现问题 (second of two)
    // Tab leaves the select (the first Tab only closes its list if it is still open) for the note.
    const focused = () => p.evaluate(() => (globalThis as any).document.activeElement?.id as string);
    // The list closes with an animation: under load a Tab can land while it still holds the focus.
    for (let i = 0; i < 3 && (await focused()) !== 'spot-check-result_note'; i++) {
      await p.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').first().waitFor({ state: 'hidden' });
      await p.keyboard.press('Tab');
    }
    assert.equal(await focused(), 'spot-check-result_note', 'Tab moves from the result to the note');
    await modal.getByText('发现问题', { exact: true }).waitFor();
    await p.keyboard.type('校舍信息待核实');
    await p.keyboard.press('Tab');
    await p.keyboard.press('Tab'); // cancel, then save
    await p.keyboard.press('Enter');
    await p.locator('.ant-table-row').first().getByText('发现问题').waitFor();
    const item = (await province.api('GET', `/spot-checks/${drawn.body.id}`, { token })).body.items[0];
    assert.deepEqual([item.result, item.note], ['discrepancy', '校舍信息待核实']);
    await p.context().close();
  });
});

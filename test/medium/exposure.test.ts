import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { METRICS_AUTH, TestNode } from '../support/test-node.js';

/** The (one) system administrator of a unit: the existing one (test accounts share TEST_PASSWORD) or a new one. */
async function topAdmin(t: TestNode, code: string): Promise<string> {
  const unit = await t.unitByCode(code);
  for (let attempt = 0; attempt < 3; attempt++) {
    const [row] = await t.db.query(`SELECT username FROM account WHERE unit_id = $1 AND role = 'sysadmin'`, [unit.id]);
    if (row) return t.login(row.username);
    try {
      return await t.tokenFor(await t.account(unit, Role.SysAdmin));
    } catch {
      /* created meanwhile by another test file: read it again */
    }
  }
  throw new Error(`no system administrator at ${code}`);
}

describe('information exposure: operational details and ID-number searches', () => {
  let prov: TestNode;
  let nat: TestNode;
  before(async () => {
    prov = await TestNode.start('provincial', { PROVINCE_CODE: '11' });
    nat = await TestNode.start('national');
  });
  after(async () => {
    await prov?.close();
    await nat?.close();
  });

  it('GET /health is a bare liveness answer without credentials; details need the token or the top administrator', async () => {
    const bare = await prov.api('GET', '/health');
    assert.equal(bare.status, 200);
    assert.deepEqual(Object.keys(bare.body).sort(), ['embedded', 'status']);
    assert.equal(bare.body.status, 'up');
    const city = await prov.newCity();
    const citySys = await prov.tokenFor(await prov.account(city, Role.SysAdmin));
    const withCity = await prov.api('GET', '/health', { token: citySys });
    assert.equal(withCity.body.details, undefined, 'a city administrator sees the bare answer');
    const full = await prov.api('GET', '/health', { headers: METRICS_AUTH });
    assert.equal(full.body.details.database.status, 'up');
    const provinceSys = await topAdmin(prov, '110000');
    assert.ok((await prov.api('GET', '/health', { token: provinceSys })).body.details);
    assert.equal((await prov.api('GET', '/health', { token: 'x'.repeat(40) })).body.details, undefined);
  });

  it('GET /metrics answers only the token or the top unit’s system administrator', async () => {
    const none = await nat.api('GET', '/metrics');
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'UNAUTHENTICATED');
    assert.equal((await nat.api('GET', '/metrics', { token: 'wrong-metrics-token-0123456789' })).status, 401);
    assert.equal((await nat.api('GET', '/metrics', { headers: METRICS_AUTH })).status, 200);
    assert.match(String((await nat.api('GET', '/metrics', { headers: METRICS_AUTH })).body), /^tmis_up/m);
    // On the national node a province's administrator would see every province's figures: refused.
    const provinceSys = await topAdmin(nat, '440000');
    assert.equal((await nat.api('GET', '/metrics', { token: provinceSys })).status, 403);
    const ministrySys = await topAdmin(nat, '000000');
    assert.equal((await nat.api('GET', '/metrics', { token: ministrySys })).status, 200);
    const query = await nat.tokenFor(await nat.account(await nat.unitByCode('000000'), Role.Query));
    assert.equal((await nat.api('GET', '/metrics', { token: query })).status, 403);
  });

  it('a query user cannot search teachers by ID number (it would confirm the number exists)', async () => {
    const city = await prov.newCity();
    const query = await prov.tokenFor(await prov.account(city, Role.Query));
    const info = await prov.tokenFor(await prov.account(city, Role.InfoAdmin));
    const id = prov.idNumber();
    const refused = await prov.api('GET', `/teachers?idNumber=${id}`, { token: query });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.errors[0].path, 'idNumber');
    assert.equal((await prov.api('GET', `/teachers/export?idNumber=${id}`, { token: query })).status, 403);
    assert.equal((await prov.api('GET', `/teachers?idNumber=${id}`, { token: info })).status, 200);
    assert.equal((await prov.api('GET', '/teachers', { token: query })).status, 200, 'other searches still work');
  });
});

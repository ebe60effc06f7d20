import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Role } from '@tmis/access';
import { TEST_PASSWORD, TestNode } from '../support/test-node.js';
import { validRecord } from '../support/records.js';

describe('secondary departments of a university (Art. 20) on the national node', () => {
  let t: TestNode;
  before(async () => {
    t = await TestNode.start('national');
  });
  after(() => t.close());

  it("a central university gets a college with delegated information management, and its teachers' records", async () => {
    const ministry = await t.unitByCode('000000');
    const moeInfo = await t.tokenFor(await t.account(ministry, Role.InfoAdmin));
    const code = `4111${String(Date.now()).slice(-6)}`;
    const uni = await t.api('POST', '/units', {
      token: moeInfo,
      body: { kind: 'school', parentId: ministry.id, code, name: '测试部属大学', urbanRural: '111', sponsor: '1' },
    });
    assert.equal(uni.status, 201, JSON.stringify(uni.body));
    const uniAdmin = await t.tokenFor(await t.account({ id: uni.body.id }, Role.SysAdmin));
    const college = await t.api('POST', '/units', {
      token: uniAdmin,
      body: { kind: 'department', parentId: uni.body.id, name: '数学科学学院' },
    });
    assert.equal(college.status, 201);
    assert.equal(college.body.code, `${code}-001`);
    const collegeAdmin = await t.api('POST', '/accounts', {
      token: uniAdmin,
      body: {
        unitId: college.body.id,
        role: 'sysadmin',
        username: `col${Date.now()}`,
        realName: '学院管理员',
        idNumber: t.idNumber(),
        initialPassword: TEST_PASSWORD,
      },
    });
    assert.equal(collegeAdmin.status, 201, "the university hands out its college's system administrator");
    await t.db.query(`UPDATE account SET must_change_password = false WHERE id = $1`, [collegeAdmin.body.id]);
    const collegeAdminToken = await t.login(collegeAdmin.body.username.includes('*') ? '' : collegeAdmin.body.username);
    const info = await t.api('POST', '/accounts', {
      token: collegeAdminToken,
      body: {
        unitId: college.body.id,
        role: 'info_admin',
        username: `colinfo${Date.now()}`,
        realName: '学院信息员',
        idNumber: t.idNumber(),
        initialPassword: TEST_PASSWORD,
      },
    });
    assert.equal(info.status, 201);
    await t.db.query(`UPDATE account SET must_change_password = false WHERE id = $1`, [info.body.id]);
    const infoToken = await t.login(info.body.username);
    const record = await t.api('POST', '/teachers', {
      token: infoToken,
      body: { unitId: college.body.id, record: validRecord({ teaching: undefined }) },
    });
    assert.equal(record.status, 201, JSON.stringify(record.body));
    assert.equal(record.body.schoolType, '41', "a college's teachers use its university's indicator set");
    const sibling = await t.api('POST', '/units', {
      token: uniAdmin,
      body: { kind: 'department', parentId: uni.body.id, name: '物理学院' },
    });
    assert.equal(
      (
        await t.api('POST', '/teachers', {
          token: infoToken,
          body: { unitId: sibling.body.id, record: validRecord({ teaching: undefined }) },
        })
      ).status,
      403,
      'a college manages only itself',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commonForms, passwordProblem } from './password-policy.js';

describe('password policy', () => {
  it('refuses common passwords in their usual disguises', () => {
    for (const pw of ['Password1!', 'P@ssw0rd', 'Qwerty123!', 'Iloveyou#2026', 'Dragon2026!'])
      assert.equal(passwordProblem(pw), 'common', pw);
    assert.ok(commonForms('P@ssw0rd!').includes('password'));
  });
  it('refuses a password equal to or containing the user name', () => {
    assert.equal(passwordProblem('Gd.Admin#2026', 'gd.admin'), 'containsUsername');
    assert.equal(passwordProblem('Zhangsan2026!', 'zhangsan'), 'containsUsername');
  });
  it('accepts strong, uncommon passwords and keeps the strength rule', () => {
    assert.equal(passwordProblem('Tmis@2026demo', 'p11.admin'), null);
    assert.equal(passwordProblem('Blue#Harbor2026', 'someone'), null);
    assert.equal(passwordProblem('short1!'), 'weak');
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRules, convertHours, cycleOf, type CreditRules } from './credit-rules.js';

const rules: CreditRules = {
  hoursPerCredit: { training: 10, school_based: 20, online: 20 },
  capPerKindPerYear: { online: 3 },
  capPerYear: 20,
  registrationKinds: ['training', 'school_based'],
  registrationCredits: 36,
  cycleStartYear: 2021,
};

describe('credit conversion', () => {
  it('converts hours per kind', () => {
    assert.equal(convertHours(rules, 'training', 45, { kindInYear: 0, allInYear: 0 }), 4.5);
    assert.equal(convertHours(rules, 'school_based', 45, { kindInYear: 0, allInYear: 0 }), 2.25);
    assert.equal(convertHours(rules, 'course', 45, { kindInYear: 0, allInYear: 0 }), 0);
  });
  it('cuts at the caps per kind and per year', () => {
    assert.equal(convertHours(rules, 'online', 100, { kindInYear: 1, allInYear: 1 }), 2);
    assert.equal(convertHours(rules, 'training', 100, { kindInYear: 0, allInYear: 18 }), 2);
    assert.equal(convertHours(rules, 'training', 100, { kindInYear: 0, allInYear: 25 }), 0);
  });
  it('finds the five-year cycle', () => {
    assert.deepEqual(cycleOf('2026-11-30', 2021), { from: '2026-01-01', to: '2030-12-31' });
    assert.deepEqual(cycleOf('2025-12-31', 2021), { from: '2021-01-01', to: '2025-12-31' });
  });
  it('refuses unknown kinds and non-positive rates', () => {
    const bad = checkRules({ ...rules, hoursPerCredit: { training: 0, nope: 3 } as never });
    assert.deepEqual(
      bad.map((b) => b.path),
      ['hoursPerCredit.training', 'hoursPerCredit.nope'],
    );
  });
});

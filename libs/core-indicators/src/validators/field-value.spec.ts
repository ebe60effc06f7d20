import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFieldValue, type ValueRule } from './field-value.js';

const today = '2026-11-28';
const rule = (r: Partial<ValueRule> & Pick<ValueRule, 'type'>): ValueRule => ({ key: 'f', required: false, ...r });
const code = (r: ValueRule, v: unknown) => checkFieldValue(r, v, 'x.f', today)?.code ?? null;

describe('field values by type', () => {
  it('strings: non-empty, max length, pattern', () => {
    const r = rule({ type: 'string', maxLength: 5 });
    assert.equal(code(r, 'abc'), null);
    assert.equal(code(r, ''), 'type');
    assert.equal(code(r, '   '), 'type');
    assert.equal(code(r, 12), 'type');
    assert.equal(code(r, 'abcdef'), 'maxLength');
    const year = rule({ type: 'string', pattern: '^\\d{4}-\\d{4}$', patternHint: '2025-2026' });
    assert.equal(code(year, '2025-2026'), null);
    const p = checkFieldValue(year, '2025/26', 'teaching[0].schoolYear', today);
    assert.equal(p?.code, 'pattern');
    assert.match(p?.message ?? '', /2025-2026/);
    assert.match(p?.messageZh ?? '', /^teaching\[0\]\.schoolYear：/);
  });

  it('document numbers: letters, digits, brackets and hyphens only', () => {
    const r = rule({ type: 'idNumber', maxLength: 32 });
    assert.equal(code(r, 'A123456(7)'), null);
    assert.equal(code(r, 'E1234 5678'), 'pattern');
  });

  it('dates: real, not before 1900, not in the future unless allowed', () => {
    const r = rule({ type: 'date' });
    assert.equal(code(r, '2024-02-29'), null);
    assert.equal(code(r, '2023-02-29'), 'type');
    assert.equal(code(r, '2024-2-1'), 'type');
    assert.equal(code(r, '1899-12-31'), 'range');
    assert.equal(code(r, today), null);
    assert.equal(code(r, '2026-11-29'), 'future');
    assert.equal(code(rule({ type: 'date', allowFuture: true }), '2030-01-01'), null);
  });

  it('year-months', () => {
    const r = rule({ type: 'yearMonth' });
    assert.equal(code(r, '2026-11'), null);
    assert.equal(code(r, '2026-13'), 'type');
    assert.equal(code(r, '2026-12'), 'future');
    assert.equal(code(r, '2026-11-01'), 'type');
  });

  it('codes must exist in their table', () => {
    const r = rule({ type: 'code', codeTableKey: 'sex', codes: [{ code: '1', zh: '男', en: 'Male' }] });
    assert.equal(code(r, '1'), null);
    assert.equal(code(r, '3'), 'code');
    assert.equal(code(r, 1), 'type');
    assert.equal(code(rule({ type: 'code' }), '1'), 'code', 'a field whose table is unknown accepts nothing');
  });

  it('booleans, integers and decimals with ranges', () => {
    assert.equal(code(rule({ type: 'boolean' }), false), null);
    assert.equal(code(rule({ type: 'boolean' }), 'yes'), 'type');
    const i = rule({ type: 'integer', min: 1949, max: 2100 });
    assert.equal(code(i, 2025), null);
    assert.equal(code(i, 2025.5), 'type');
    assert.equal(code(i, '2025'), 'type');
    assert.equal(code(i, 1800), 'range');
    assert.equal(code(rule({ type: 'integer' }), -1), 'range');
    assert.equal(code(rule({ type: 'decimal' }), 12.5), null);
    assert.equal(code(rule({ type: 'decimal' }), Number.NaN), 'type');
    assert.equal(code(rule({ type: 'decimal', max: 100 }), 100.01), 'range');
  });

  it('phones and email addresses', () => {
    assert.equal(code(rule({ type: 'phone', maxLength: 20 }), '13800138000'), null);
    assert.equal(code(rule({ type: 'phone', maxLength: 20 }), '+86 10-6275 1234'), null);
    assert.equal(code(rule({ type: 'phone' }), 'call me'), 'type');
    assert.equal(code(rule({ type: 'email' }), 'li@example.cn'), null);
    assert.equal(code(rule({ type: 'email' }), 'li@example'), 'type');
    assert.equal(code(rule({ type: 'email', maxLength: 10 }), 'long.name@example.cn'), 'maxLength');
  });
});

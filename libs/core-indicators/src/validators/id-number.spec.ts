import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gb11643CheckChar, isValidIdNumber, makeIdNumber, parseIdNumber } from './id-number.js';
import { checkSchoolCode } from './school-code.js';

describe('GB 11643 citizen ID numbers', () => {
  it('computes the check character, X included', () => {
    assert.equal(gb11643CheckChar('11010519491231002'), 'X');
    assert.equal(gb11643CheckChar('44010619900101001'), makeIdNumber('440106', '19900101', 1)[17]);
    assert.ok(isValidIdNumber('11010519491231002X'));
    assert.ok(!isValidIdNumber('110105194912310021'));
  });

  it('derives birth date and sex (odd sequence = male)', () => {
    assert.deepEqual(parseIdNumber('11010519491231002X'), {
      ok: true,
      value: { addressCode: '110105', birthDate: '1949-12-31', sex: '2' },
    });
    const male = parseIdNumber(makeIdNumber('320102', '19800229', 7));
    assert.ok(male.ok && male.value.sex === '1' && male.value.birthDate === '1980-02-29');
  });

  it('refuses bad format, address, birth date and check character', () => {
    assert.deepEqual(parseIdNumber('110105194912310021'), { ok: false, problem: 'checkChar' });
    assert.deepEqual(parseIdNumber('11010519491331002X'), { ok: false, problem: 'birthDate' });
    assert.deepEqual(
      parseIdNumber(makeIdNumber('110101', '19810229', 1)),
      { ok: false, problem: 'birthDate' },
      '1981 is not a leap year',
    );
    assert.deepEqual(
      parseIdNumber(makeIdNumber('110101', '20300101', 1), new Date('2026-01-01')),
      { ok: false, problem: 'birthDate' },
      'future',
    );
    assert.deepEqual(parseIdNumber('99010519491231002X'), { ok: false, problem: 'address' });
    assert.deepEqual(parseIdNumber('1101051949123100'), { ok: false, problem: 'format' });
    assert.deepEqual(
      parseIdNumber('11010519491231002x'),
      { ok: false, problem: 'format' },
      'lower-case x is a format problem here',
    );
  });
});

describe('school identification codes', () => {
  it('checks type, province and sequence', () => {
    assert.equal(checkSchoolCode('2144000123', '44'), null);
    assert.equal(checkSchoolCode('2144000123', '11'), 'province');
    assert.equal(checkSchoolCode('2199000123'), 'province');
    assert.equal(checkSchoolCode('9944000123'), 'type');
    assert.equal(checkSchoolCode('2144000000'), 'sequence');
    assert.equal(checkSchoolCode('21440001'), 'format');
  });
});

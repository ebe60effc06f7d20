import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, codes, ID, paths, validBasic } from '../testing/fixtures.js';
import { makeIdNumber } from './id-number.js';
import {
  checkBasicDateOrder,
  checkConditionalRules,
  checkEntryRules,
  checkHighestEducation,
  checkIdNumberRules,
} from './record-rules.js';

const wrongCheckChar = ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0');

describe('GB 11643 rules of the record', () => {
  it('refuses a resident ID number with a wrong check character or a bad birth date', () => {
    const r = check({ basic: validBasic({ idNumber: wrongCheckChar }) });
    assert.deepEqual(paths(r), ['basic.idNumber']);
    assert.deepEqual(codes(r), ['idNumber']);
    assert.match(r.problems[0].message, /check character/);
    assert.deepEqual(paths(check({ basic: validBasic({ idNumber: '11010119881315123X' }) })), ['basic.idNumber']);
  });

  it('birth date and sex must agree with the ID number', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ birthDate: '1988-06-16' }) })), ['basic.birthDate']);
    assert.deepEqual(paths(check({ basic: validBasic({ sex: '2' }) })), ['basic.sex']);
    assert.deepEqual(codes(check({ basic: validBasic({ sex: '9', birthDate: '1988-06-14' }) })), [
      'idMismatch',
      'idMismatch',
    ]);
    const female = makeIdNumber('440106', '19920301', 42);
    assert.deepEqual(
      check({ basic: validBasic({ idNumber: female, sex: '2', birthDate: '1992-03-01' }) }).problems,
      [],
    );
  });

  it('accepts a lower-case x check character', () => {
    const withX = makeIdNumber('110105', '19491231', 2);
    assert.equal(withX[17], 'X');
    assert.deepEqual(
      checkIdNumberRules(
        { idType: '1', idNumber: withX.toLowerCase(), birthDate: '1949-12-31', sex: '2' },
        '2026-11-28',
      ),
      [],
    );
  });

  it('checks only resident ID cards (type 1) with GB 11643; a resident ID card is not held by foreigners', () => {
    assert.deepEqual(
      check({ basic: validBasic({ idType: 'A', idNumber: 'E12345678', sex: '2', birthDate: '1990-01-01' }) }).problems,
      [],
    );
    assert.deepEqual(paths(check({ basic: validBasic({ nationality: 'USA', ethnicity: undefined }) })), [
      'basic.idType',
    ]);
  });
});

describe('date order', () => {
  it('birth < work start ≤ school entry', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ workStartMonth: '1987-01' }) })), ['basic.workStartMonth']);
    assert.deepEqual(
      paths(check({ basic: validBasic({ workStartMonth: '1988-06' }) })),
      ['basic.workStartMonth'],
      'same month as birth',
    );
    assert.deepEqual(paths(check({ basic: validBasic({ schoolEntryMonth: '2009-01' }) })), ['basic.schoolEntryMonth']);
    assert.deepEqual(
      check({ basic: validBasic({ schoolEntryMonth: '2010-09' }) }).problems,
      [],
      'entry in the work start month',
    );
    assert.deepEqual(
      checkBasicDateOrder({ birthDate: '1990-01-01', schoolEntryMonth: '1989-09' }).map((p) => p.path),
      ['basic.schoolEntryMonth'],
    );
    assert.deepEqual(
      checkBasicDateOrder({ birthDate: 'not a date', workStartMonth: '1980-01' }),
      [],
      'malformed values are left to the type check',
    );
  });

  it('every list entry starts before it ends and not before birth', () => {
    assert.deepEqual(
      paths(
        check({
          basic: validBasic(),
          domesticTraining: [{ projectName: '国培', startDate: '2024-07-10', endDate: '2024-07-01', hours: 24 }],
        }),
      ),
      ['domesticTraining[0].endDate'],
    );
    assert.deepEqual(
      paths(check({ basic: validBasic(), workHistory: [{ startMonth: '2012-09', endMonth: '2011-07', unit: 'x' }] })),
      ['workHistory[0].endMonth'],
    );
    assert.deepEqual(
      check({ basic: validBasic(), workHistory: [{ startMonth: '2012-09', endMonth: '2012-09', unit: 'x' }] }).problems,
      [],
    );
    assert.deepEqual(
      paths(
        check({ basic: validBasic(), education: [{ startMonth: '1980-09', schoolName: 'x', educationLevel: '80' }] }),
      ),
      ['education[0].startMonth'],
    );
    assert.deepEqual(
      checkEntryRules(
        'overseasStudy',
        { startDate: '2020-01-02', endDate: '2020-01-01' },
        'overseasStudy[3]',
        undefined,
      ).map((p) => p.path),
      ['overseasStudy[3].endDate'],
    );
  });
});

describe('conditional rules', () => {
  it('not on the establishment ⇒ employment form required; on it ⇒ none', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ onEstablishment: false }) })), ['basic.employmentForm']);
    assert.deepEqual(check({ basic: validBasic({ onEstablishment: false, employmentForm: '1' }) }).problems, []);
    assert.deepEqual(codes(check({ basic: validBasic({ onEstablishment: true, employmentForm: '3' }) })), [
      'notApplicable',
    ]);
  });

  it('foreign nationals have no ethnicity; Chinese nationals (CHN) have one; HKG/MAC/TWN may', () => {
    const passport = { idType: 'A', idNumber: 'P123456' };
    assert.deepEqual(paths(check({ basic: validBasic({ nationality: 'USA', ...passport }) })), ['basic.ethnicity']);
    assert.deepEqual(
      check({ basic: validBasic({ nationality: 'USA', ...passport, ethnicity: undefined }) }).problems,
      [],
    );
    assert.deepEqual(paths(check({ basic: validBasic({ ethnicity: undefined }) })), ['basic.ethnicity']);
    assert.deepEqual(
      check({ basic: validBasic({ nationality: 'HKG', idType: '6', idNumber: 'A123456(7)' }) }).problems,
      [],
    );
    assert.deepEqual(
      check({ basic: validBasic({ nationality: 'TWN', idType: '8', idNumber: '12345678', ethnicity: undefined }) })
        .problems,
      [],
    );
    assert.deepEqual(
      checkConditionalRules({ nationality: 'JPN', ethnicity: '01' }).map((p) => p.code),
      ['notApplicable'],
    );
  });

  it('a professional title level agrees with the title; one highest education', () => {
    assert.deepEqual(
      paths(
        check({ basic: validBasic(), professionalTitle: [{ title: '021', titleLevel: '2', startMonth: '2020-09' }] }),
      ),
      ['professionalTitle[0].titleLevel'],
    );
    assert.deepEqual(
      check({ basic: validBasic(), professionalTitle: [{ title: '021', titleLevel: '1', startMonth: '2020-09' }] })
        .problems,
      [],
    );
    const e = { startMonth: '2006-09', schoolName: 'x', educationLevel: '21', isHighest: true };
    assert.deepEqual(paths(check({ basic: validBasic(), education: [e, { ...e, educationLevel: '14' }] })), [
      'education[1].isHighest',
    ]);
    assert.deepEqual(checkHighestEducation([{ isHighest: false }, { isHighest: true }, null]), []);
  });
});

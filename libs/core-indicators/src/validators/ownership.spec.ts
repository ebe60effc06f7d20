import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUSING, RURAL_YEARS } from '../testing/fixtures.js';
import { mayWrite, mayWritePath, ownerOfPath, ownerViolations, writableFields } from './ownership.js';

describe('owner rules (Art. 16)', () => {
  it('a teacher writing an annual-assessment, pay, ethics or professional-title field is refused', () => {
    assert.deepEqual(
      ownerViolations('teacher', [
        'basic.name',
        'annualAssessment[0].result',
        'payBenefits[1].annualPay',
        'ethics[0].kind',
        'professionalTitle[0].title',
        'domesticTraining[0].hours',
        'contacts.mobile',
      ]),
      ['annualAssessment[0].result', 'payBenefits[1].annualPay', 'ethics[0].kind', 'professionalTitle[0].title'],
    );
  });

  it('the school keeps the ID number and employment facts; a school writes them, and a department everything', () => {
    assert.deepEqual(ownerViolations('teacher', ['basic.idNumber', 'basic.personStatus', 'basic.onEstablishment']), [
      'basic.idNumber',
      'basic.personStatus',
      'basic.onEstablishment',
    ]);
    assert.deepEqual(ownerViolations('school', ['annualAssessment[0].result', 'basic.name', 'basic.idNumber']), []);
    assert.deepEqual(ownerViolations('department', new Set(['ethics[3].description', 'payBenefits[0].year'])), []);
    assert.ok(!mayWrite('school', 'department'));
    assert.ok(mayWrite('department', 'department'));
    assert.ok(!mayWrite('teacher', 'school'));
  });

  it('refuses unknown and malformed paths', () => {
    assert.deepEqual(ownerViolations('school', ['basic.unknownField', 'nope.name', 'basic..name', '', 'basic[0]x']), [
      'basic.unknownField',
      'nope.name',
      'basic..name',
      '',
      'basic[0]x',
    ]);
    assert.equal(ownerOfPath('education[1].degree'), 'teacher');
    assert.equal(ownerOfPath('education[1]'), undefined);
  });

  it('a whole entry or sub-set needs every field of it', () => {
    assert.ok(mayWritePath('teacher', 'domesticTraining[2]'));
    assert.ok(mayWritePath('teacher', 'domesticTraining[2].id'));
    assert.ok(!mayWritePath('teacher', 'annualAssessment[0]'));
    assert.ok(!mayWritePath('teacher', 'basic'), 'basic mixes teacher and school fields');
    assert.ok(mayWritePath('school', 'basic'));
  });

  it('custom fields carry their own owner', () => {
    assert.deepEqual(ownerViolations('teacher', ['basic.x_ruralYears', 'basic.x_housing'], [RURAL_YEARS, HOUSING]), [
      'basic.x_ruralYears',
    ]);
    assert.deepEqual(
      ownerViolations('teacher', ['basic.x_housing']),
      ['basic.x_housing'],
      'unknown without its definition',
    );
  });

  it('lists the writable fields of a sub-set', () => {
    assert.deepEqual(writableFields('teacher', 'annualAssessment'), []);
    assert.deepEqual(writableFields('school', 'annualAssessment'), ['year', 'result', 'assessingUnit']);
    const teacherBasic = writableFields('teacher', 'basic', [RURAL_YEARS, HOUSING]);
    assert.ok(teacherBasic.includes('name') && teacherBasic.includes('x_housing'));
    assert.ok(!teacherBasic.includes('idNumber') && !teacherBasic.includes('x_ruralYears'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE_VERSION } from '../catalogue/catalogue.js';
import { check, codes, paths, TODAY, validBasic } from '../testing/fixtures.js';
import { validateRecord } from './record.validator.js';

const edu = (over: Record<string, unknown> = {}) => ({
  startMonth: '2006-09',
  endMonth: '2010-07',
  schoolName: '北京师范大学',
  educationLevel: '21',
  degree: '4',
  ...over,
});

describe('record validation against the catalogue', () => {
  it('accepts a complete record and reports the catalogue version and set', () => {
    const r = check({
      basic: validBasic({ formerName: '李小明', maritalStatus: '20', staffSource: '1', itAbility: '2' }),
      education: [{ id: 'e1', ...edu(), isHighest: true }],
      postAppointment: [{ postType: '1', postLevel: '专技十级', startMonth: '2020-09', endMonth: '2029-08' }],
      professionalTitle: [{ title: '013', titleLevel: '3', startMonth: '2018-09' }],
      annualAssessment: [
        { year: 2024, result: '1' },
        { year: 2025, result: '2' },
      ],
      teaching: [{ schoolYear: '2025-2026', semester: '1', subject: '02', weeklyHours: 12 }],
      domesticTraining: [
        { projectName: '国培计划', startDate: '2025-07-01', endDate: '2025-07-10', hours: 40, level: '1' },
      ],
      exchangeRotation: [{ kind: '1', startDate: '2025-09-01', endDate: '2027-07-31', toUnit: '某乡中心小学' }],
      contacts: { mobile: '13800138000', email: 'li@example.cn', address: '北京市海淀区' },
    });
    assert.deepEqual(r.problems, []);
    assert.equal(r.valid, true);
    assert.equal(r.catalogueVersion, CATALOGUE_VERSION);
    assert.equal(r.indicatorSet, 'primary-secondary');
  });

  it('refuses unknown sub-sets and unknown fields, with paths', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ nickname: 'x' }) })), ['basic.nickname']);
    assert.deepEqual(paths(check({ basic: validBasic(), awards: [] })), ['awards']);
    assert.deepEqual(paths(check({ basic: validBasic(), education: [edu({ grade: 'A' })] })), ['education[0].grade']);
    assert.deepEqual(codes(check({ basic: validBasic({ nickname: 'x' }) })), ['unknown']);
  });

  it('refuses bad codes, wrong types and over-long values', () => {
    assert.deepEqual(
      paths(
        check({
          basic: validBasic({ politicalStatus: '99', staffCategory: 11, onEstablishment: 'yes', ethnicity: '57' }),
        }),
      ),
      ['basic.ethnicity', 'basic.onEstablishment', 'basic.politicalStatus', 'basic.staffCategory'],
    );
    assert.deepEqual(codes(check({ basic: validBasic({ politicalStatus: '99' }) })), ['code']);
    assert.deepEqual(codes(check({ basic: validBasic({ name: '李'.repeat(51) }) })), ['maxLength']);
    assert.deepEqual(codes(check({ basic: validBasic(), education: [edu({ degree: '5' })] })), ['code']);
    assert.deepEqual(codes(check({ basic: validBasic(), teaching: [{ schoolYear: '2025', subject: '02' }] })), [
      'pattern',
    ]);
  });

  it('requires required fields and the basic sub-set; null counts as missing', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ name: undefined }) })), ['basic.name']);
    assert.deepEqual(paths(check({ basic: validBasic({ personStatus: null }) })), ['basic.personStatus']);
    assert.deepEqual(paths(check({ basic: validBasic(), education: [{ schoolName: 'x' }] })), [
      'education[0].educationLevel',
      'education[0].startMonth',
    ]);
    assert.deepEqual(paths(check({})), ['basic']);
    assert.deepEqual(codes(check({ basic: validBasic({ name: undefined }) })), ['required']);
  });

  it('enforces cardinality and the list size limit', () => {
    assert.deepEqual(paths(check({ basic: validBasic(), education: {} })), ['education']);
    assert.deepEqual(paths(check({ basic: [validBasic()] })), ['basic']);
    assert.deepEqual(paths(check({ basic: validBasic(), education: ['x'] })), ['education[0]']);
    assert.deepEqual(check({ basic: validBasic(), education: Array.from({ length: 100 }, () => edu()) }).problems, []);
    const over = check({ basic: validBasic(), education: Array.from({ length: 101 }, () => edu()) });
    assert.deepEqual(paths(over), ['education']);
    assert.deepEqual(codes(over), ['maxEntries']);
  });

  it('allows a string id on list entries only', () => {
    assert.deepEqual(check({ basic: validBasic(), education: [{ id: 'abc', ...edu() }] }).problems, []);
    assert.deepEqual(paths(check({ basic: validBasic(), education: [{ id: 7, ...edu() }] })), ['education[0].id']);
    assert.deepEqual(paths(check({ basic: validBasic({ id: 'abc' }) })), ['basic.id']);
  });

  it('knows which sub-sets and fields belong to the indicator set', () => {
    assert.deepEqual(paths(check({ basic: validBasic(), teaching: [] }, 'kindergarten')), ['teaching']);
    assert.deepEqual(paths(check({ basic: validBasic(), exchangeRotation: [] }, 'undergraduate')), [
      'exchangeRotation',
    ]);
    assert.deepEqual(paths(check({ basic: validBasic({ dualQualified: true }) }, 'primary-secondary')), [
      'basic.dualQualified',
    ]);
    assert.deepEqual(check({ basic: validBasic({ dualQualified: true }) }, 'secondary-vocational').problems, []);
    assert.deepEqual(check({ basic: validBasic({ preschoolMajor: true }) }, 'kindergarten').problems, []);
    assert.deepEqual(paths(check({ basic: validBasic({ preschoolMajor: true }) }, 'higher-vocational')), [
      'basic.preschoolMajor',
    ]);
  });

  it('refuses repeated years in assessment and pay', () => {
    const r = check({
      basic: validBasic(),
      annualAssessment: [
        { year: 2024, result: '1' },
        { year: 2025, result: '2' },
        { year: 2024, result: '2' },
      ],
    });
    assert.deepEqual(paths(r), ['annualAssessment[2].year']);
    assert.deepEqual(codes(r), ['duplicate']);
    assert.deepEqual(
      paths(
        check({
          basic: validBasic(),
          payBenefits: [
            { year: 2024, annualPay: 1 },
            { year: 2024, annualPay: 2 },
          ],
        }),
      ),
      ['payBenefits[1].year'],
    );
  });

  it('refuses future dates except the planned end of an appointment or rotation', () => {
    assert.deepEqual(
      paths(
        check({ basic: validBasic(), domesticTraining: [{ projectName: 'x', startDate: '2026-12-01', hours: 8 }] }),
      ),
      ['domesticTraining[0].startDate'],
    );
    assert.deepEqual(
      check({ basic: validBasic(), professionalTitle: [{ title: '013', startMonth: '2024-09', endMonth: '2030-08' }] })
        .problems,
      [],
    );
    assert.deepEqual(paths(check({ basic: validBasic(), education: [edu({ endMonth: '2027-07' })] })), [
      'education[0].endMonth',
    ]);
  });

  it('refuses an unknown indicator set and a record that is not an object; defaults today to now', () => {
    const r = validateRecord({ basic: validBasic() }, { indicatorSet: 'nursery' });
    assert.deepEqual(
      r.problems.map((p) => `${p.path}:${p.code}`),
      ['indicatorSet:unknown'],
    );
    assert.equal(r.valid, false);
    assert.deepEqual(paths(check(null)), ['record']);
    assert.deepEqual(paths(check([])), ['record']);
    assert.deepEqual(validateRecord({ basic: validBasic() }, { indicatorSet: 'primary-secondary' }).problems, []);
  });

  it('gives English and Chinese messages', () => {
    const [p] = check({ basic: validBasic({ name: undefined }) }, 'primary-secondary', [], { today: TODAY }).problems;
    assert.deepEqual(p, {
      path: 'basic.name',
      code: 'required',
      message: 'is required',
      messageZh: 'basic.name：必填',
    });
  });
});

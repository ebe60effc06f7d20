import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, validBasic } from '../testing/fixtures.js';
import {
  CATALOGUE,
  CATALOGUE_VERSION,
  coreField,
  fieldApplies,
  fieldRequired,
  indicatorSet,
  indicatorSetForSchoolType,
  indicatorSetsWithSubSet,
  subSetsOf,
} from './catalogue.js';
import { validateCatalogueDefinition } from './catalogue-check.js';
import { INDICATOR_SETS } from './indicator-sets.js';
import { SUB_SETS } from './sub-sets.js';
import { SCHOOL_ONLY_SUB_SETS, type CatalogueDefinition, type FieldDef, type SubSetDef } from './types.js';

const sub = (key: string) => SUB_SETS.find((s) => s.key === key)!;
const keysOf = (key: string) => sub(key).fields.map((f) => f.key);

describe('catalogue data', () => {
  it('has the 17 sub-sets of Appendix A in order; basic and contacts single, the rest lists; 14 teacher-visible', () => {
    assert.deepEqual(
      SUB_SETS.map((s) => s.key),
      [
        'basic',
        'education',
        'workHistory',
        'postAppointment',
        'professionalTitle',
        'payBenefits',
        'annualAssessment',
        'qualification',
        'ethics',
        'teaching',
        'researchAwards',
        'talentProgrammes',
        'domesticTraining',
        'overseasStudy',
        'skillsCertificates',
        'exchangeRotation',
        'contacts',
      ],
    );
    assert.deepEqual(
      SUB_SETS.map((s) => s.order),
      Array.from({ length: 17 }, (_, i) => i + 1),
    );
    assert.deepEqual(
      SUB_SETS.filter((s) => s.cardinality === 'one').map((s) => s.key),
      ['basic', 'contacts'],
    );
    assert.deepEqual(
      SUB_SETS.filter((s) => !s.teacherVisible).map((s) => s.key),
      ['payBenefits', 'annualAssessment', 'ethics'],
    );
  });

  it('passes its own integrity check and carries its version', () => {
    assert.deepEqual(validateCatalogueDefinition(CATALOGUE), []);
    assert.equal(CATALOGUE.version, CATALOGUE_VERSION);
    assert.match(CATALOGUE_VERSION, /^\d{4}\.\d+$/);
  });

  it('basic information holds the Appendix A fields', () => {
    for (const k of [
      'name',
      'formerName',
      'sex',
      'nationality',
      'idType',
      'idNumber',
      'birthDate',
      'birthplace',
      'nativePlace',
      'ethnicity',
      'politicalStatus',
      'maritalStatus',
      'health',
      'photoRef',
      'staffNumber',
      'workStartMonth',
      'schoolEntryMonth',
      'staffSource',
      'staffCategory',
      'onEstablishment',
      'employmentForm',
      'contractStatus',
      'personStatus',
      'itAbility',
      'specialGradeTeacher',
      'fundedNormalStudent',
      'countyBackbone',
      'mentalHealthTeacher',
      'normalMajorGraduate',
      'dualQualified',
      'preschoolMajor',
    ]) {
      assert.ok(keysOf('basic').includes(k), k);
    }
    assert.equal(coreField('basic', 'workStartMonth')?.type, 'yearMonth');
    assert.equal(coreField('basic', 'idNumber')?.type, 'idNumber');
    assert.equal(coreField('education', 'degree')?.codeTable, 'degree');
    assert.deepEqual(keysOf('contacts').slice(0, 4), ['mobile', 'officePhone', 'email', 'address']);
  });

  it('pay, assessment, ethics and professional-title fields are never teacher-owned; pay fields are pay-sensitive', () => {
    for (const key of SCHOOL_ONLY_SUB_SETS)
      for (const f of sub(key).fields) assert.notEqual(f.owner, 'teacher', `${key}.${f.key}`);
    for (const f of sub('payBenefits').fields) assert.equal(f.sensitivity, 'pay', f.key);
  });

  it('ID number and contacts are personal data', () => {
    assert.equal(coreField('basic', 'idNumber')?.sensitivity, 'personal');
    for (const f of sub('contacts').fields) assert.equal(f.sensitivity, 'personal', f.key);
    assert.equal(coreField('basic', 'name')?.sensitivity, 'normal');
  });

  it('limits set-specific flags: dual-qualified to vocational sets, pre-school major to kindergartens', () => {
    const dual = coreField('basic', 'dualQualified')!;
    assert.ok(fieldApplies(dual, 'secondary-vocational') && fieldApplies(dual, 'higher-vocational'));
    assert.ok(!fieldApplies(dual, 'primary-secondary'));
    const pre = coreField('basic', 'preschoolMajor')!;
    assert.ok(fieldApplies(pre, 'kindergarten') && !fieldApplies(pre, 'undergraduate'));
  });
});

describe('indicator sets', () => {
  it('has seven sets, the seventh a documented placeholder', () => {
    assert.deepEqual(
      INDICATOR_SETS.map((s) => s.key),
      [
        'kindergarten',
        'primary-secondary',
        'secondary-vocational',
        'special-education',
        'higher-vocational',
        'undergraduate',
        'other',
      ],
    );
    assert.match(indicatorSet('other')?.note ?? '', /seventh/);
  });

  it('kindergartens have no teaching sub-set; exchange rotation is primary/secondary only', () => {
    assert.ok(!indicatorSetsWithSubSet('teaching').includes('kindergarten'));
    assert.equal(indicatorSetsWithSubSet('teaching').length, 6);
    assert.deepEqual(indicatorSetsWithSubSet('exchangeRotation'), ['primary-secondary']);
    assert.equal(subSetsOf('primary-secondary').length, 17);
    assert.deepEqual(
      subSetsOf('kindergarten').map((s) => s.order),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 17],
    );
    assert.deepEqual(subSetsOf('no-such-set'), []);
  });

  it('picks the set from the school type, falling back to the placeholder', () => {
    assert.equal(indicatorSetForSchoolType('11').key, 'kindergarten');
    assert.equal(indicatorSetForSchoolType('21').key, 'primary-secondary');
    assert.equal(indicatorSetForSchoolType('34').key, 'primary-secondary');
    assert.equal(indicatorSetForSchoolType('36').key, 'secondary-vocational');
    assert.equal(indicatorSetForSchoolType('41').key, 'undergraduate');
    assert.equal(indicatorSetForSchoolType('42').key, 'higher-vocational');
    assert.equal(indicatorSetForSchoolType('51').key, 'special-education');
    assert.equal(indicatorSetForSchoolType('99').key, 'other');
    assert.equal(indicatorSetForSchoolType(null).key, 'other');
    assert.equal(indicatorSetForSchoolType('toString').key, 'other');
  });

  it('requirement per set: everywhere, listed sets, or a default with overrides', () => {
    const f = (required: FieldDef['required']) => ({ required });
    assert.ok(fieldRequired(f(true), 'kindergarten'));
    assert.ok(!fieldRequired(f(undefined), 'kindergarten'));
    assert.ok(!fieldRequired(f(false), 'kindergarten'));
    assert.ok(fieldRequired(f(['undergraduate']), 'undergraduate'));
    assert.ok(!fieldRequired(f(['undergraduate']), 'kindergarten'));
    const o = f({ default: true, overrides: { kindergarten: false } });
    assert.ok(!fieldRequired(o, 'kindergarten'));
    assert.ok(fieldRequired(o, 'a-set-added-later'));
  });
});

describe('catalogue as data', () => {
  const adult: SubSetDef = {
    key: 'basic',
    order: 1,
    zh: '基本信息',
    en: 'Basic',
    cardinality: 'one',
    teacherVisible: true,
    fields: sub('basic').fields.map((f) =>
      f.key === 'staffNumber' ? { ...f, required: { default: false, overrides: { 'adult-education': true } } } : f,
    ),
  };
  const extended: CatalogueDefinition = {
    ...CATALOGUE,
    version: '2026.2',
    subSets: SUB_SETS.map((s) => (s.key === 'basic' ? adult : s)),
    indicatorSets: [
      ...INDICATOR_SETS,
      { key: 'adult-education', zh: '成人教育', en: 'Adult education', subSets: ['basic', 'education', 'contacts'] },
    ],
    setBySchoolType: { ...CATALOGUE.setBySchoolType, '61': 'adult-education' },
  };

  it('a new indicator set is data: picked by school type and validated without code changes', () => {
    assert.deepEqual(validateCatalogueDefinition(extended), []);
    assert.equal(indicatorSetForSchoolType('61', extended).key, 'adult-education');
    assert.equal(indicatorSetForSchoolType('61').key, 'other', 'the national catalogue is unchanged');
    const ok = check(
      { basic: validBasic({ staffNumber: 'A001' }), contacts: { email: 'a@b.cn' } },
      'adult-education',
      [],
      { catalogue: extended },
    );
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.catalogueVersion, '2026.2');
    const missing = check({ basic: validBasic(), teaching: [] }, 'adult-education', [], { catalogue: extended });
    assert.deepEqual(missing.problems.map((p) => p.path).sort(), ['basic.staffNumber', 'teaching']);
    assert.deepEqual(
      check({ basic: validBasic() }, 'adult-education').problems.map((p) => p.code),
      ['unknown'],
      'unknown in the national catalogue',
    );
  });

  it('refuses broken definitions', () => {
    const broken: CatalogueDefinition = {
      ...CATALOGUE,
      subSets: SUB_SETS.map((s) =>
        s.key === 'annualAssessment'
          ? {
              ...s,
              fields: [
                ...s.fields.map((f) => (f.key === 'result' ? { ...f, owner: 'teacher' as const } : f)),
                { ...s.fields[0], key: 'x_year' },
                { ...s.fields[0], key: 'level', type: 'code' as const, codeTable: 'nope' },
              ],
            }
          : s,
      ),
      setBySchoolType: { ...CATALOGUE.setBySchoolType, '61': 'missing-set' },
      fallbackSet: 'gone',
    };
    assert.deepEqual(
      validateCatalogueDefinition(broken)
        .map((p) => `${p.path}:${p.code}`)
        .sort(),
      [
        'annualAssessment.level:codeTable',
        'annualAssessment.result:owner',
        'annualAssessment.x_year:key',
        'fallbackSet:unknown',
        'setBySchoolType.61:unknown',
      ],
    );
    const dup: CatalogueDefinition = {
      ...CATALOGUE,
      indicatorSets: [...INDICATOR_SETS, { key: 'lonely', zh: '无', en: 'None', subSets: ['contacts', 'nope'] }],
    };
    assert.deepEqual(
      validateCatalogueDefinition(dup)
        .map((p) => `${p.path}:${p.code}`)
        .sort(),
      ['indicatorSets.lonely:required', 'indicatorSets.lonely:unknown'],
    );
  });
});

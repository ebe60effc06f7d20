import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeIdNumber, parseIdNumber, gb11643CheckChar } from '../validators/id-number.js';
import { checkSchoolCode } from '../validators/school-code.js';
import { CATALOGUE_VERSION, CODE_TABLES, indicatorSetForSchoolType, SUB_SETS, INDICATOR_SETS } from './index.js';
import { validateRecord } from './record.validator.js';
import { ownerViolations } from './ownership.js';
import { validateCustomFieldDefinition, type CustomFieldDefinition } from './custom-fields.js';

const ID = makeIdNumber('110101', '19880615', 123); // odd sequence → male
const today = new Date('2026-11-28T00:00:00Z');

function validBasic(over: Record<string, unknown> = {}) {
  return {
    name: '李明', sex: '1', nationality: 'CHN', ethnicity: '01', idType: '1', idNumber: ID, birthDate: '1988-06-15',
    politicalStatus: '13', workStartMonth: '2010-09', schoolEntryMonth: '2015-09', staffCategory: '11', onEstablishment: true, personStatus: '01',
    ...over,
  };
}
const paths = (r: { problems: { path: string }[] }) => r.problems.map((p) => p.path).sort();
const check = (record: unknown, set = 'primary-secondary', customFields: CustomFieldDefinition[] = []) => validateRecord(record, { indicatorSet: set, customFields, today });

describe('catalogue data', () => {
  it('has the 17 sub-sets in Appendix A order, basic and contacts single, the rest lists', () => {
    assert.equal(SUB_SETS.length, 17);
    assert.deepEqual(SUB_SETS.map((s) => s.order), Array.from({ length: 17 }, (_, i) => i + 1));
    assert.deepEqual(SUB_SETS.filter((s) => s.cardinality === 'one').map((s) => s.key), ['basic', 'contacts']);
    assert.equal(SUB_SETS.filter((s) => s.teacherVisible).length, 14);
  });
  it('has 56 ethnic groups plus the two special codes, and every code field names an existing table', () => {
    assert.equal(CODE_TABLES.get('ethnicity')!.entries.length, 58);
    for (const s of SUB_SETS) for (const f of s.fields) if (f.type === 'code') assert.ok(CODE_TABLES.has(f.codeTable!), `${s.key}.${f.key}`);
  });
  it('pay, assessment, ethics and professional-title fields are never teacher-owned', () => {
    for (const key of ['payBenefits', 'annualAssessment', 'ethics', 'professionalTitle']) {
      for (const f of SUB_SETS.find((s) => s.key === key)!.fields) assert.notEqual(f.owner, 'teacher', `${key}.${f.key}`);
    }
  });
  it('picks the indicator set from the school type; kindergartens have no teaching sub-set; rotation is primary/secondary only', () => {
    assert.equal(indicatorSetForSchoolType('11').key, 'kindergarten');
    assert.equal(indicatorSetForSchoolType('34').key, 'primary-secondary');
    assert.equal(indicatorSetForSchoolType('99').key, 'other');
    assert.ok(!indicatorSetForSchoolType('11').subSets.includes('teaching'));
    assert.deepEqual(INDICATOR_SETS.filter((s) => s.subSets.includes('exchangeRotation')).map((s) => s.key), ['primary-secondary']);
    assert.equal(INDICATOR_SETS.length, 7);
  });
});

describe('GB 11643 and school codes', () => {
  it('computes the check character and derives birth date and sex', () => {
    assert.equal(gb11643CheckChar('11010519491231002'), 'X');
    const p = parseIdNumber('11010519491231002X');
    assert.ok(p.ok);
    assert.deepEqual(p.ok && p.value, { addressCode: '110105', birthDate: '1949-12-31', sex: '2' });
    assert.deepEqual(parseIdNumber('110105194912310021'), { ok: false, problem: 'checkChar' });
    assert.deepEqual(parseIdNumber('11010519491331002X'), { ok: false, problem: 'birthDate' });
    assert.deepEqual(parseIdNumber('99010519491231002X'), { ok: false, problem: 'address' });
    assert.deepEqual(parseIdNumber('1101051949123100'), { ok: false, problem: 'format' });
  });
  it('validates school codes: type, province, sequence', () => {
    assert.equal(checkSchoolCode('2144000123', '44'), null);
    assert.equal(checkSchoolCode('2144000123', '11'), 'province');
    assert.equal(checkSchoolCode('9944000123'), 'type');
    assert.equal(checkSchoolCode('2144000000'), 'sequence');
    assert.equal(checkSchoolCode('21440001'), 'format');
  });
});

describe('record validation', () => {
  it('accepts a complete record and reports the catalogue version', () => {
    const r = check({ basic: validBasic(), education: [{ startMonth: '2006-09', endMonth: '2010-07', schoolName: '北京师范大学', educationLevel: '21', degree: '4' }], contacts: { mobile: '13800138000', email: 'li@example.cn' } });
    assert.deepEqual(r.problems, []);
    assert.equal(r.catalogueVersion, CATALOGUE_VERSION);
  });
  it('refuses a wrong check character, and birth date or sex that disagree with the ID number', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ idNumber: ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0') }) })), ['basic.idNumber']);
    assert.deepEqual(paths(check({ basic: validBasic({ birthDate: '1988-06-16' }) })), ['basic.birthDate']);
    assert.deepEqual(paths(check({ basic: validBasic({ sex: '2' }) })), ['basic.sex']);
    assert.deepEqual(check({ basic: validBasic({ idType: 'A', idNumber: 'E12345678', sex: '2', birthDate: '1990-01-01' }) }).problems, [], 'passports are not checked with GB 11643');
  });
  it('enforces date order: birth < work start ≤ school entry, and start ≤ end in lists', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ workStartMonth: '1987-01' }) })), ['basic.workStartMonth']);
    assert.deepEqual(paths(check({ basic: validBasic({ schoolEntryMonth: '2009-01' }) })), ['basic.schoolEntryMonth']);
    assert.deepEqual(paths(check({ basic: validBasic(), domesticTraining: [{ projectName: '国培', startDate: '2024-07-10', endDate: '2024-07-01', hours: 24 }] })), ['domesticTraining[0].endDate']);
    assert.deepEqual(paths(check({ basic: validBasic({ schoolEntryMonth: '2030-01' }) })), ['basic.schoolEntryMonth']);
  });
  it('applies the conditional rules', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ onEstablishment: false }) })), ['basic.employmentForm']);
    assert.deepEqual(check({ basic: validBasic({ onEstablishment: false, employmentForm: '1' }) }).problems, []);
    assert.deepEqual(paths(check({ basic: validBasic({ nationality: 'USA', idType: 'A', idNumber: 'P123456' }) })), ['basic.ethnicity']);
    assert.deepEqual(check({ basic: validBasic({ nationality: 'USA', idType: 'A', idNumber: 'P123456', ethnicity: undefined }) }).problems, []);
    assert.deepEqual(paths(check({ basic: validBasic({ ethnicity: undefined }) })), ['basic.ethnicity']);
  });
  it('refuses bad codes, wrong types, unknown keys, missing required fields and oversize lists, with paths', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ politicalStatus: '99', staffCategory: 11, onEstablishment: 'yes', nickname: 'x' }) })), ['basic.nickname', 'basic.onEstablishment', 'basic.politicalStatus', 'basic.staffCategory']);
    assert.deepEqual(paths(check({ basic: validBasic({ name: undefined }) })), ['basic.name']);
    assert.deepEqual(paths(check({ basic: validBasic(), education: [{ schoolName: 'x' }] })), ['education[0].educationLevel', 'education[0].startMonth']);
    assert.deepEqual(paths(check({ basic: validBasic(), awards: [] })), ['awards']);
    assert.deepEqual(paths(check({ basic: validBasic(), education: {} })), ['education']);
    const many = Array.from({ length: 101 }, () => ({ startMonth: '2000-01', schoolName: 'x', educationLevel: '21' }));
    assert.deepEqual(paths(check({ basic: validBasic(), education: many })), ['education']);
    assert.deepEqual(paths(check({})), ['basic']);
  });
  it('knows which sub-sets and fields belong to the indicator set', () => {
    assert.deepEqual(paths(check({ basic: validBasic(), teaching: [] }, 'kindergarten')), ['teaching']);
    assert.deepEqual(paths(check({ basic: validBasic({ dualQualified: true }) }, 'primary-secondary')), ['basic.dualQualified']);
    assert.deepEqual(check({ basic: validBasic({ dualQualified: true }) }, 'secondary-vocational').problems, []);
  });
});

describe('owner rules (Art. 16)', () => {
  it('a teacher may write teacher-owned fields only; a school school-owned too; a department all', () => {
    assert.deepEqual(ownerViolations('teacher', ['basic.name', 'annualAssessment[0].result', 'payBenefits[1].annualPay', 'ethics[0].kind', 'professionalTitle[0].title', 'domesticTraining[0].hours']), ['annualAssessment[0].result', 'payBenefits[1].annualPay', 'ethics[0].kind', 'professionalTitle[0].title']);
    assert.deepEqual(ownerViolations('teacher', ['basic.idNumber', 'basic.personStatus']), ['basic.idNumber', 'basic.personStatus']);
    assert.deepEqual(ownerViolations('school', ['annualAssessment[0].result', 'basic.name']), []);
    assert.deepEqual(ownerViolations('school', ['basic.unknownField']), ['basic.unknownField']);
  });
});

describe('provincial custom fields (Art. 11)', () => {
  const def: CustomFieldDefinition = { key: 'x_ruralYears', zh: '乡村任教年限', en: 'Years teaching in rural schools', type: 'integer', subSet: 'basic', requiredIn: ['primary-secondary'], owner: 'school', sensitivity: 'normal', version: 1, status: 'active' };
  const coded: CustomFieldDefinition = { key: 'x_housing', zh: '住房类型', en: 'Housing', type: 'code', codes: [{ code: 'A', zh: '周转房', en: 'Rotation housing' }, { code: 'B', zh: '自有', en: 'Own' }], subSet: 'basic', requiredIn: [], owner: 'teacher', sensitivity: 'normal', version: 1, status: 'active' };
  it('validates definitions: namespace, collisions, code tables, owner of protected sub-sets, type changes in use', () => {
    assert.deepEqual(validateCustomFieldDefinition(def), []);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, key: 'ruralYears' }).map((p) => p.path), ['key']);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, key: 'x_name' }).map((p) => p.code), []);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, key: 'name' }).map((p) => p.code).sort(), ['collision', 'customKey']);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, type: 'code' }).map((p) => p.path), ['codeTable']);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, subSet: 'annualAssessment', owner: 'teacher' }).map((p) => p.path), ['owner']);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, type: 'string', version: 2 }, def, true).map((p) => p.code), ['inUse']);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, zh: '乡村教龄', version: 2 }, def, true), []);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, type: 'string', version: 2 }, def, false), []);
  });
  it('validates custom values exactly like core ones; retired fields are refused on write', () => {
    assert.deepEqual(paths(check({ basic: validBasic() }, 'primary-secondary', [def])), ['basic.x_ruralYears']);
    assert.deepEqual(check({ basic: validBasic({ x_ruralYears: 6, x_housing: 'A' }) }, 'primary-secondary', [def, coded]).problems, []);
    assert.deepEqual(paths(check({ basic: validBasic({ x_ruralYears: 'six', x_housing: 'C' }) }, 'primary-secondary', [def, coded])), ['basic.x_housing', 'basic.x_ruralYears']);
    assert.deepEqual(check({ basic: validBasic() }, 'kindergarten', [def]).problems, [], 'required only in the sets named');
    assert.deepEqual(paths(check({ basic: validBasic({ x_housing: 'A' }) }, 'kindergarten', [{ ...coded, status: 'retired' }])), ['basic.x_housing']);
    assert.deepEqual(paths(check({ basic: validBasic({ x_other: 1 }) }, 'kindergarten', [def])), ['basic.x_other']);
    assert.deepEqual(ownerViolations('teacher', ['basic.x_ruralYears', 'basic.x_housing'], [def, coded]), ['basic.x_ruralYears']);
  });
});

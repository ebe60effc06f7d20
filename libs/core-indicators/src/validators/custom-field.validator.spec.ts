import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomFieldDefinition } from '../catalogue/custom-fields.js';
import { check, HOUSING, paths, RURAL_YEARS as def, validBasic } from '../testing/fixtures.js';
import { validateCustomFieldDefinition } from './custom-field.validator.js';

type Existing = CustomFieldDefinition | CustomFieldDefinition[] | undefined;
const pathsOf = (d: CustomFieldDefinition, existing?: Existing, inUse = false) =>
  validateCustomFieldDefinition(d, existing, inUse)
    .map((p) => p.path)
    .sort();
const codesOf = (d: CustomFieldDefinition, existing?: Existing, inUse = false) =>
  validateCustomFieldDefinition(d, existing, inUse)
    .map((p) => p.code)
    .sort();

describe('custom field definitions (Art. 11)', () => {
  it('accepts well-formed definitions', () => {
    assert.deepEqual(validateCustomFieldDefinition(def), []);
    assert.deepEqual(validateCustomFieldDefinition(HOUSING), []);
    assert.deepEqual(validateCustomFieldDefinition({ ...HOUSING, codes: undefined, codeTable: 'level' }), []);
    assert.deepEqual(
      validateCustomFieldDefinition({ ...def, key: 'x_name' }),
      [],
      'x_ keeps provinces apart from core keys',
    );
  });

  it('refuses keys outside the province namespace and collisions with core keys', () => {
    assert.deepEqual(codesOf({ ...def, key: 'ruralYears' }), ['customKey']);
    assert.deepEqual(codesOf({ ...def, key: 'x_' }), ['customKey']);
    assert.deepEqual(codesOf({ ...def, key: 'x_Rural' }), ['customKey']);
    assert.deepEqual(codesOf({ ...def, key: 'name' }), ['collision', 'customKey']);
    assert.deepEqual(codesOf({ ...def, key: 'startMonth' }), ['collision', 'customKey']);
  });

  it('refuses bad code tables, owners, sensitivity, sets and lengths', () => {
    assert.deepEqual(pathsOf({ ...def, type: 'code' }), ['codeTable']);
    assert.deepEqual(pathsOf({ ...HOUSING, codeTable: 'sex' }), ['codeTable'], 'not both');
    assert.deepEqual(
      pathsOf({
        ...HOUSING,
        codes: [
          { code: 'A', zh: '一', en: 'a' },
          { code: 'A', zh: '二', en: 'b' },
        ],
      }),
      ['codes'],
    );
    assert.deepEqual(pathsOf({ ...def, codeTable: 'sex' }), ['codeTable'], 'integers have no table');
    assert.deepEqual(pathsOf({ ...def, subSet: 'annualAssessment', owner: 'teacher', requiredIn: [] }), ['owner']);
    assert.deepEqual(pathsOf({ ...def, subSet: 'payBenefits', requiredIn: [] }), ['sensitivity']);
    assert.deepEqual(pathsOf({ ...def, subSet: 'awards' }), ['subSet']);
    assert.deepEqual(pathsOf({ ...def, requiredIn: ['nursery'] }), ['requiredIn']);
    assert.deepEqual(codesOf({ ...def, subSet: 'teaching', requiredIn: ['kindergarten'] }), ['notInSet']);
    assert.deepEqual(pathsOf({ ...def, maxLength: 50 }), ['maxLength'], 'integers have no length');
    assert.deepEqual(pathsOf({ ...def, zh: '' }), ['zh']);
  });

  it('refuses a type change of a field in use, but allows relabelling and changes of an unused field', () => {
    assert.deepEqual(codesOf({ ...def, type: 'string', version: 2 }, def, true), ['inUse']);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, zh: '乡村教龄', version: 2 }, def, true), []);
    assert.deepEqual(validateCustomFieldDefinition({ ...def, type: 'string', version: 2 }, def, false), []);
    assert.deepEqual(pathsOf({ ...HOUSING, codes: [HOUSING.codes![0]], version: 2 }, HOUSING, true), ['codes']);
    assert.deepEqual(pathsOf({ ...HOUSING, subSet: 'contacts', version: 2 }, HOUSING, true), ['subSet']);
    assert.deepEqual(pathsOf({ ...def, version: 1 }, def), ['version']);
  });

  it('takes the latest version from a list of existing definitions; retired keys are not revived', () => {
    const v2: CustomFieldDefinition = { ...def, version: 2, zh: '乡村教龄' };
    assert.deepEqual(codesOf({ ...def, type: 'decimal', version: 3 }, [def, v2, HOUSING], true), ['inUse']);
    assert.deepEqual(codesOf({ ...def, version: 2 }, [def, v2]), ['version']);
    assert.deepEqual(codesOf({ ...def, version: 4 }, [{ ...v2, version: 3, status: 'retired' }]), ['retired']);
  });
});

describe('custom values in records', () => {
  it('validates custom values exactly like core ones', () => {
    assert.deepEqual(
      paths(check({ basic: validBasic() }, 'primary-secondary', [def])),
      ['basic.x_ruralYears'],
      'required in primary/secondary',
    );
    assert.deepEqual(
      check({ basic: validBasic() }, 'kindergarten', [def]).problems,
      [],
      'required only in the sets named',
    );
    assert.deepEqual(
      check({ basic: validBasic({ x_ruralYears: 6, x_housing: 'A' }) }, 'primary-secondary', [def, HOUSING]).problems,
      [],
    );
    assert.deepEqual(
      paths(check({ basic: validBasic({ x_ruralYears: 'six', x_housing: 'C' }) }, 'primary-secondary', [def, HOUSING])),
      ['basic.x_housing', 'basic.x_ruralYears'],
    );
    const coreTable: CustomFieldDefinition = {
      ...HOUSING,
      key: 'x_honourLevel',
      codes: undefined,
      codeTable: 'level',
      subSet: 'domesticTraining',
    };
    const training = { projectName: '国培', startDate: '2025-07-01', hours: 8 };
    assert.deepEqual(
      check({ basic: validBasic(), domesticTraining: [{ ...training, x_honourLevel: '2' }] }, 'kindergarten', [
        coreTable,
      ]).problems,
      [],
    );
    assert.deepEqual(
      paths(
        check({ basic: validBasic(), domesticTraining: [{ ...training, x_honourLevel: '7' }] }, 'kindergarten', [
          coreTable,
        ]),
      ),
      ['domesticTraining[0].x_honourLevel'],
    );
    const note: CustomFieldDefinition = { ...def, key: 'x_note', type: 'string', maxLength: 5, requiredIn: [] };
    assert.deepEqual(paths(check({ basic: validBasic({ x_note: '超过五个字的备注' }) }, 'kindergarten', [note])), [
      'basic.x_note',
    ]);
  });

  it('refuses unknown custom keys and retired fields on write', () => {
    assert.deepEqual(paths(check({ basic: validBasic({ x_other: 1 }) }, 'kindergarten', [def])), ['basic.x_other']);
    const retired = check({ basic: validBasic({ x_housing: 'A' }) }, 'kindergarten', [
      { ...HOUSING, status: 'retired', version: 2 },
    ]);
    assert.deepEqual(
      retired.problems.map((p) => `${p.path}:${p.code}`),
      ['basic.x_housing:retired'],
    );
    assert.deepEqual(
      check({ basic: validBasic({ x_housing: null }) }, 'kindergarten', [{ ...HOUSING, status: 'retired', version: 2 }])
        .problems,
      [],
    );
    assert.deepEqual(
      check({ basic: validBasic() }, 'primary-secondary', [{ ...def, status: 'retired', version: 2 }]).problems,
      [],
      'a retired field is no longer required',
    );
  });

  it('keeps retired values a record already holds when the previous record is given', () => {
    const gone = [{ ...HOUSING, status: 'retired' as const, version: 2 }];
    const before = { basic: validBasic({ x_housing: 'A' }) };
    assert.deepEqual(
      check({ basic: validBasic({ x_housing: 'A', name: '李强' }) }, 'kindergarten', gone, { before }).problems,
      [],
    );
    assert.deepEqual(paths(check({ basic: validBasic({ x_housing: 'B' }) }, 'kindergarten', gone, { before })), [
      'basic.x_housing',
    ]);
    const listDef = [{ ...HOUSING, subSet: 'domesticTraining', status: 'retired' as const, version: 2 }];
    const t = { id: 't1', projectName: '国培', startDate: '2025-07-01', hours: 8, x_housing: 'A' };
    assert.deepEqual(
      check({ basic: validBasic(), domesticTraining: [{ ...t, hours: 9 }] }, 'kindergarten', listDef, {
        before: { domesticTraining: [t] },
      }).problems,
      [],
    );
    assert.deepEqual(
      paths(
        check({ basic: validBasic(), domesticTraining: [{ ...t, id: 't2' }] }, 'kindergarten', listDef, {
          before: { domesticTraining: [t] },
        }),
      ),
      ['domesticTraining[0].x_housing'],
    );
  });
});

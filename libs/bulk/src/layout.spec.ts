import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE_VERSION } from '@tmis/core-indicators';
import { ALL_SETS, columnLetter, csvMetaLine, layoutMeta, parseCsvMetaLine, sheetLayouts } from './layout.js';

const custom = [
  {
    key: 'x_rural',
    zh: '乡村年限',
    en: 'Rural years',
    type: 'integer' as const,
    subSet: 'basic',
    requiredIn: [],
    owner: 'school' as const,
    sensitivity: 'normal' as const,
    version: 2,
    status: 'active' as const,
  },
];

describe('sheet layout', () => {
  it('has one sheet per sub-set of the set: kindergarten has no teaching sheet', () => {
    assert.equal(sheetLayouts('primary-secondary', []).length, 17);
    const k = sheetLayouts('kindergarten', []).map((l) => l.subSet);
    assert.ok(!k.includes('teaching') && !k.includes('exchangeRotation'));
    assert.ok(
      sheetLayouts('kindergarten', [])
        .find((l) => l.subSet === 'basic')!
        .columns.some((c) => c.key === 'preschoolMajor'),
      'set-only fields appear in their set',
    );
    assert.ok(
      !sheetLayouts('primary-secondary', [])
        .find((l) => l.subSet === 'basic')!
        .columns.some((c) => c.key === 'preschoolMajor'),
    );
  });

  it('puts the unit code and the person first on the basic sheet, the person key and entry id on list sheets, custom fields last', () => {
    const [basic, education] = sheetLayouts(ALL_SETS, custom);
    assert.deepEqual(
      basic.columns.slice(0, 4).map((c) => c.key),
      ['unitCode', 'idType', 'idNumber', 'name'],
    );
    assert.equal(basic.columns[basic.columns.length - 1].key, 'x_rural');
    assert.deepEqual(
      education.columns.slice(0, 3).map((c) => c.key),
      ['idType', 'idNumber', 'id'],
    );
    assert.equal(
      sheetLayouts(ALL_SETS, [], { withoutPay: true }).some((l) => l.subSet === 'payBenefits'),
      false,
    );
  });

  it('records the catalogue and custom-field versions; the CSV layout line round-trips', () => {
    const meta = layoutMeta('school', 'primary-secondary', custom, '11', false);
    assert.equal(meta.catalogueVersion, CATALOGUE_VERSION);
    assert.equal(meta.customFields, 'x_rural@2');
    const line = csvMetaLine(meta, 'basic');
    assert.deepEqual(parseCsvMetaLine(line + ',,,'), {
      format: 'tmis-bulk',
      layout: '1',
      catalogue: CATALOGUE_VERSION,
      subSet: 'basic',
      kind: 'school',
      masked: 'false',
    });
    assert.equal(parseCsvMetaLine('name,idNumber'), null);
  });

  it('names columns like Excel', () => {
    assert.deepEqual([1, 26, 27, 52, 703].map(columnLetter), ['A', 'Z', 'AA', 'AZ', 'AAA']);
  });
});

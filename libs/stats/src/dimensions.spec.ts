import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGE_BANDS, DIMENSION_BY_KEY, DIMENSIONS, labelValue, PAY_BANDS } from './dimensions.js';
import { parseFilter } from './stats.service.js';
import { toCsv, type StatsTable } from './stats.table.js';

describe('statistics dimensions', () => {
  it('every dimension has unique key and column, both labels, and labels for its values', () => {
    assert.equal(new Set(DIMENSIONS.map((d) => d.key)).size, DIMENSIONS.length);
    assert.equal(new Set(DIMENSIONS.map((d) => d.column)).size, DIMENSIONS.length);
    for (const d of DIMENSIONS) {
      assert.ok(d.zh && d.en && (d.codeTable || d.label), d.key);
    }
    assert.deepEqual(labelValue(DIMENSION_BY_KEY.get('sex')!, '2'), { code: '2', zh: '女', en: 'Female' });
    assert.deepEqual(labelValue(DIMENSION_BY_KEY.get('title')!, null), {
      code: null,
      zh: '未填报',
      en: 'Not recorded',
    });
    assert.deepEqual(labelValue(DIMENSION_BY_KEY.get('ageBand')!, '30'), { code: '30', zh: '30-34岁', en: '30-34' });
    assert.equal(labelValue(DIMENSION_BY_KEY.get('retireYear')!, '2030').zh, '2030年');
    assert.equal(labelValue(DIMENSION_BY_KEY.get('indicatorSet')!, 'kindergarten').en, 'Kindergarten');
    assert.equal(AGE_BANDS.length, 9);
    assert.equal(PAY_BANDS[0].from, 0);
  });

  it('parses filters', () => {
    assert.deepEqual(parseFilter('title:012|013,sex:2'), [
      { dim: 'title', values: ['012', '013'] },
      { dim: 'sex', values: ['2'] },
    ]);
    assert.deepEqual(parseFilter(undefined), []);
  });

  it('CSV quotes what needs quoting and starts with a byte-order mark', () => {
    const t = {
      level: null,
      by: [{ key: 'sex', zh: '性别', en: 'Sex' }],
      rows: [
        { values: { sex: { code: '1', zh: '男', en: 'Male, "M"' } }, count: 3, suppressed: false },
        { values: { sex: { code: '2', zh: '女', en: 'Female' } }, count: null, suppressed: true },
      ],
    } as unknown as StatsTable;
    assert.equal(
      toCsv(t),
      '\ufeffsex_code,sex_zh,sex_en,count,suppressed\r\n1,男,"Male, ""M""",3,0\r\n2,女,Female,,1\r\n',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CODE_TABLES } from '@tmis/core-indicators';
import { cellToValue, normaliseDate, normaliseYearMonth, valueToCell } from './cells.js';

const political = { type: 'code' as const, codes: CODE_TABLES.get('political-status')!.entries };

describe('reading cells forgivingly', () => {
  it('takes a code as the code, "code label", the label, or a number that lost its leading zero', () => {
    assert.equal(cellToValue(political, '13'), '13');
    assert.equal(cellToValue(political, '13 群众'), '13');
    assert.equal(cellToValue(political, '群众'), '13');
    assert.equal(cellToValue(political, 1), '01');
    assert.equal(cellToValue(political, '99'), '99', 'an unknown code is passed on for the validator to refuse');
  });

  it('reads dates and year-months from Excel dates, serial numbers and common spellings', () => {
    assert.equal(cellToValue({ type: 'date' }, new Date(Date.UTC(2020, 8, 1))), '2020-09-01');
    assert.equal(cellToValue({ type: 'date' }, 44075), '2020-09-01');
    assert.equal(normaliseDate('2020/9/1'), '2020-09-01');
    assert.equal(normaliseDate('2020年9月1日'), '2020-09-01');
    assert.equal(normaliseDate('20200901'), '2020-09-01');
    assert.equal(normaliseDate('1 Sept'), '1 Sept');
    assert.equal(normaliseYearMonth('2020.9'), '2020-09');
    assert.equal(cellToValue({ type: 'yearMonth' }, new Date(Date.UTC(2020, 8, 1))), '2020-09');
  });

  it('reads yes/no, numbers typed as text, and upper-cases ID numbers; empty cells are absent', () => {
    assert.equal(cellToValue({ type: 'boolean' }, '是'), true);
    assert.equal(cellToValue({ type: 'boolean' }, 'N'), false);
    assert.equal(cellToValue({ type: 'boolean' }, '也许'), '也许');
    assert.equal(cellToValue({ type: 'decimal' }, '1,200.5'), 1200.5);
    assert.equal(cellToValue({ type: 'integer' }, 'twelve'), 'twelve');
    assert.equal(cellToValue({ type: 'idNumber' }, ' 11010119900101123x '), '11010119900101123X');
    assert.equal(cellToValue({ type: 'string' }, '   '), undefined);
    assert.equal(cellToValue({ type: 'string' }, null), undefined);
    assert.equal(cellToValue({ type: 'phone' }, 13900000000), '13900000000');
  });

  it('writes codes as "code label" and booleans as 是/否, which read back to the same values', () => {
    const shown = valueToCell(political, '13');
    assert.equal(shown, '13 群众');
    assert.equal(cellToValue(political, shown), '13');
    assert.equal(cellToValue({ type: 'boolean' }, valueToCell({ type: 'boolean' }, false)), false);
  });
});

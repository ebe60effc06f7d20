import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSnapshotRecord, snapshotRecordByClass } from './sync-messages.js';

const valid: Record<string, unknown> = {
  teacherId: '3f1c2b0e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  unitCode: '2111000101',
  idType: '1',
  idNumber: '11010119850315001X',
  name: '李四',
  personStatus: '01',
  reportedVersion: 3,
  record: { basic: {} },
  catalogueVersion: '2026.1',
  custom: {},
};

/** Each member set to values the class accepts and refuses (and removed). */
const variants: Record<string, unknown[]> = {
  teacherId: ['not-a-uuid', '3F1C2B0E-1C2D-4E5F-8A9B-0C1D2E3F4A5B', 7, null, '', '3f1c2b0e1c2d4e5f8a9b0c1d2e3f4a5b'],
  unitCode: ['2111000101-001', '211100010', '2111000101-01', 2111000101, null, '2111000101\n'],
  idType: ['A1', 'a', '123', '', 1, null],
  idNumber: ['abcd', 'abc', 'x'.repeat(33), 'ab-cd', 1234, null],
  name: ['', 5, null, ['王']],
  personStatus: ['1', '001', 'ab', 1, null],
  reportedVersion: [1, 0, -1, 1.5, '3', null, 2 ** 31, Number.NaN],
  record: [[], null, 'x', 5, {}],
  catalogueVersion: [null, 5, '', {}],
  custom: [null, [], 'x', { x_a: 1 }],
};

describe('snapshot records: the direct check agrees with the contract class', () => {
  it('the same verdict, member by member, for every variant (and the same failing members)', () => {
    const cases: Record<string, unknown>[] = [valid, { ...valid, extra: 1 }];
    for (const [member, values] of Object.entries(variants)) {
      for (const v of values) cases.push({ ...valid, [member]: v });
      const without = { ...valid };
      delete without[member];
      cases.push(without);
    }
    for (const c of cases) {
      const byClass = snapshotRecordByClass(c);
      const direct = parseSnapshotRecord(c);
      assert.equal(direct.ok, byClass.length === 0, `${JSON.stringify(c)}: ${byClass.join('; ')}`);
      if (!direct.ok) {
        const members = (s: string[]) => [...new Set(s.map((x) => x.split(':')[0]))].sort();
        assert.deepEqual(
          members(direct.reason.replace(/^payload: /, '').split('; ')),
          members(byClass),
          JSON.stringify(c),
        );
        assert.deepEqual(
          direct.reason
            .replace(/^payload: /, '')
            .split('; ')
            .sort(),
          [...byClass].sort(),
          'the same rules named',
        );
      }
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeIdNumber, parseIdNumber } from '@tmis/core-indicators';
import type { TeacherUpsertedPayload } from '@tmis/contracts';
import { isActiveStatus, recordProblem, unstorable } from './message-checks.js';

function payload(
  basic: Record<string, unknown> = {},
  over: Partial<TeacherUpsertedPayload> = {},
): TeacherUpsertedPayload {
  const idNumber = makeIdNumber('110101', '19850315', 12);
  const parsed = parseIdNumber(idNumber);
  assert.ok(parsed.ok);
  const record = {
    basic: {
      name: '李四',
      sex: parsed.value.sex,
      nationality: 'CHN',
      ethnicity: '01',
      idType: '1',
      idNumber,
      birthDate: parsed.value.birthDate,
      politicalStatus: '13',
      workStartMonth: '2007-09',
      schoolEntryMonth: '2008-09',
      staffCategory: '11',
      onEstablishment: true,
      personStatus: '01',
      ...basic,
    },
  };
  return {
    teacherId: '8c0a3f43-8a75-4a55-8f29-21c3e3a1b4f1',
    unitCode: '2111000001',
    idType: '1',
    idNumber: String(record.basic.idNumber),
    name: '李四',
    personStatus: String(record.basic.personStatus),
    reportedVersion: 1,
    record,
    ...over,
  };
}

describe('national ingest: what a received record must be', () => {
  it('unstorable: depth, NUL characters and lone surrogates, without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { n: deep };
    assert.match(unstorable(deep)!, /nested deeper/);
    assert.equal(unstorable({ a: [{ b: 'ok' }] }), null);
    assert.match(unstorable({ a: 'x\u0000y' })!, /NUL/);
    assert.match(unstorable({ a: 'x\uD800' })!, /surrogate/);
    assert.match(unstorable({ ['k\u0000']: 1 })!, /key/);
    assert.equal(unstorable({ a: '\uD83D\uDE00' }), null, 'a surrogate pair is fine');
  });

  it('recordProblem: the catalogue validators, the code table, the check character, the columns', () => {
    assert.equal(recordProblem(payload(), []), null);
    assert.match(recordProblem(payload({ personStatus: '77' }, { personStatus: '77' }), [])!, /personStatus/);
    const good = payload().idNumber;
    const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    assert.match(recordProblem(payload({ idNumber: bad }, { idNumber: bad }), [])!, /idNumber/);
    assert.match(recordProblem(payload({}, { personStatus: '04' }), [])!, /differs from record.basic.personStatus/);
    assert.match(recordProblem(payload({ hobby: 'x' }), [])!, /hobby/);
    assert.match(recordProblem(payload({}, { reportedVersion: 2 ** 31 }), [])!, /reportedVersion/);
    // A custom field whose definitions have not arrived yet is not held against the record.
    assert.equal(recordProblem(payload({ x_band: 'A' }), []), null);
  });

  it('active statuses come from the catalogue', () => {
    assert.equal(isActiveStatus('01'), true);
    assert.equal(isActiveStatus('03'), true);
    assert.equal(isActiveStatus('04'), false);
  });
});

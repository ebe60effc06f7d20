import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeIdNumber } from '@tmis/core-indicators';
import { assessPerson, type AssessContext, type ExistingRecord, type StagedRow } from './assess.js';

const id = makeIdNumber('110101', '19850312', 123);
const basic = {
  idType: '1',
  idNumber: id,
  name: '王芳',
  sex: '1',
  nationality: 'CHN',
  ethnicity: '01',
  birthDate: '1985-03-12',
  politicalStatus: '13',
  workStartMonth: '2007-09',
  schoolEntryMonth: '2008-09',
  staffCategory: '11',
  onEstablishment: true,
  personStatus: '01',
};
const school = {
  id: 's1',
  code: '2111000001',
  path: '/000000/110000/110100/110101/2111000001/',
  kind: 'school',
  status: 'active',
  schoolType: '21',
};
const ctx = (over: Partial<AssessContext> = {}): AssessContext => ({
  writer: 'school',
  scopePath: '/000000/110000/110100/110101/',
  units: new Map([[school.code, school]]),
  customDefs: [],
  colOf: (_s, k) =>
    (({ unitCode: 'A', idNumber: 'C', name: 'D', id: 'C', year: 'D', result: 'E' }) as Record<string, string>)[k] ??
    null,
  ...over,
});
let seq = 0;
const row = (subSet: string, sheet: string, rowNo: number, data: Record<string, unknown>): StagedRow => ({
  seq: ++seq,
  sheet,
  rowNo,
  subSet,
  idType: '1',
  idNumber: id,
  data,
});

describe("assessing one person's rows", () => {
  it('creates a record from a basic row and list rows, through the API rules', () => {
    const out = assessPerson(
      [
        row('basic', '基本信息', 4, { unitCode: school.code, ...basic }),
        row('annualAssessment', '年度考核', 4, { idType: '1', idNumber: id, year: 2024, result: '2' }),
      ],
      undefined,
      ctx(),
    );
    assert.deepEqual(out.errors, []);
    assert.equal(out.action?.kind, 'create');
    assert.equal((out.action!.record.annualAssessment as unknown[]).length, 1);
    assert.equal(out.action!.columns.unitId, 's1');
  });

  it('is unchanged when the rows say what the record says (list rows matched by content, no entry id needed)', () => {
    const existing: ExistingRecord = {
      id: 't1',
      unitId: 's1',
      unitPath: school.path,
      schoolType: '21',
      version: 3,
      reviewState: 'draft',
      record: { basic, annualAssessment: [{ id: 'e1', year: 2024, result: '2' }] },
      active: true,
    };
    const out = assessPerson(
      [
        row('basic', '基本信息', 4, { unitCode: school.code, ...basic }),
        row('annualAssessment', '年度考核', 4, { idType: '1', idNumber: id, year: 2024, result: '2' }),
      ],
      existing,
      ctx(),
    );
    assert.equal(out.unchanged, true);
    const changed = assessPerson(
      [row('annualAssessment', '年度考核', 4, { idType: '1', idNumber: id, year: 2024, result: '1' })],
      existing,
      ctx(),
    );
    assert.equal(
      changed.action?.kind,
      'update',
      "same year = same entry (the sub-set's unique key): updated, not added",
    );
    assert.deepEqual(changed.action!.record.annualAssessment, [{ id: 'e1', year: 2024, result: '1' }]);
  });

  it('re-registers a person who left, on their record, wherever it was; refuses one still in post elsewhere', () => {
    const left: ExistingRecord = {
      id: 't9',
      unitId: 'elsewhere',
      unitPath: '/000000/110000/110100/110102/2111000009/',
      schoolType: '21',
      version: 7,
      reviewState: 'reported',
      record: { basic: { ...basic, personStatus: '08' } },
      active: false,
    };
    const back = assessPerson([row('basic', '基本信息', 4, { unitCode: school.code, ...basic })], left, ctx());
    assert.deepEqual(back.errors, []);
    assert.equal(back.action?.kind, 're-register');
    assert.deepEqual([back.action!.teacherId, back.action!.baseVersion], ['t9', 7]);
    assert.equal(back.action!.columns.unitId, 's1');
    assert.deepEqual(back.action!.changes[0], { path: 'unitId', before: 'elsewhere', after: 's1' });
    assert.ok(back.action!.changes.some((c) => c.path === 'basic.personStatus'));
    // Still in post at a unit outside the importer's scope: refused at the row, pointing to a transfer.
    const busy = assessPerson(
      [row('basic', '基本信息', 4, { unitCode: school.code, ...basic })],
      { ...left, active: true, record: { basic } },
      ctx(),
    );
    assert.deepEqual(
      busy.errors.map((e) => [e.rowNo, e.code]),
      [[4, 'duplicateOutOfScope']],
    );
    // The file keeps them out of post: an ordinary update of their (reported) record, refused as such.
    const still = assessPerson(
      [row('basic', '基本信息', 4, { unitCode: school.code, ...basic, personStatus: '08', name: '王芳芳' })],
      { ...left, unitId: 's1', unitPath: school.path },
      ctx(),
    );
    assert.equal(still.errors[0]?.code, 'reported');
  });

  it("refuses a reported record's changes, units outside scope, a record in another unit, and unknown entry ids — at their cells", () => {
    const existing: ExistingRecord = {
      id: 't1',
      unitId: 's1',
      unitPath: school.path,
      schoolType: '21',
      version: 3,
      reviewState: 'reported',
      record: { basic },
      active: true,
    };
    assert.equal(
      assessPerson([row('basic', '基本信息', 4, { ...basic, unitCode: school.code, name: '王芳芳' })], existing, ctx())
        .errors[0].code,
      'reported',
    );
    assert.equal(
      assessPerson([row('basic', '基本信息', 4, { ...basic, unitCode: school.code })], existing, ctx()).unchanged,
      true,
      'an unchanged reported record is fine',
    );
    const far = assessPerson(
      [row('basic', '基本信息', 5, { ...basic, unitCode: school.code })],
      undefined,
      ctx({ scopePath: '/000000/120000/' }),
    );
    assert.deepEqual(
      far.errors.map((e) => [e.rowNo, e.col, e.code]),
      [[5, 'A', 'scope']],
    );
    const other = assessPerson(
      [row('basic', '基本信息', 4, { ...basic, unitCode: school.code })],
      { ...existing, unitId: 's2', reviewState: 'draft' },
      ctx(),
    );
    assert.equal(other.errors[0].code, 'otherUnit');
    const entry = assessPerson(
      [row('education', '学习经历', 6, { idType: '1', idNumber: id, id: 'nope', schoolName: 'x' })],
      { ...existing, reviewState: 'draft' },
      ctx(),
    );
    assert.deepEqual(
      entry.errors.map((e) => [e.rowNo, e.col, e.code]),
      [[6, 'C', 'entryNotFound']],
    );
  });

  it('maps catalogue problems to the row and column they came from', () => {
    const out = assessPerson(
      [
        row('basic', '基本信息', 4, { unitCode: school.code, ...basic }),
        row('annualAssessment', '年度考核', 7, { idType: '1', idNumber: id, year: 2024, result: 'Z' }),
      ],
      undefined,
      ctx(),
    );
    assert.deepEqual(
      out.errors.map((e) => [e.sheet, e.rowNo, e.col, e.code, e.value]),
      [['年度考核', 7, 'E', 'code', 'Z']],
    );
  });
});

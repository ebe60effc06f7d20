import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeIdNumber } from '@tmis/core-indicators';
import { planRecordWrite, type RecordCommand } from './write-rules.js';
import type { ReviewState } from './teacher.repository.js';

type Rec = Record<string, unknown>;

const school = { schoolType: '21' };
const unit = { id: '00000000-0000-4000-8000-000000000001', path: '/000000/110000/110100/110101/2111000001/' };

function record(): Rec {
  return {
    basic: {
      name: '李明',
      sex: '1',
      nationality: 'CHN',
      ethnicity: '01',
      idType: '1',
      idNumber: makeIdNumber('110101', '19880615', 123),
      birthDate: '1988-06-15',
      politicalStatus: '13',
      workStartMonth: '2010-09',
      schoolEntryMonth: '2015-09',
      staffCategory: '11',
      onEstablishment: true,
      personStatus: '01',
    },
    education: [
      {
        id: '00000000-0000-4000-8000-0000000000e1',
        startMonth: '2006-09',
        endMonth: '2010-07',
        schoolName: '北京师范大学',
        educationLevel: '21',
        degree: '4',
        isHighest: true,
      },
    ],
    contacts: { mobile: '13912345678' },
  };
}

const withBasic = (r: Rec, over: Rec): Rec => ({ ...r, basic: { ...(r.basic as Rec), ...over } });
const plan = (
  command: RecordCommand,
  state: ReviewState,
  next: (r: Rec) => Rec,
  writer: 'teacher' | 'school' = 'school',
) => {
  const current = record();
  return planRecordWrite(command, writer, { reviewState: state, record: current }, next(current), school, unit, []);
};
const refusal = (code: string) => (e: unknown) => (e as { code?: string }).code === code;

describe('planRecordWrite: the named commands over one pure assessment', () => {
  it('an edit of a draft changes the record and keeps its state; no change is no write', () => {
    const p = plan('edit', 'draft', (r) => ({ ...r, contacts: { mobile: '13700000000' } }));
    assert.ok(p);
    assert.deepEqual(
      p.assessment.changes.map((c) => c.path),
      ['contacts.mobile'],
    );
    assert.equal(p.reviewState, undefined);
    assert.equal(p.report, false);
    assert.equal(
      plan('edit', 'draft', (r) => r),
      null,
    );
  });

  it('review locks: awaiting the department nobody edits; submitted, the teacher does not; a status change may', () => {
    const mobile = (r: Rec) => ({ ...r, contacts: { mobile: '13700000000' } });
    assert.throws(() => plan('edit', 'school_approved', mobile), refusal('TEACHER_RECORD_IN_REVIEW'));
    assert.throws(() => plan('edit', 'submitted', mobile, 'teacher'), refusal('TEACHER_RECORD_IN_REVIEW'));
    assert.ok(plan('edit', 'submitted', mobile, 'school'));
    assert.ok(
      plan('status-change', 'school_approved', (r) => withBasic(r, { personStatus: '04', statusSince: '2026-08-31' })),
    );
  });

  it('reported data: an edit of a reported field needs a change request, new information goes back to draft', () => {
    assert.throws(
      () => plan('edit', 'reported', (r) => withBasic(r, { name: '李明明' })),
      refusal('TEACHER_CHANGE_REQUEST_REQUIRED'),
    );
    const added = plan('edit', 'reported', (r) => withBasic(r, { formerName: '李小明' }));
    assert.equal(added?.reviewState, 'draft');
    assert.equal(added?.report, false);
  });

  it('an approved change request and a status change keep a reported record reported, and re-report it', () => {
    const cr = plan('change-request', 'reported', (r) => withBasic(r, { name: '李明明' }));
    assert.equal(cr?.reviewState, undefined);
    assert.equal(cr?.report, true);
    const status = plan('status-change', 'reported', (r) =>
      withBasic(r, { personStatus: '04', statusSince: '2026-08-31' }),
    );
    assert.equal(status?.report, true);
    const draftStatus = plan('status-change', 'draft', (r) =>
      withBasic(r, { personStatus: '04', statusSince: '2026-08-31' }),
    );
    assert.equal(draftStatus?.report, false);
  });

  it('owner rules and catalogue problems refuse the write whatever the command', () => {
    assert.throws(
      () => plan('edit', 'draft', (r) => ({ ...r, annualAssessment: [{ year: 2025, result: '1' }] }), 'teacher'),
      refusal('TEACHER_FIELD_NOT_WRITABLE'),
    );
    assert.throws(
      () => plan('change-request', 'reported', (r) => withBasic(r, { sex: '9' })),
      refusal('TEACHER_INVALID_RECORD'),
    );
  });
});

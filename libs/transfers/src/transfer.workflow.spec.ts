import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Role, type Actor } from '@tmis/access';
import { availableActions, transition, type TransitionResult } from '@tmis/workflow';
import { mayApply, stepAction, WORKFLOWS, type TransferContext, type TransferState } from './transfer.workflow.js';

const S1 = '/000000/110000/110100/110101/2111000001/';
const S3 = '/000000/110000/110100/110102/3411000003/';
const actor = (unitPath: string, unitLevel: number, role = Role.InfoAdmin): Actor => ({
  accountId: 'a',
  sessionId: 's',
  role,
  unitId: 'u',
  unitPath,
  unitLevel,
  mustChangePassword: false,
});
const ctx = (a: Actor): TransferContext => ({ actor: a, sendingPath: S1, receivingPath: S3 });
const school1 = actor(S1, 5);
const school3 = actor(S3, 5);
const countyA = actor('/000000/110000/110100/110101/', 4);
const countyB = actor('/000000/110000/110100/110102/', 4);
const city = actor('/000000/110000/110100/', 3);

describe('transfer workflows (Art. 23–24)', () => {
  it('a transfer: receiving school applies; receiving department, sending school, sending department act in turn', () => {
    const wf = WORKFLOWS.transfer;
    assert.equal(wf.initial, 'awaiting_receiving_department');
    assert.equal(mayApply('transfer', ctx(school3)), true);
    assert.equal(mayApply('transfer', ctx(school1)), false);
    assert.equal(mayApply('transfer', ctx(countyB)), false, 'a department does not apply');
    let state: TransferState = wf.initial;
    for (const [who, next] of [
      [countyB, 'awaiting_sending_school'],
      [school1, 'awaiting_sending_department'],
      [countyA, 'approved'],
    ] as const) {
      const name: string = stepAction('transfer', state, 'approve')!;
      assert.equal(transition(wf, state, name, ctx(school3)).ok, false, 'the applicant does not take the steps');
      const r: TransitionResult<TransferState> = transition(wf, state, name, ctx(who));
      assert.ok(r.ok);
      assert.equal(r.to, next);
      state = next;
    }
  });

  it('refusal needs a reason; withdrawal only by the applicant and only before the last step', () => {
    const wf = WORKFLOWS.transfer;
    const refuse = stepAction('transfer', 'awaiting_sending_school', 'refuse')!;
    assert.equal(transition(wf, 'awaiting_sending_school', refuse, ctx(school1)).ok, false);
    const r = transition(wf, 'awaiting_sending_school', refuse, ctx(school1), '编制已满');
    assert.ok(r.ok && r.to === 'refused');
    assert.ok(availableActions(wf, 'awaiting_sending_department', ctx(school3)).includes('withdraw'));
    assert.equal(availableActions(wf, 'approved', ctx(school3)).includes('withdraw'), false);
    assert.equal(availableActions(wf, 'awaiting_sending_school', ctx(school1)).includes('withdraw'), false);
  });

  it('a department above both sides (the city) takes either department step; query users none', () => {
    assert.deepEqual(availableActions(WORKFLOWS.transfer, 'awaiting_receiving_department', ctx(city)), [
      'receiving-department-approve',
      'receiving-department-refuse',
    ]);
    assert.deepEqual(
      availableActions(WORKFLOWS.transfer, 'awaiting_receiving_department', ctx(actor(S3, 4, Role.Query))),
      [],
    );
  });

  it('rotations are applied for by the sending school; with a change of relation the receiving side acts last', () => {
    assert.equal(mayApply('rotation', ctx(school1)), true);
    assert.equal(mayApply('rotation', ctx(school3)), false);
    assert.equal(WORKFLOWS.rotation.initial, 'awaiting_sending_department');
    const r = transition(WORKFLOWS.rotation, 'awaiting_sending_department', 'sending-department-approve', ctx(countyA));
    assert.ok(r.ok && r.to === 'approved');
    assert.deepEqual(
      ['awaiting_sending_department', 'awaiting_receiving_school', 'awaiting_receiving_department'].map((s) =>
        stepAction('rotation-transfer', s as never, 'approve'),
      ),
      ['sending-department-approve', 'receiving-school-agree', 'receiving-department-confirm'],
    );
  });
});

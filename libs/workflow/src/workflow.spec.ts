import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableActions, defineWorkflow, transition } from './workflow.js';

type S = 'draft' | 'submitted' | 'approved';
const wf = defineWorkflow<S, { role: string }>({
  key: 'demo',
  initial: 'draft',
  actions: [
    { name: 'submit', from: ['draft'], to: 'submitted', allowed: (c) => c.role === 'teacher' },
    { name: 'approve', from: ['submitted'], to: 'approved', allowed: (c) => c.role === 'admin' },
    { name: 'return', from: ['submitted'], to: 'draft', allowed: (c) => c.role === 'admin', requiresReason: true },
  ],
});

describe('workflow', () => {
  it('lists what the caller may do in a state', () => {
    assert.deepEqual(availableActions(wf, 'submitted', { role: 'admin' }), ['approve', 'return']);
    assert.deepEqual(availableActions(wf, 'submitted', { role: 'teacher' }), []);
    assert.deepEqual(availableActions(wf, 'approved', { role: 'admin' }), []);
  });
  it('refuses illegal transitions, the wrong actor and a missing reason', () => {
    assert.deepEqual(transition(wf, 'draft', 'approve', { role: 'admin' }), {
      ok: false,
      reason: 'illegal-transition',
      from: 'draft',
      action: 'approve',
    });
    assert.equal(
      (transition(wf, 'submitted', 'approve', { role: 'teacher' }) as { reason: string }).reason,
      'not-allowed',
    );
    assert.equal(
      (transition(wf, 'submitted', 'return', { role: 'admin' }) as { reason: string }).reason,
      'reason-required',
    );
    assert.equal(
      (transition(wf, 'submitted', 'fly', { role: 'admin' }) as { reason: string }).reason,
      'unknown-action',
    );
    assert.deepEqual(transition(wf, 'submitted', 'return', { role: 'admin' }, '照片不清晰'), {
      ok: true,
      from: 'submitted',
      to: 'draft',
      action: 'return',
    });
  });
  it('refuses duplicate action names at definition', () => {
    assert.throws(() =>
      defineWorkflow({
        key: 'x',
        initial: 'a',
        actions: [
          { name: 'go', from: ['a'], to: 'b', allowed: () => true },
          { name: 'go', from: ['b'], to: 'a', allowed: () => true },
        ],
      }),
    );
  });
});

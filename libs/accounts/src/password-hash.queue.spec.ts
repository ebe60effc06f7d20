import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@tmis/common';
import { PasswordHashErrorCode, PasswordHashQueue } from './password-hash.queue.js';

const later = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('password hash queue', () => {
  it('runs at most `concurrency` hashes at once; the others wait their turn, in order', async () => {
    const q = new PasswordHashQueue({ concurrency: 2, maxQueued: 10, maxWaitMs: 5000 });
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        q.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await later(10);
          order.push(i);
          running--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    const m = q.metrics();
    assert.deepEqual([m.hashed_total, m.waited_total, m.queue_depth, m.running, m.rejected_total], [6, 4, 0, 0, 0]);
    assert.ok(m.wait_ms_max >= 10, 'the waits are measured');
  });

  it('answers 503 AUTH_BUSY with a retry delay when the queue is full, and when a caller waited too long', async () => {
    const q = new PasswordHashQueue({ concurrency: 1, maxQueued: 1, maxWaitMs: 30 });
    const slow = q.run(() => later(100));
    const waiting = q.run(() => later(1)); // queued; times out after 30 ms
    const full = await q.run(() => later(1)).catch((e: unknown) => e);
    assert.ok(full instanceof DomainError);
    assert.deepEqual([full.code, full.status, full.extra?.retryAfterSeconds], [PasswordHashErrorCode.Busy, 503, 1]);
    const late = await waiting.catch((e: unknown) => e);
    assert.ok(late instanceof DomainError && late.status === 503, 'a caller that waited too long is refused');
    await slow;
    assert.equal(q.metrics().rejected_total, 2);
    await q.run(() => later(1)); // free again
    assert.equal(q.metrics().running, 0);
  });
});

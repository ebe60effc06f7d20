import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suppress } from './suppression.js';

const cells = (rows: [string | null, string | null, number][]) => rows.map(([a, b, count]) => ({ key: [a, b], count }));

describe('small-cell suppression', () => {
  it('suppresses cells of 1 to 4 people and leaves 0 and 5+ alone', () => {
    const hidden = suppress([
      { key: ['1'], count: 4 },
      { key: ['2'], count: 5 },
      { key: ['3'], count: 0 },
      { key: ['4'], count: 1 },
    ]);
    assert.deepEqual([...hidden].sort(), [0, 3]);
  });

  it('a line with a single suppressed cell gets its next smallest cell suppressed (totals cannot reveal it)', () => {
    // one dimension: male 3, female 9, not stated 20 → 3 hidden, then 9 (the smallest other) too
    const hidden = suppress([
      { key: ['1'], count: 3 },
      { key: ['2'], count: 9 },
      { key: ['9'], count: 20 },
    ]);
    assert.deepEqual([...hidden].sort(), [0, 1]);
  });

  it('two dimensions: secondary suppression runs along rows and columns until every line is safe', () => {
    const t = cells([
      ['A', 'x', 2],
      ['A', 'y', 10],
      ['B', 'x', 12],
      ['B', 'y', 30],
    ]);
    const hidden = suppress(t);
    // (A,x)=2 primary; row A → (A,y); column x → (B,x); then row B and column y each have one → (B,y)
    assert.deepEqual([...hidden].sort(), [0, 1, 2, 3]);
    const safe = suppress(
      cells([
        ['A', 'x', 2],
        ['A', 'y', 3],
        ['B', 'x', 1],
        ['B', 'y', 4],
      ]),
    );
    assert.equal(safe.size, 4);
    const clean = suppress(
      cells([
        ['A', 'x', 5],
        ['A', 'y', 6],
      ]),
    );
    assert.equal(clean.size, 0);
  });

  it('with nothing small there is nothing to do, and an empty table is fine', () => {
    assert.equal(suppress([]).size, 0);
    assert.equal(suppress([{ key: ['1'], count: 100 }]).size, 0);
  });
});

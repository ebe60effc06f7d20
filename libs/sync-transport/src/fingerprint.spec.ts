import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bucketOf,
  compareTreeNodes,
  fingerprintOf,
  fingerprintTreePage,
  type SchoolFingerprint,
} from './fingerprint.js';

const school = (i: number, hash = 'a'.repeat(32)): SchoolFingerprint => ({
  unitCode: `2144${String(i).padStart(6, '0')}`,
  count: 10,
  hash,
});

describe('reconciliation tree', () => {
  const schools = Array.from({ length: 3000 }, (_, i) => school(i + 1));
  const fp = fingerprintOf('44', schools);

  it('spreads schools over at most 256 buckets whose counts add up to the total', () => {
    const root = fingerprintTreePage(fp, null, null);
    assert.ok(root.nodes.length > 200 && root.nodes.length <= 256, String(root.nodes.length));
    assert.equal(
      root.nodes.reduce((a, n) => a + n.count, 0),
      fp.total,
    );
    assert.equal(root.next, null);
  });

  it('pages a bucket in code order without overlap or loss', () => {
    const b = bucketOf(schools[0].unitCode);
    const all = fingerprintTreePage(fp, b, null, 10_000).nodes.map((n) => n.code);
    const pages: string[] = [];
    for (let after: string | null = null; ;) {
      const p = fingerprintTreePage(fp, b, after, 3);
      pages.push(...p.nodes.map((n) => n.code));
      if (!p.next) break;
      after = p.next;
    }
    assert.deepEqual(pages, all);
    assert.deepEqual(all, [...all].sort());
  });

  it('one changed school changes exactly its bucket, and compares as that school', () => {
    const changed = schools.map((s, i) => (i === 1234 ? { ...s, hash: 'b'.repeat(32) } : s));
    const other = fingerprintOf('44', changed);
    const diff = compareTreeNodes(
      fingerprintTreePage(fp, null, null).nodes,
      fingerprintTreePage(other, null, null).nodes,
    );
    assert.deepEqual(
      diff.map((d) => d.code),
      [bucketOf(schools[1234].unitCode)],
    );
    const inBucket = compareTreeNodes(
      fingerprintTreePage(fp, diff[0].code, null).nodes,
      fingerprintTreePage(other, diff[0].code, null).nodes,
    );
    assert.deepEqual(
      inBucket.map((d) => d.code),
      [schools[1234].unitCode],
    );
  });

  it('a school on one side only is a difference with the other side null', () => {
    const d = compareTreeNodes([{ code: '2144000001', count: 1, hash: 'a'.repeat(32) }], []);
    assert.deepEqual(d, [
      { code: '2144000001', province: { code: '2144000001', count: 1, hash: 'a'.repeat(32) }, national: null },
    ]);
  });
});

import { createHash } from 'node:crypto';

/** Reconciliation fingerprints: computed the same way on a province (what it reported) and at national (what it received). */
export interface SchoolFingerprint {
  unitCode: string;
  count: number;
  hash: string;
}

export interface Fingerprint {
  province: string;
  total: number;
  hash: string;
  schools: SchoolFingerprint[];
}

/** The province-wide hash over the per-school hashes (order: by unit code). */
export function fingerprintOf(province: string, schools: SchoolFingerprint[]): Fingerprint {
  let h = 0n;
  for (const r of schools)
    for (const ch of `${r.unitCode}=${r.hash};`) h = (h * 131n + BigInt(ch.charCodeAt(0))) % 18446744073709551557n;
  return { province, total: schools.reduce((a, r) => a + r.count, 0), hash: h.toString(16), schools };
}

/**
 * The reconciliation tree, for provinces too large to send whole (30,000+ schools): schools fall into
 * 256 buckets by the first two hex digits of md5(unit code) — even whatever the codes, and the same at
 * both ends without depending on the unit tree — so a comparison exchanges the 256 bucket hashes, then
 * only the schools of the buckets that differ, a page at a time.
 */
export interface TreeNode {
  /** A bucket (two hex digits) or a school's unit code. */
  code: string;
  count: number;
  hash: string;
}

export interface FingerprintTreePage {
  province: string;
  total: number;
  hash: string;
  /** null: the nodes are the buckets; else the nodes are that bucket's schools. */
  bucket: string | null;
  nodes: TreeNode[];
  /** The `after` for the next page (the last code of this one), or null when this page is the last. */
  next: string | null;
}

export const TREE_PAGE_MAX = 1000;

export function bucketOf(unitCode: string): string {
  return createHash('md5').update(unitCode).digest('hex').slice(0, 2);
}

/** One page of the tree: the buckets (bucket null) or one bucket's schools, after `after` in code order. */
export function fingerprintTreePage(
  fp: Fingerprint,
  bucket: string | null,
  after: string | null,
  limit = TREE_PAGE_MAX,
): FingerprintTreePage {
  let nodes: TreeNode[];
  if (bucket === null) {
    const groups = new Map<string, SchoolFingerprint[]>();
    for (const s of fp.schools) {
      const b = bucketOf(s.unitCode);
      const g = groups.get(b);
      if (g) g.push(s);
      else groups.set(b, [s]);
    }
    nodes = [...groups.entries()].map(([code, schools]) => {
      const h = createHash('md5');
      for (const s of [...schools].sort((a, b) => cmp(a.unitCode, b.unitCode))) h.update(`${s.unitCode}=${s.hash};`);
      return { code, count: schools.reduce((a, s) => a + s.count, 0), hash: h.digest('hex') };
    });
  } else nodes = fp.schools.filter((s) => bucketOf(s.unitCode) === bucket).map((s) => ({ ...s, code: s.unitCode }));
  nodes = nodes
    .filter((n) => after === null || n.code > after)
    .sort((a, b) => cmp(a.code, b.code))
    .map((n) => ({ code: n.code, count: n.count, hash: n.hash }));
  const page = nodes.slice(0, limit);
  return {
    province: fp.province,
    total: fp.total,
    hash: fp.hash,
    bucket,
    nodes: page,
    next: nodes.length > limit ? page[page.length - 1].code : null,
  };
}

export interface TreeDifference {
  code: string;
  province: TreeNode | null;
  national: TreeNode | null;
}

/** The nodes that differ between two pages covering the same range of codes. */
export function compareTreeNodes(theirs: TreeNode[], ours: TreeNode[]): TreeDifference[] {
  const a = new Map(theirs.map((n) => [n.code, n]));
  const b = new Map(ours.map((n) => [n.code, n]));
  return [...new Set([...a.keys(), ...b.keys()])]
    .sort(cmp)
    .filter((c) => a.get(c)?.hash !== b.get(c)?.hash || a.get(c)?.count !== b.get(c)?.count)
    .map((c) => ({ code: c, province: a.get(c) ?? null, national: b.get(c) ?? null }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { Injectable } from '@nestjs/common';
import type { Actor } from '@tmis/access';
import {
  compareTreeNodes,
  fingerprintOf,
  fingerprintTreePage,
  type Fingerprint,
  type FingerprintTreePage,
  type SchoolFingerprint,
  type TreeDifference,
  type TreeNode,
} from '@tmis/sync-transport';
import { NationalScope } from './national-scope.js';
import { NationalTeacherRepository, type CrossProvinceDuplicate } from './national-teacher.repository.js';

export interface TreeReconciliation {
  province: string;
  bucket: string | null;
  differing: TreeDifference[];
}

export interface Reconciliation {
  province: string;
  equal: boolean;
  provinceTotal: number;
  nationalTotal: number;
  differingSchools: { unitCode: string; province: SchoolFingerprint | null; national: SchoolFingerprint | null }[];
}

/**
 * Reconciliation, national side: per school of a province, the number of records held and a hash
 * over (teacher id, reported version), computed as the province computes it over what it reported.
 * Equal hashes = the same reported versions of the same records. Each call is limited to the
 * provinces the actor reads (`NationalScope`).
 */
@Injectable()
export class NationalReconcileService {
  constructor(private readonly teachers: NationalTeacherRepository) {}

  async fingerprint(a: Actor, province: string | undefined): Promise<Fingerprint> {
    const p = NationalScope.one(a, province);
    return fingerprintOf(p, await this.teachers.schoolFingerprints(p));
  }

  records(
    a: Actor,
    unitCode: string,
    province: string | undefined,
  ): Promise<{ teacherId: string; reportedVersion: number }[]> {
    return this.teachers.schoolRecords(unitCode, NationalScope.one(a, province));
  }

  /** Compares a province's fingerprint (from its GET /sync/fingerprint) with what national holds. */
  async compare(a: Actor, theirs: Fingerprint): Promise<Reconciliation> {
    const ours = await this.fingerprint(a, theirs.province);
    const map = new Map(ours.schools.map((s) => [s.unitCode, s]));
    const theirMap = new Map(theirs.schools.map((s) => [s.unitCode, s]));
    const codes = [...new Set([...map.keys(), ...theirMap.keys()])].sort();
    const differingSchools = codes
      .filter((c) => map.get(c)?.hash !== theirMap.get(c)?.hash)
      .map((c) => ({ unitCode: c, province: theirMap.get(c) ?? null, national: map.get(c) ?? null }));
    return {
      province: theirs.province,
      equal: differingSchools.length === 0,
      provinceTotal: theirs.total,
      nationalTotal: ours.total,
      differingSchools,
    };
  }

  /** One page of national's reconciliation tree for a province (as the province serves its own). */
  async tree(
    a: Actor,
    province: string | undefined,
    bucket: string | null,
    after: string | null,
  ): Promise<FingerprintTreePage> {
    return fingerprintTreePage(await this.fingerprint(a, province), bucket, after);
  }

  /**
   * Compares one page of a province's tree (the buckets, or one bucket's schools in the code range
   * (after, through]; through null = to the end) with national's nodes in the same range.
   */
  async compareTree(
    a: Actor,
    page: {
      province: string;
      bucket: string | null;
      after: string | null;
      through: string | null;
      nodes: TreeNode[];
    },
  ): Promise<TreeReconciliation> {
    const ours = fingerprintTreePage(await this.fingerprint(a, page.province), page.bucket, page.after, Infinity).nodes;
    const inRange = ours.filter((n) => page.through === null || n.code <= page.through);
    return {
      province: page.province,
      bucket: page.bucket,
      differing: compareTreeNodes(page.nodes, inRange),
    };
  }

  /** The same ID number active in two or more provinces (those touching `province`, or all the actor reads). */
  crossProvinceDuplicates(a: Actor, province: string | undefined): Promise<CrossProvinceDuplicate[]> {
    return this.teachers.crossProvinceDuplicates(NationalScope.resolve(a, province));
  }
}

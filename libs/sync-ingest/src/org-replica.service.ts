import { Injectable } from '@nestjs/common';
import type { SyncedUnit } from '@tmis/contracts';
import { OrgRepository, UnitKind, type ReplicaUnitRow } from '@tmis/org';
import { NationalTeacherRepository } from './national-teacher.repository.js';

/** Where a province may place each kind of unit it sends (as the org rules allow, inside its own subtree). */
const PARENT_KINDS: [UnitKind, UnitKind[]][] = [
  [UnitKind.City, [UnitKind.Province]],
  [UnitKind.County, [UnitKind.City]],
  [UnitKind.School, [UnitKind.Province, UnitKind.City, UnitKind.County]],
  [UnitKind.Department, [UnitKind.School]],
];

/**
 * The national node's copy of the provinces' units. Ownership comes from the national tree: a
 * province writes only inside its own subtree (its province unit's path), never a unit outside it
 * (another province's, a central university the national node created under the ministry), and
 * never moves one out of it. The rows are written by `OrgRepository` (the org tree's one writer).
 */
@Injectable()
export class OrgReplicaService {
  constructor(
    private readonly org: OrgRepository,
    private readonly teachers: NationalTeacherRepository,
  ) {}

  /** The path of a province's unit at the national node (its subtree), or null when unknown. */
  subtreeOf(province: string): Promise<string | null> {
    return this.org.replicaPathOf(`${province}0000`);
  }

  /** Of these unit codes, those that exist here outside the subtree (a record may not be placed there). */
  unitsOutside(subtree: string, codes: string[]): Promise<string[]> {
    return this.org.replicaCodesOutside(subtree, codes);
  }

  /**
   * Upserts a province's units level by level (a county before the schools in it; the last snapshot
   * of a unit in the message wins); a school merged into another takes its records along. Returns
   * the reason to refuse the message, or null; on a refusal the caller rolls back what was written.
   */
  async apply(province: string, subtree: string, units: SyncedUnit[]): Promise<string | null> {
    const latest = new Map(units.map((u) => [u.code, u]));
    for (const [kind, parents] of PARENT_KINDS) {
      const batch = [...latest.values()].filter((u) => u.kind === kind);
      if (!batch.length) continue;
      const rows: ReplicaUnitRow[] = batch.map((u) => ({
        code: u.code,
        name: u.name,
        parent_code: u.parentCode,
        status: u.status,
        school_type: u.schoolType ?? null,
        urban_rural: u.urbanRural ?? null,
        sponsor: u.sponsor ?? null,
        central: u.central ?? false,
        merged_into_code: u.mergedIntoCode ?? null,
        closed_on: u.closedOn ?? null,
      }));
      const { problem } = await this.org.upsertReplicaLevel(subtree, kind, parents, rows);
      if (problem) return problem;
      await this.teachers.moveToUnits(
        province,
        batch
          .filter((u) => u.status === 'merged' && u.mergedIntoCode)
          .map((u) => ({ from: u.code, to: u.mergedIntoCode! })),
      );
    }
    return null;
  }
}

import { Injectable } from '@nestjs/common';
import type { SchoolFingerprint } from '@tmis/sync-transport';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/** A reported record as the federation sees it (the `teacher.upserted` payload's fields). */
export interface ReportedTeacherRow {
  teacherId: string;
  unitCode: string;
  idType: string;
  idNumber: string;
  name: string;
  personStatus: string;
  reportedVersion: number;
  record: Record<string, unknown>;
  custom: Record<string, unknown>;
  catalogueVersion: string;
}

/** A synced unit (city, county, school, department) as it now stands, with its path (the resync cursor). */
export interface SyncedUnitRow {
  path: string;
  code: string;
  kind: 'city' | 'county' | 'school' | 'department';
  name: string;
  parentCode: string;
  status: 'active' | 'closed' | 'merged';
  schoolType: string | null;
  urbanRural: string | null;
  sponsor: string | null;
  central: boolean;
  mergedIntoCode: string | null;
  closedOn: string | null;
}

/**
 * What the province has reported, read for the resync and the reconciliation fingerprint. Reads
 * only: the tables belong to the record modules (teacher, teacher_reported, org_unit, custom_field).
 *
 * Transitional: `teacherPage` and `unitPage` stand in for `TeacherRepository.reportedPage(afterId, limit)`
 * and `OrgRepository.syncedUnitsPage(afterPath, limit)`, which the record modules are adding; the
 * resync then calls those instead (one call each) and these two methods go.
 */
@Injectable()
export class ReportedStateRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /**
   * Reported records after `afterId` in id order, as reported (a record changed since is read from
   * its reported snapshot), locked FOR SHARE for the open transaction: a concurrent change of the
   * same teacher commits first, so its own event has the lower sequence.
   */
  async teacherPage(afterId: string | null, limit: number): Promise<ReportedTeacherRow[]> {
    return this.tx.query(
      `SELECT t.id::text AS "teacherId", u.code AS "unitCode", COALESCE(r.id_type, t.id_type) AS "idType",
              COALESCE(r.id_number, t.id_number) AS "idNumber", COALESCE(r.name, t.name) AS name,
              COALESCE(r.person_status, t.person_status) AS "personStatus", t.reported_version AS "reportedVersion",
              COALESCE(r.record, t.record) AS record, COALESCE(r.custom, t.custom) AS custom,
              COALESCE(r.catalogue_version, t.catalogue_version) AS "catalogueVersion"
         FROM teacher t JOIN org_unit u ON u.id = t.unit_id LEFT JOIN teacher_reported r ON r.teacher_id = t.id
        WHERE t.reported_version IS NOT NULL AND ($1::uuid IS NULL OR t.id > $1::uuid)
        ORDER BY t.id LIMIT $2 FOR SHARE OF t`,
      [afterId, limit],
    );
  }

  /** Synced units (not the ministry or provinces: reference data) after `afterPath`, parents first. */
  async unitPage(afterPath: string | null, limit: number): Promise<SyncedUnitRow[]> {
    return this.tx.query(
      `SELECT u.path, u.code, u.kind, u.name, p.code AS "parentCode", u.status, u.school_type AS "schoolType",
              u.urban_rural AS "urbanRural", u.sponsor, u.central, m.code AS "mergedIntoCode", u.closed_on::text AS "closedOn"
         FROM org_unit u JOIN org_unit p ON p.id = u.parent_id LEFT JOIN org_unit m ON m.id = u.merged_into_id
        WHERE u.kind IN ('city','county','school','department') AND ($1::text IS NULL OR u.path > $1::text)
        ORDER BY u.path LIMIT $2`,
      [afterPath, limit],
    );
  }

  /** The province's custom indicator definitions, each at its latest version (with version and status). */
  async customFieldDefinitions(): Promise<Record<string, unknown>[]> {
    const rows: { d: Record<string, unknown> }[] = await this.tx.query(
      `SELECT d.definition || jsonb_build_object('version', d.version, 'status', d.status) AS d
         FROM (SELECT DISTINCT ON (key) key, version, status, definition FROM custom_field ORDER BY key, version DESC) d
        ORDER BY d.key`,
    );
    return rows.map((r) => r.d);
  }

  /** Per school: the count of reported records and a hash over (id, reported version). */
  async schoolFingerprints(): Promise<SchoolFingerprint[]> {
    return this.tx.query(
      `SELECT u.code AS "unitCode", count(*)::int AS count, md5(string_agg(t.id::text || ':' || t.reported_version, ',' ORDER BY t.id)) AS hash
         FROM teacher t JOIN org_unit u ON u.id = t.unit_id WHERE t.reported_version IS NOT NULL GROUP BY u.code ORDER BY u.code`,
    );
  }

  /** The (id, reported version) pairs of one school. */
  async schoolRecords(unitCode: string): Promise<{ teacherId: string; reportedVersion: number }[]> {
    return this.tx.query(
      `SELECT t.id AS "teacherId", t.reported_version AS "reportedVersion" FROM teacher t JOIN org_unit u ON u.id = t.unit_id
        WHERE u.code = $1 AND t.reported_version IS NOT NULL ORDER BY t.id`,
      [unitCode],
    );
  }
}

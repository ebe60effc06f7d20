import { Injectable } from '@nestjs/common';
import type { SchoolFingerprint } from '@tmis/sync-transport';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';

/**
 * What the province has reported, read for the resync and the reconciliation fingerprint. Reads
 * only: the tables belong to the record modules (teacher, teacher_reported, org_unit, custom_field).

 */
@Injectable()
export class ReportedStateRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
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

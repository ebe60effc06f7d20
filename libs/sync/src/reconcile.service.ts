import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

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
export interface Reconciliation {
  province: string;
  equal: boolean;
  provinceTotal: number;
  nationalTotal: number;
  differingSchools: { unitCode: string; province: SchoolFingerprint | null; national: SchoolFingerprint | null }[];
}

const AGG = (id: string, ver: string) =>
  `count(*)::int AS count, md5(string_agg(${id}::text || ':' || ${ver}, ',' ORDER BY ${id})) AS hash`;

/**
 * Reconciliation: per school, the number of reported records and a hash over (teacher id, reported
 * version), computed the same way on the province (its reported records) and at national (what it
 * received). Equal hashes = the same reported versions of the same records.
 */
@Injectable()
export class ReconcileService {
  constructor(
    private readonly db: DataSource,
    @Inject(SYNC_OPTIONS) private readonly options: SyncOptions,
  ) {}

  async fingerprint(province?: string): Promise<Fingerprint> {
    const rows: SchoolFingerprint[] =
      this.options.kind === 'provincial'
        ? await this.db.query(
            `SELECT u.code AS "unitCode", ${AGG('t.id', 't.reported_version')} FROM teacher t JOIN org_unit u ON u.id = t.unit_id WHERE t.reported_version IS NOT NULL GROUP BY u.code ORDER BY u.code`,
          )
        : await this.db.query(
            `SELECT unit_code AS "unitCode", ${AGG('teacher_id', 'reported_version')} FROM national_teacher WHERE province_code = $1 AND NOT removed GROUP BY unit_code ORDER BY unit_code`,
            [province],
          );
    const p = this.options.kind === 'provincial' ? this.options.provinceCode! : province!;
    return { province: p, total: rows.reduce((a, r) => a + r.count, 0), hash: hashOf(rows), schools: rows };
  }

  async records(unitCode: string, province?: string): Promise<{ teacherId: string; reportedVersion: number }[]> {
    return this.options.kind === 'provincial'
      ? this.db.query(
          `SELECT t.id AS "teacherId", t.reported_version AS "reportedVersion" FROM teacher t JOIN org_unit u ON u.id = t.unit_id WHERE u.code = $1 AND t.reported_version IS NOT NULL ORDER BY t.id`,
          [unitCode],
        )
      : this.db.query(
          `SELECT teacher_id AS "teacherId", reported_version AS "reportedVersion" FROM national_teacher WHERE unit_code = $1 AND province_code = $2 AND NOT removed ORDER BY teacher_id`,
          [unitCode, province],
        );
  }

  /** National side: compares a province's fingerprint with what national holds. */
  async compare(theirs: Fingerprint): Promise<Reconciliation> {
    const ours = await this.fingerprint(theirs.province);
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

  /** National side: the same ID number active in two or more provinces. */
  async crossProvinceDuplicates(
    province?: string,
  ): Promise<{ idType: string; idNumber: string; provinces: string[]; teacherIds: string[] }[]> {
    return this.db.query(
      `SELECT id_type AS "idType", id_number AS "idNumber", array_agg(DISTINCT province_code) AS provinces, array_agg(teacher_id) AS "teacherIds"
         FROM national_teacher WHERE active AND NOT removed GROUP BY id_type, id_number
       HAVING count(DISTINCT province_code) > 1 AND ($1::text IS NULL OR $1::text = ANY(array_agg(province_code))) ORDER BY 2 LIMIT 1000`,
      [province ?? null],
    );
  }
}

function hashOf(rows: SchoolFingerprint[]): string {
  let h = 0n;
  for (const r of rows)
    for (const ch of `${r.unitCode}=${r.hash};`) h = (h * 131n + BigInt(ch.charCodeAt(0))) % 18446744073709551557n;
  return h.toString(16);
}

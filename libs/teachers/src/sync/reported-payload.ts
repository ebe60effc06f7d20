import { buildPayload, TeacherUpsertedPayload } from '@tmis/contracts';

/** A record as it was reported, with its unit's code: what the national node must hold. */
export interface ReportedRow {
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

/**
 * The one builder of the `teacher.upserted` payload, used by the live path (`RecordReporting`) and the
 * federation resync (`TeacherRepository.reportedPage`) alike; validated against the contract class the
 * national node validates with.
 */
export function toReportedPayload(row: ReportedRow): TeacherUpsertedPayload {
  return buildPayload(TeacherUpsertedPayload, {
    teacherId: row.teacherId,
    unitCode: row.unitCode,
    idType: row.idType,
    idNumber: row.idNumber,
    name: row.name,
    personStatus: row.personStatus,
    reportedVersion: Number(row.reportedVersion),
    record: row.record,
    custom: row.custom ?? {},
    catalogueVersion: row.catalogueVersion,
  });
}

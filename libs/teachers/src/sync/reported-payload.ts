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
 * The builder of the `teacher.upserted` payload on the live path (`RecordReporting`); validated against
 * the contract class the national node validates with. The federation resync appends the same payload
 * set-based in SQL (`OutboxRepository.appendReportedTeacherChunks`, libs/sync-publish); a test compares the
 * two member for member, so a member added here must be added there.
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

// The public surface of the teacher records lib: what other libs, apps, tests and tools use.
export { TeachersModule } from './teachers.module.js';
export { TEACHERS_OPTIONS, type TeachersOptions } from './teachers.options.js';
export { TeacherService } from './teacher.service.js';
export { CustomFieldsService } from './custom-fields.service.js';
export { ReviewService } from './review/review.service.js';
export { ChangeRequestService } from './review/change-request.service.js';
export { UnitChangesService } from './units/unit-changes.service.js';
export {
  TeacherRepository,
  type ReviewState,
  type TeacherChange,
  type TeacherColumns,
  type TeacherRow,
} from './teacher.repository.js';
export { RecordReporting } from './sync/record-reporting.js';
export { toReportedPayload, type ReportedRow } from './sync/reported-payload.js';
export { assessWrite, type WriteAssessment } from './write-rules.js';
export { customValues } from './derive.js';
export { viewRecord, type RecordView } from './record-view.js';
export { ListTeachersQueryDto } from './dto/teacher.dto.js';
export { TeacherErrorCode } from './teacher.errors.js';

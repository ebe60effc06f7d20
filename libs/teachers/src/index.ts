// The public surface of the teacher records lib: what other libs, apps, tests and tools use.
export { TeachersModule } from './teachers.module.js';
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
// The one transition to "reported" (bulk calls `reportMany`) and the one `teacher.upserted` builder
// (the resync reads `TeacherRepository.reportedPage`, built with it).
export { RecordReporting } from './sync/record-reporting.js';
export { toReportedPayload, type ReportedRow } from './sync/reported-payload.js';
export { assessWrite } from './write-rules.js';
export { customValues } from './derive.js';
export { viewRecord } from './record-view.js';
export { ListTeachersQueryDto } from './dto/teacher.dto.js';
export { ReviewRepository } from './review/review.repository.js';

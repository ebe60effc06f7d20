// The public surface of libs/teachers: only what other libs, apps, tests, bench and tools import.
export { TeachersModule } from './teachers.module.js';
// The provincial node's own record routes: reporting cycles and custom-indicator definitions.
export { ProvincialTeachersModule } from './provincial-teachers.module.js';
export { TeacherService } from './teacher.service.js';
// Sub-set 13 filled from confirmed training (libs/training provides it).
export { ConfirmedTraining, withConfirmedTraining } from './confirmed-training.js';
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
export { ReviewRepository } from './review/review.repository.js';
export { ChangeRequestRepository } from './review/change-request.repository.js';
// The one transition to "reported" (the outbox-emission tests drive it as a service).
export { RecordReporting } from './sync/record-reporting.js';
export { assessWrite } from './write-rules.js';
export { customValues } from './derive.js';
export { viewRecord } from './record-view.js';
export { ListTeachersQueryDto } from './dto/teacher.dto.js';
// Other features add their kinds to GET /todo.
export { TodoSources, type TodoItem, type TodoSource } from './collection/todo-sources.js';

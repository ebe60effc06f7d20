import { CrossProvinceDuplicateNotices } from './federation/cross-province-duplicates.js';
import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { CustomFieldRepository } from './custom-field.repository.js';
import { CustomFieldsService } from './custom-fields.service.js';
import { CycleRepository } from './collection/cycle.repository.js';
import { SpotCheckController } from './collection/spot-check.controller.js';
import { SpotCheckRepository } from './collection/spot-check.repository.js';
import { SpotCheckService } from './collection/spot-check.service.js';
import { TeacherStatusController } from './collection/status.controller.js';
import { TodoController } from './collection/todo.controller.js';
import { TodoService } from './collection/todo.service.js';
import { TodoSources } from './collection/todo-sources.js';
import { ChangeRequestController } from './review/change-request.controller.js';
import { ChangeRequestRepository } from './review/change-request.repository.js';
import { ChangeRequestService } from './review/change-request.service.js';
import { ReviewController } from './review/review.controller.js';
import { ReviewRepository } from './review/review.repository.js';
import { ReviewService } from './review/review.service.js';
import { RecordReporting } from './sync/record-reporting.js';
import { CatalogueController, TeacherController } from './teacher.controller.js';
import { TeacherRepository } from './teacher.repository.js';
import { TeacherService } from './teacher.service.js';
import { TEACHERS_OPTIONS, type TeachersOptions } from './teachers.options.js';
import { UnitChangesController } from './units/unit-changes.controller.js';
import { UnitChangesService } from './units/unit-changes.service.js';

/**
 * Teacher records, their review, change requests, collection (status changes, spot checks, to-do)
 * and the unit changes that move records: what every node has. A provincial node adds its reporting
 * cycles and custom-indicator definitions (`ProvincialTeachersModule`). The `SyncOutbox` port is provided by the node's
 * sync module (global).
 */
@Module({})
export class TeachersModule {
  static register(options: TeachersOptions): DynamicModule {
    return {
      module: TeachersModule,
      imports: [AuditModule, OrgModule],
      // Order matters: the specific `/teachers/:id/...` routes before TeacherController's `/teachers/:id/:subSet`.
      controllers: [
        CatalogueController,
        ReviewController,
        ChangeRequestController,
        TeacherStatusController,
        SpotCheckController,
        TodoController,
        UnitChangesController,
        TeacherController,
      ],
      providers: [
        { provide: TEACHERS_OPTIONS, useValue: options },
        TeacherRepository,
        CustomFieldRepository,
        ReviewRepository,
        ChangeRequestRepository,
        SpotCheckRepository,
        CycleRepository,
        RecordReporting,
        TeacherService,
        CustomFieldsService,
        ReviewService,
        ChangeRequestService,
        SpotCheckService,
        TodoService,
        TodoSources,
        UnitChangesService,
        CrossProvinceDuplicateNotices,
      ],
      exports: [
        TeacherService,
        CustomFieldsService,
        TeacherRepository,
        ReviewRepository,
        ReviewService,
        RecordReporting,
        ChangeRequestRepository,
        TodoSources,
        CycleRepository,
      ],
    };
  }
}

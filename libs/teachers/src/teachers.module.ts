import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { CustomFieldsService } from './custom-fields.service.js';
import { ReviewController } from './review/review.controller.js';
import { ChangeRequestService } from './review/change-request.service.js';
import { CollectionController } from './collection/collection.controller.js';
import { CycleService } from './collection/cycle.service.js';
import { SpotCheckService } from './collection/spot-check.service.js';
import { TodoService } from './collection/todo.service.js';
import { OutboxWriter } from './sync/outbox.writer.js';
import { ReviewRepository } from './review/review.repository.js';
import { ReviewService } from './review/review.service.js';
import { CatalogueController, TeacherController } from './teacher.controller.js';
import { TeacherRepository } from './teacher.repository.js';
import { TeacherService } from './teacher.service.js';
import { TEACHERS_OPTIONS, type TeachersOptions } from './teachers.options.js';

@Module({})
export class TeachersModule {
  static register(options: TeachersOptions): DynamicModule {
    return {
      module: TeachersModule,
      imports: [AuditModule, OrgModule],
      // Order matters: the specific `/teachers/:id/...` routes before TeacherController's `/teachers/:id/:subSet`.
      controllers: [CatalogueController, ReviewController, CollectionController, TeacherController],
      providers: [
        { provide: TEACHERS_OPTIONS, useValue: options },
        TeacherRepository,
        TeacherService,
        CustomFieldsService,
        ReviewRepository,
        ReviewService,
        ChangeRequestService,
        SpotCheckService,
        CycleService,
        TodoService,
        OutboxWriter,
      ],
      exports: [TeacherService, CustomFieldsService, TeacherRepository, ReviewRepository, ReviewService],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { CustomFieldsService } from './custom-fields.service.js';
import { ReviewController } from './review/review.controller.js';
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
      controllers: [CatalogueController, TeacherController, ReviewController],
      providers: [{ provide: TEACHERS_OPTIONS, useValue: options }, TeacherRepository, TeacherService, CustomFieldsService, ReviewRepository, ReviewService],
      exports: [TeacherService, CustomFieldsService, TeacherRepository, ReviewService],
    };
  }
}

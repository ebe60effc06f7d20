import { Module, type DynamicModule } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { BulkController, TeacherExportController } from './bulk.controller.js';
import { BULK_OPTIONS, type BulkOptions } from './bulk.options.js';
import { BulkRepository } from './bulk.repository.js';
import { BulkService } from './bulk.service.js';
import { BulkExportService } from './export.service.js';
import { ImportRunner } from './import.runner.js';

/**
 * Bulk import and export (Art. 16). `teachers` is the node's TeachersModule (the same dynamic module
 * object, so one instance): imports go through its rules and its custom fields. Import this module
 * before TeachersModule so that GET /teachers/export is routed before GET /teachers/:id.
 */
@Module({})
export class BulkModule {
  static register(options: BulkOptions, teachers: DynamicModule): DynamicModule {
    return {
      module: BulkModule,
      imports: [
        teachers,
        AuditModule,
        OrgModule,
        MulterModule.register({
          dest: options.dir,
          limits: { fileSize: options.maxUploadMb * 1024 * 1024, files: 1, fields: 10 },
        }),
      ],
      controllers: [TeacherExportController, BulkController],
      providers: [
        { provide: BULK_OPTIONS, useValue: options },
        BulkRepository,
        BulkService,
        ImportRunner,
        BulkExportService,
      ],
      exports: [BulkService],
    };
  }
}

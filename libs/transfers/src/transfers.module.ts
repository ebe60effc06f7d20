import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { TodoSources } from '@tmis/teachers';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { MobilityRepository } from './mobility.repository.js';
import { MobilityService } from './mobility.service.js';
import { MobilityController, TransferController } from './transfer.controller.js';
import { TransferRepository } from './transfer.repository.js';
import { TransferService } from './transfer.service.js';
import { TRANSFERS_OPTIONS, type TransfersOptions } from './transfers.options.js';
import { CrossProvinceMessages } from './cross/cross-province.messages.js';

/**
 * Transfers and exchange rotations within a node, and mobility statistics. The record modules
 * (TeacherRepository, TeacherService, RecordReporting, ChangeRequestRepository) come from the
 * node's CoreNodeModule (global).
 */
@Module({})
export class TransfersModule implements OnModuleInit {
  constructor(
    private readonly todo: TodoSources,
    private readonly transfers: TransferService,
  ) {}

  /** Cases waiting for the caller's step appear on the shared `GET /todo`, overdue ones counted apart. */
  onModuleInit(): void {
    this.todo.register((actor) => this.transfers.todoItems(actor));
  }

  static register(options: TransfersOptions): DynamicModule {
    return {
      module: TransfersModule,
      imports: [AuditModule, OrgModule],
      controllers: [TransferController, MobilityController],
      providers: [
        { provide: TRANSFERS_OPTIONS, useValue: options },
        TransferRepository,
        TransferService,
        MobilityRepository,
        MobilityService,
        // A province handles what national sends down about cross-province transfers.
        ...(options.provinceCode ? [CrossProvinceMessages] : []),
      ],
      exports: [TransferService, TransferRepository],
    };
  }
}

import { Module } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { OrgModule } from '@tmis/org';
import { CycleController } from './collection/cycle.controller.js';
import { CycleService } from './collection/cycle.service.js';
import { CustomFieldController } from './custom-fields.controller.js';

/**
 * What a provincial node adds to the record modules (ADR 0010: a node's role is the modules it
 * composes): the province's reporting cycles and their progress (Art. 18) and the definition of its
 * custom indicators (Art. 11). The national node has neither — the central universities report on no
 * province's cycle, and custom indicators reach it as what each province sent (`/sync/custom-fields`) —
 * so these routes do not exist there. The repositories and `CustomFieldsService` (record validation,
 * export, import) come from the node's `TeachersModule` (global through `CoreNodeModule`).
 */
@Module({
  imports: [AuditModule, OrgModule],
  controllers: [CycleController, CustomFieldController],
  providers: [CycleService],
})
export class ProvincialTeachersModule {}

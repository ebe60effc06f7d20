import { Module, type DynamicModule } from '@nestjs/common';
import { SyncOutbox } from '@tmis/contracts';
import { OrgModule } from '@tmis/org';
import { DuplicateNoticeRepository } from './duplicate-notice.repository.js';
import { DuplicateNoticesService } from './duplicate-notices.service.js';
import { SyncIngestService } from './ingest.service.js';
import { KafkaIngestConsumer } from './kafka-ingest.consumer.js';
import { NationalCustomFieldsRepository } from './national-custom-fields.repository.js';
import { NationalReconcileService } from './national-reconcile.service.js';
import { NationalRollupService } from './national-rollup.service.js';
import { NationalTeacherRepository } from './national-teacher.repository.js';
import { NoSyncOutbox } from './no-sync-outbox.js';
import { NodeTokenGuard } from './node-token.guard.js';
import { OrgReplicaService } from './org-replica.service.js';
import { SyncIngestController } from './sync-ingest.controller.js';
import { SyncLedgerRepository } from './sync-ledger.repository.js';
import { SYNC_INGEST_OPTIONS, type SyncIngestOptions } from './sync-ingest.options.js';

/**
 * What makes a node the federation's hub: it receives the provinces' messages (Kafka consumer group,
 * or HTTP with node tokens), keeps their records, custom fields and units, reconciles and finds
 * cross-province duplicates. Its own record modules announce nothing (`NoSyncOutbox`, global).
 */
@Module({})
export class SyncIngestModule {
  static register(options: SyncIngestOptions): DynamicModule {
    return {
      module: SyncIngestModule,
      global: true,
      imports: [OrgModule],
      controllers: [SyncIngestController],
      providers: [
        { provide: SYNC_INGEST_OPTIONS, useValue: options },
        { provide: SyncOutbox, useClass: NoSyncOutbox },
        SyncLedgerRepository,
        DuplicateNoticeRepository,
        DuplicateNoticesService,
        NationalTeacherRepository,
        NationalCustomFieldsRepository,
        OrgReplicaService,
        SyncIngestService,
        NationalReconcileService,
        NationalRollupService,
        KafkaIngestConsumer,
        NodeTokenGuard,
      ],
      exports: [SyncOutbox, SyncIngestService, NationalTeacherRepository],
    };
  }
}

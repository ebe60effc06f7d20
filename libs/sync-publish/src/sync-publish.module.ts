import { Module, type DynamicModule } from '@nestjs/common';
import { SyncOutbox } from '@tmis/contracts';
import { OutboxRelay } from './outbox.relay.js';
import { OutboxRepository } from './outbox.repository.js';
import { PublishedFingerprintService } from './published-fingerprint.service.js';
import { ReportedStateRepository } from './reported-state.repository.js';
import { ResyncService } from './resync.service.js';
import { SyncOutboxWriter } from './sync-outbox.writer.js';
import { SyncPublishController } from './sync-publish.controller.js';
import { SYNC_PUBLISH_OPTIONS, type SyncPublishOptions } from './sync-publish.options.js';

/**
 * What makes a node a province of the federation: the transactional outbox behind the `SyncOutbox`
 * port (global: the record modules announce through it), the relay that publishes it, the resync,
 * and the reconciliation fingerprint.
 */
@Module({})
export class SyncPublishModule {
  static register(options: SyncPublishOptions): DynamicModule {
    return {
      module: SyncPublishModule,
      global: true,
      controllers: [SyncPublishController],
      providers: [
        { provide: SYNC_PUBLISH_OPTIONS, useValue: options },
        OutboxRepository,
        ReportedStateRepository,
        { provide: SyncOutbox, useClass: SyncOutboxWriter },
        OutboxRelay,
        ResyncService,
        PublishedFingerprintService,
      ],
      exports: [SyncOutbox, OutboxRelay, ResyncService],
    };
  }
}

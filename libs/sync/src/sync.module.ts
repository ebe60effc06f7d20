import { Module, type DynamicModule } from '@nestjs/common';
import { SyncOutbox } from '@tmis/contracts';
import { SyncIngestService } from './ingest.service.js';
import { OutboxRelay } from './outbox.relay.js';
import { ReconcileService } from './reconcile.service.js';
import { ResyncService } from './resync.service.js';
import { NoSyncOutbox, SyncOutboxWriter } from './sync-outbox.writer.js';
import { SyncController } from './sync.controller.js';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

@Module({})
export class SyncModule {
  static register(options: SyncOptions): DynamicModule {
    return {
      module: SyncModule,
      // Global: the record modules (teachers, org) announce changes through the SyncOutbox port.
      global: true,
      controllers: [SyncController],
      providers: [
        { provide: SYNC_OPTIONS, useValue: options },
        // Transitional: the sync-publish (provincial) and sync-ingest (national) modules take this choice over.
        { provide: SyncOutbox, useClass: options.kind === 'provincial' ? SyncOutboxWriter : NoSyncOutbox },
        OutboxRelay,
        SyncIngestService,
        ReconcileService,
        ResyncService,
      ],
      exports: [SyncOutbox, OutboxRelay, SyncIngestService, ReconcileService, ResyncService],
    };
  }
}

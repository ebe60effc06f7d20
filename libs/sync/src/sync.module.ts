import { Module, type DynamicModule } from '@nestjs/common';
import { SyncIngestService } from './ingest.service.js';
import { OutboxRelay } from './outbox.relay.js';
import { ReconcileService } from './reconcile.service.js';
import { ResyncService } from './resync.service.js';
import { SyncController } from './sync.controller.js';
import { SYNC_OPTIONS, type SyncOptions } from './sync.options.js';

@Module({})
export class SyncModule {
  static register(options: SyncOptions): DynamicModule {
    return {
      module: SyncModule,
      controllers: [SyncController],
      providers: [
        { provide: SYNC_OPTIONS, useValue: options },
        OutboxRelay,
        SyncIngestService,
        ReconcileService,
        ResyncService,
      ],
      exports: [OutboxRelay, SyncIngestService, ReconcileService, ResyncService],
    };
  }
}

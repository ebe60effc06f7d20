import { Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@tmis/audit';
import { CROSS_PROVINCE_FLOWS } from '@tmis/transfers';
import { TransfersHubController } from './hub.controller.js';
import { HubRepository } from './hub.repository.js';
import { TRANSFERS_HUB_OPTIONS, type TransfersHubOptions } from './hub.options.js';
import { TransfersHubService } from './hub.service.js';

/**
 * The national node's part of cross-province transfers: the saga hub (handlers of what provinces
 * send up), its expiry, the ministry's list, and the cross-province flows for the mobility statistics
 * (global: `GET /stats/mobility` of libs/transfers picks them up).
 */
@Module({})
export class TransfersHubModule {
  static register(options: TransfersHubOptions): DynamicModule {
    return {
      module: TransfersHubModule,
      global: true,
      imports: [AuditModule],
      controllers: [TransfersHubController],
      providers: [
        { provide: TRANSFERS_HUB_OPTIONS, useValue: options },
        HubRepository,
        TransfersHubService,
        { provide: CROSS_PROVINCE_FLOWS, useExisting: HubRepository },
      ],
      exports: [TransfersHubService, CROSS_PROVINCE_FLOWS],
    };
  }
}

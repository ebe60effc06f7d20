import { Module, type DynamicModule } from '@nestjs/common';
import { ChangeFeedController } from './change-feed.controller.js';
import { CHANGE_FEED_OPTIONS, type ChangeFeedOptions } from './change-feed.options.js';
import { ChangeFeedRepository } from './change-feed.repository.js';
import { ChangeFeedService } from './change-feed.service.js';
import { ChangeSequencer } from './change-sequencer.js';

/** The change feed: sequencer, `GET /changes` (ADR 0020). Needs the org module (scope by unit). */
@Module({})
export class ChangeFeedModule {
  static register(options: ChangeFeedOptions): DynamicModule {
    return {
      module: ChangeFeedModule,
      controllers: [ChangeFeedController],
      providers: [
        { provide: CHANGE_FEED_OPTIONS, useValue: options },
        ChangeFeedRepository,
        ChangeSequencer,
        ChangeFeedService,
      ],
      exports: [ChangeFeedRepository, ChangeFeedService, ChangeSequencer],
    };
  }
}

import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { TodoSources } from '@tmis/teachers';
import { WebhookController } from './webhook.controller.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhookService } from './webhook.service.js';
import { WebhookWorker } from './webhook.worker.js';
import { WEBHOOKS_OPTIONS, type WebhooksOptions } from './webhooks.options.js';

/** Webhooks over the change feed (ADR 0020). Needs the change-feed module and the record modules' to-do sources. */
@Module({})
export class WebhooksModule implements OnModuleInit {
  constructor(
    private readonly sources: TodoSources,
    private readonly webhooks: WebhookService,
  ) {}

  static register(options: WebhooksOptions, imports: DynamicModule[]): DynamicModule {
    return {
      module: WebhooksModule,
      imports,
      controllers: [WebhookController],
      providers: [{ provide: WEBHOOKS_OPTIONS, useValue: options }, WebhookRepository, WebhookService, WebhookWorker],
      exports: [WebhookService, WebhookWorker],
    };
  }

  onModuleInit(): void {
    this.sources.register(async (actor) => [
      {
        kind: 'webhooks-disabled',
        count: await this.webhooks.disabledOwnedBy(actor),
        zh: '因连续投递失败而停用的 Webhook 端点',
        en: 'Webhook endpoints disabled after repeated delivery failures',
      },
    ]);
  }
}

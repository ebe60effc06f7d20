// The public surface of libs/webhooks: only what other libs, apps, tests, bench and tools import.
export { WebhooksModule } from './webhooks.module.js';
export { WebhookService } from './webhook.service.js';
export { WebhookWorker } from './webhook.worker.js';
export { newWebhookSecret, signWebhook, webhookHeaders } from './webhook-signature.js';

export { SyncPublishModule } from './sync-publish.module.js';
export type { SyncPublishOptions } from './sync-publish.options.js';
export { OutboxRelay } from './outbox.relay.js';
export { ResyncService, type ResyncStatus } from './resync.service.js';

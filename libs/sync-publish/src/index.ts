// The public surface of libs/sync-publish: only what other libs, apps, tests, bench and tools import.
export { SyncPublishModule } from './sync-publish.module.js';
export { OutboxRelay } from './outbox.relay.js';

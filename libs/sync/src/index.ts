export * from './sync.options.js';
export * from './kafka.transport.js';
export * from './outbox.relay.js';
export * from './ingest.service.js';
export * from './sync.module.js';
export * from './reconcile.service.js';
export * from './sync-outbox.writer.js';

export * from './sync-messages.js';
export * from './sync-outbox.js';

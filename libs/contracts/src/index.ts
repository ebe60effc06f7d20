export * from './sync-messages.js';

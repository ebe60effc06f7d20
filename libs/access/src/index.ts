export * from './actor.js';
export * from './session-store.js';
export * from './auth-metadata.js';
export * from './authenticated.js';
export * from './auth.guard.js';
export * from './access-policy.js';

// The public surface of libs/access: only what other libs, apps, tests, bench and tools import.
export { type Actor, inScope, Role } from './actor.js';
export { AUTH_OPTIONS, type AuthOptions, SESSION_STORE, type SessionStore } from './session-store.js';
export { Authenticated, CurrentActor } from './authenticated.js';
export { authenticateBearer } from './auth.guard.js';
export { AccessPolicy } from './access-policy.js';

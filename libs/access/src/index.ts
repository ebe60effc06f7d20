// The public surface of libs/access: only what other libs, apps, tests, bench and tools import.
export {
  type Actor,
  ALL_SCOPES,
  ApiScope,
  type ClientPrincipal,
  clientReadRole,
  hasScope,
  inScope,
  Role,
  scopeLabels,
} from './actor.js';
export {
  AUTH_OPTIONS,
  type AuthOptions,
  CLIENT_STORE,
  type ClientStore,
  type ClientTokenClaims,
  type ResolvedClient,
  SESSION_STORE,
  type SessionStore,
} from './session-store.js';
export { Authenticated, CurrentActor } from './authenticated.js';
export { authenticateBearer, authenticateCaller } from './auth.guard.js';
export { AccessPolicy } from './access-policy.js';
export { jwtKey } from './jwt-key.js';

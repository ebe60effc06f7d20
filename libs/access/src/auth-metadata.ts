import type { ApiScope, Role } from './actor.js';

export const AUTH_METADATA = 'tmis:auth';

export interface AuthenticatedOptions {
  /** Roles allowed to call the route; omitted = any authenticated account. */
  roles?: Role[];
  /** Allowed while the account still has to change its initial password. */
  allowPasswordChangePending?: boolean;
  /**
   * The scope an API client needs to call the route. Without it the route is closed to clients;
   * `roles` applies to people only (a client's role is derived from its scopes, see `Actor`).
   */
  scope?: ApiScope;
}

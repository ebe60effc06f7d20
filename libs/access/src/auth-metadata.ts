import type { Role } from './actor.js';

export const AUTH_METADATA = 'tmis:auth';

export interface AuthenticatedOptions {
  /** Roles allowed to call the route; omitted = any authenticated account. */
  roles?: Role[];
  /** Allowed while the account still has to change its initial password. */
  allowPasswordChangePending?: boolean;
}

import type { LoginThrottleOptions } from './login-throttle.js';

export const ACCOUNTS_OPTIONS = Symbol('ACCOUNTS_OPTIONS');

export interface AccountsOptions {
  jwtSecret: string;
  jwtIssuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  lockoutThreshold: number;
  lockoutMinutes: number;
  /** Header with the client-certificate SHA-256 fingerprint, set by a trusted TLS proxy; undefined = never read. */
  clientCertHeader?: string;
  /** Socket addresses allowed to set that header. */
  trustedProxies: string[];
  /** Failed-login throttling across user names (defaults: DEFAULT_LOGIN_THROTTLE). */
  loginThrottle?: LoginThrottleOptions;
  /** How long a session's actor may be served from memory (the revocation bound; 0 = look up every request). */
  sessionCacheMs?: number;
}

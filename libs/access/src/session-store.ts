import type { Actor } from './actor.js';

/** Looks up the live session behind an access token; implemented by the accounts library. */
export interface SessionStore {
  resolveActor(sessionId: string, accountId: string): Promise<Actor | null>;
}

export const SESSION_STORE = Symbol('SESSION_STORE');

export interface TokenClaims {
  sub: string;
  sid: string;
  role: string;
  typ: 'access';
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  jwtSecret: string;
  jwtIssuer: string;
  accessTokenTtlSeconds: number;
}

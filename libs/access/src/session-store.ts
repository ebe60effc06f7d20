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

/** Claims of a client-credentials access token (`typ: 'client'`). */
export interface ClientTokenClaims {
  /** The client's id. */
  sub: string;
  /** The secret the token was issued for: revoking it ends its tokens at once. */
  sec: string;
  /** Space-separated scopes (RFC 6749 §3.3). */
  scope: string;
  jti: string;
  typ: 'client';
}

/** What the client store answers: the actor, and headers for the response (rate-limit state). */
export interface ResolvedClient {
  actor: Actor;
  headers: Record<string, string>;
}

/**
 * Looks up the live API client behind a client token (revoked or expired clients and secrets,
 * source addresses, rate limits); implemented by the api-clients library. Throws a domain error
 * (e.g. 429) or answers null for "not authenticated".
 */
export interface ClientStore {
  resolveClient(claims: ClientTokenClaims, ip: string | null): Promise<ResolvedClient | null>;
  /** Records that a client called a route its scopes do not open (before the 403). */
  refused(actor: Actor, call: { method: string; path: string }, reason: string): Promise<void>;
}

export const CLIENT_STORE = Symbol('CLIENT_STORE');

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

export interface AuthOptions {
  jwtSecret: string;
  jwtIssuer: string;
  accessTokenTtlSeconds: number;
}

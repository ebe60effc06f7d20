import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { commonError, CommonErrorCode } from '@tmis/common';
import type { Actor } from './actor.js';
import { jwtKey } from './jwt-key.js';
import { AUTH_METADATA, type AuthenticatedOptions } from './auth-metadata.js';
import {
  AUTH_OPTIONS,
  CLIENT_STORE,
  SESSION_STORE,
  type AuthOptions,
  type ClientStore,
  type ClientTokenClaims,
  type SessionStore,
  type TokenClaims,
} from './session-store.js';

interface GuardedRequest {
  headers: Record<string, string | undefined>;
  ip?: string;
  method: string;
  route?: { path?: string };
  originalUrl?: string;
  actor?: Actor;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Optional() @Inject(CLIENT_STORE) private readonly clients?: ClientStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const opts =
      this.reflector.getAllAndOverride<AuthenticatedOptions | undefined>(AUTH_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) ?? {};
    const http = context.switchToHttp();
    const req = http.getRequest<GuardedRequest>();
    const res = http.getResponse<{ setHeader(k: string, v: string): void }>();
    const resolved = await authenticateCaller(req.headers['authorization'], req.ip ?? null, this.options, {
      sessions: this.sessions,
      clients: this.clients,
    });
    for (const [k, v] of Object.entries(resolved.headers)) res.setHeader(k, v);
    const actor = resolved.actor;
    if (actor.client) {
      // Clients are gated by the route's declared scope, never by role (their role only says how they read).
      if (!opts.scope || !actor.client.scopes.includes(opts.scope)) {
        await this.clients?.refused(
          actor,
          { method: req.method, path: req.route?.path ?? req.originalUrl?.split('?')[0] ?? '' },
          opts.scope ? `missing-scope:${opts.scope}` : 'not-open-to-clients',
        );
        res.setHeader(
          'WWW-Authenticate',
          opts.scope ? `Bearer error="insufficient_scope", scope="${opts.scope}"` : 'Bearer error="insufficient_scope"',
        );
        throw commonError(
          CommonErrorCode.InsufficientScope,
          opts.scope ? `Requires the scope ${opts.scope}` : 'This operation is not open to API clients',
          { requiredScope: opts.scope ?? null },
        );
      }
    } else {
      if (actor.mustChangePassword && !opts.allowPasswordChangePending)
        throw commonError(CommonErrorCode.PasswordChangeRequired);
      if (opts.roles && !opts.roles.includes(actor.role))
        throw commonError(CommonErrorCode.Forbidden, `Requires one of: ${opts.roles.join(', ')}`);
    }
    req.actor = actor;
    return true;
  }
}

function verify<T>(token: string, options: AuthOptions): T {
  try {
    return jwt.verify(token, jwtKey(options.jwtSecret), { algorithms: ['HS256'], issuer: options.jwtIssuer }) as T;
  } catch {
    throw commonError(CommonErrorCode.Unauthenticated, 'Invalid or expired token');
  }
}

/**
 * The live caller behind `Authorization: Bearer <token>`: a person's access token (a live session)
 * or, when the node has API clients, a client-credentials token (a live client and secret). A 401
 * problem otherwise.
 */
export async function authenticateCaller(
  header: string | undefined,
  ip: string | null,
  options: AuthOptions,
  stores: { sessions: SessionStore; clients?: ClientStore },
): Promise<{ actor: Actor; headers: Record<string, string> }> {
  if (!header || !header.startsWith('Bearer '))
    throw commonError(CommonErrorCode.Unauthenticated, 'Missing bearer token');
  const claims = verify<TokenClaims | ClientTokenClaims>(header.slice(7), options);
  if (claims.typ === 'client') {
    if (!stores.clients || !claims.sub || !claims.sec)
      throw commonError(CommonErrorCode.Unauthenticated, 'Not an access token');
    const resolved = await stores.clients.resolveClient(claims, ip);
    if (!resolved)
      throw commonError(
        CommonErrorCode.Unauthenticated,
        'Client revoked or expired, secret revoked, or address refused',
      );
    return resolved;
  }
  return { actor: await personOf(claims, stores.sessions), headers: {} };
}

async function personOf(claims: TokenClaims, sessions: SessionStore): Promise<Actor> {
  if (claims.typ !== 'access' || !claims.sid || !claims.sub)
    throw commonError(CommonErrorCode.Unauthenticated, 'Not an access token');
  const actor = await sessions.resolveActor(claims.sid, claims.sub);
  if (!actor) throw commonError(CommonErrorCode.Unauthenticated, 'Session revoked, expired or account disabled');
  return actor;
}

/** The live person behind `Authorization: Bearer <access token>`, or a 401 problem. */
export async function authenticateBearer(
  header: string | undefined,
  options: AuthOptions,
  sessions: SessionStore,
): Promise<Actor> {
  if (!header || !header.startsWith('Bearer '))
    throw commonError(CommonErrorCode.Unauthenticated, 'Missing bearer token');
  return personOf(verify<TokenClaims>(header.slice(7), options), sessions);
}

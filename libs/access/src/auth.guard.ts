import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { commonError, CommonErrorCode } from '@tmis/common';
import type { Actor } from './actor.js';
import { AUTH_METADATA, type AuthenticatedOptions } from './auth-metadata.js';
import { AUTH_OPTIONS, SESSION_STORE, type AuthOptions, type SessionStore, type TokenClaims } from './session-store.js';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const opts =
      this.reflector.getAllAndOverride<AuthenticatedOptions | undefined>(AUTH_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]) ?? {};
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; actor?: Actor }>();
    const actor = await authenticateBearer(req.headers['authorization'], this.options, this.sessions);
    if (actor.mustChangePassword && !opts.allowPasswordChangePending)
      throw commonError(CommonErrorCode.PasswordChangeRequired);
    if (opts.roles && !opts.roles.includes(actor.role))
      throw commonError(CommonErrorCode.Forbidden, `Requires one of: ${opts.roles.join(', ')}`);
    req.actor = actor;
    return true;
  }
}

/** The live actor behind `Authorization: Bearer <access token>`, or a 401 problem. */
export async function authenticateBearer(
  header: string | undefined,
  options: AuthOptions,
  sessions: SessionStore,
): Promise<Actor> {
  if (!header || !header.startsWith('Bearer '))
    throw commonError(CommonErrorCode.Unauthenticated, 'Missing bearer token');
  let claims: TokenClaims;
  try {
    claims = jwt.verify(header.slice(7), options.jwtSecret, {
      algorithms: ['HS256'],
      issuer: options.jwtIssuer,
    }) as TokenClaims;
  } catch {
    throw commonError(CommonErrorCode.Unauthenticated, 'Invalid or expired token');
  }
  if (claims.typ !== 'access' || !claims.sid || !claims.sub)
    throw commonError(CommonErrorCode.Unauthenticated, 'Not an access token');
  const actor = await sessions.resolveActor(claims.sid, claims.sub);
  if (!actor) throw commonError(CommonErrorCode.Unauthenticated, 'Session revoked, expired or account disabled');
  return actor;
}

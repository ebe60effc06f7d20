import { applyDecorators, createParamDecorator, SetMetadata, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Actor } from './actor.js';
import { AUTH_METADATA, type AuthenticatedOptions } from './auth-metadata.js';
import { AuthGuard } from './auth.guard.js';

/**
 * The one authorisation mechanism of every controller: authenticates the bearer token against a
 * live session, gates by role here, and hands the resolved `Actor` to the service, which checks
 * scope (the target unit must be the actor's unit or below it) with `AccessPolicy`.
 */
export function Authenticated(options: AuthenticatedOptions = {}) {
  return applyDecorators(SetMetadata(AUTH_METADATA, options), UseGuards(AuthGuard), ApiBearerAuth());
}

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<{ actor?: Actor }>();
  if (!req.actor) throw new Error('CurrentActor used on a route without @Authenticated');
  return req.actor;
});

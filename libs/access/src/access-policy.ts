import { commonError, CommonErrorCode } from '@tmis/common';
import { inScope, strictlyBelow, type Actor, type Role } from './actor.js';

/** Scope checks used by services: a target unit must be the actor's unit or below it. */
export const AccessPolicy = {
  requireInScope(actor: Actor, targetUnitPath: string): void {
    if (!inScope(actor, targetUnitPath)) throw commonError(CommonErrorCode.OutOfScope);
  },
  requireStrictlyBelow(actor: Actor, targetUnitPath: string): void {
    if (!strictlyBelow(actor, targetUnitPath)) throw commonError(CommonErrorCode.OutOfScope);
  },
  requireRole(actor: Actor, roles: Role[]): void {
    if (!roles.includes(actor.role)) throw commonError(CommonErrorCode.Forbidden);
  },
};

export enum Role {
  SysAdmin = 'sysadmin',
  InfoAdmin = 'info_admin',
  Query = 'query',
  Teacher = 'teacher',
}

export const ALL_ROLES: readonly Role[] = [Role.SysAdmin, Role.InfoAdmin, Role.Query, Role.Teacher];

export const roleLabels: Record<Role, { en: string; zh: string }> = {
  [Role.SysAdmin]: { en: 'System administrator', zh: '系统管理员' },
  [Role.InfoAdmin]: { en: 'Information administrator', zh: '信息管理员' },
  [Role.Query]: { en: 'Information query user', zh: '信息查询用户' },
  [Role.Teacher]: { en: 'Teacher', zh: '教师' },
};

/**
 * Scopes an API client may be granted (issue 16). A route open to clients declares the one it needs
 * (`@Authenticated({ scope })`); routes that declare none are closed to clients.
 */
export enum ApiScope {
  TeachersRead = 'teachers:read',
  TeachersReadSensitive = 'teachers:read:sensitive',
  TrainingWrite = 'training:write',
  StatsRead = 'stats:read',
  ChangesRead = 'changes:read',
}

export const ALL_SCOPES: readonly ApiScope[] = Object.values(ApiScope);

export const scopeLabels: Record<ApiScope, string> = {
  [ApiScope.TeachersRead]:
    'Read teacher records, units and the catalogue in the owner unit (ID numbers, contacts masked; no pay)',
  [ApiScope.TeachersReadSensitive]: 'With teachers:read: ID numbers, contacts and pay unmasked',
  [ApiScope.TrainingWrite]: 'Record training results',
  [ApiScope.StatsRead]: 'Read statistics of the owner unit',
  [ApiScope.ChangesRead]: 'Read the change feed of the owner unit',
};

/** A third-party platform calling with a client-credentials token (instead of a person). */
export interface ClientPrincipal {
  /** The client's id (`client_id` of the token request). */
  clientId: string;
  name: string;
  /** The scopes of this token (granted to the client, possibly narrowed at the token request). */
  scopes: readonly ApiScope[];
}

/**
 * The authenticated caller, resolved once per request by the auth guard: a person (an account and
 * its session), or an API client (`client` set). For a client, `unitId`/`unitPath`/`unitLevel` are
 * its owner unit (its scope is that subtree), `accountId` is the client's id (no account exists),
 * `sessionId` the token's id, and `role` how it reads: an information administrator of the owner
 * unit with `teachers:read:sensitive`, a query user (masked, no pay) without it.
 */
export interface Actor {
  accountId: string;
  sessionId: string;
  role: Role;
  unitId: string;
  /** Materialised path of the account's unit, e.g. `/000000/110000/110100/`. */
  unitPath: string;
  unitLevel: number;
  mustChangePassword: boolean;
  /** Set when the caller is an API client rather than a person. */
  client?: ClientPrincipal;
}

/** True when the caller is an API client holding `scope`; false for people and other clients. */
export function hasScope(actor: Pick<Actor, 'client'>, scope: ApiScope): boolean {
  return !!actor.client && actor.client.scopes.includes(scope);
}

/** How a client reads records: as an information administrator with the sensitive scope, else as a query user. */
export function clientReadRole(scopes: readonly ApiScope[]): Role {
  return scopes.includes(ApiScope.TeachersReadSensitive) ? Role.InfoAdmin : Role.Query;
}

/** True when `targetPath` is the actor's unit or a unit below it. */
export function inScope(actor: Pick<Actor, 'unitPath'>, targetPath: string): boolean {
  return targetPath.startsWith(actor.unitPath);
}

/** True when `targetPath` is strictly below the actor's unit. */
export function strictlyBelow(actor: Pick<Actor, 'unitPath'>, targetPath: string): boolean {
  return targetPath.length > actor.unitPath.length && targetPath.startsWith(actor.unitPath);
}

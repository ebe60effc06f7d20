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

/** The authenticated caller, resolved once per request by the auth guard. */
export interface Actor {
  accountId: string;
  sessionId: string;
  role: Role;
  unitId: string;
  /** Materialised path of the account's unit, e.g. `/000000/110000/110100/`. */
  unitPath: string;
  unitLevel: number;
  mustChangePassword: boolean;
}

/** True when `targetPath` is the actor's unit or a unit below it. */
export function inScope(actor: Pick<Actor, 'unitPath'>, targetPath: string): boolean {
  return targetPath.startsWith(actor.unitPath);
}

/** True when `targetPath` is strictly below the actor's unit. */
export function strictlyBelow(actor: Pick<Actor, 'unitPath'>, targetPath: string): boolean {
  return targetPath.length > actor.unitPath.length && targetPath.startsWith(actor.unitPath);
}

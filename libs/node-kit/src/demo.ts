import type { INestApplication } from '@nestjs/common';
import { Role, type Actor } from '@tmis/access';
import { AccountsService } from '@tmis/accounts';
import { makeIdNumber } from '@tmis/core-indicators';
import { OrgService, UnitKind, type OrgUnitEntity } from '@tmis/org';
import type { NodeRuntime } from '@tmis/server';
import { bootstrapRootAdmin, rootUnitCode } from './seed.js';

export const DEMO_PASSWORD = 'Tmis@2026demo';

export interface DemoLogin {
  username: string;
  role: Role;
  unit: string;
}

function actorFor(accountId: string, unit: OrgUnitEntity): Actor {
  return { accountId, sessionId: 'demo-seed', role: Role.SysAdmin, unitId: unit.id, unitPath: unit.path, unitLevel: unit.level, mustChangePassword: false };
}

/**
 * Demo data, created through the same services and rules as the API (each administrator creates the
 * level below). Idempotent: a second start finds the accounts and leaves everything as it is.
 */
export async function seedDemo(app: INestApplication, runtime: NodeRuntime): Promise<DemoLogin[]> {
  const accounts = app.get(AccountsService);
  const org = app.get(OrgService);
  const logins: DemoLogin[] = [];
  const national = runtime.kind === 'national';
  const p = runtime.config.PROVINCE_CODE ?? '11';
  const rootCode = rootUnitCode(runtime);
  const prefix = national ? 'moe' : `p${p}`;
  const root = (await org.findByCode(rootCode))!;
  const { id: rootAdminId } = await bootstrapRootAdmin(app, runtime, { username: `${prefix}.admin`, realName: national ? '部级系统管理员' : '省级系统管理员', idNumber: makeIdNumber(`${national ? '11' : p}0101`, '19800101', 11), password: DEMO_PASSWORD, mustChangePassword: false });
  logins.push({ username: `${prefix}.admin`, role: Role.SysAdmin, unit: root.name });
  const rootActor = actorFor(rootAdminId, root);

  const ensureAccount = async (actor: Actor, unit: OrgUnitEntity, role: Role, username: string, realName: string, idNumber: string): Promise<string> => {
    const found = await accounts.findByUsername(username);
    const id = found ? found.id : (await accounts.create(actor, { unitId: unit.id, role, username: role === Role.Teacher ? undefined : username, realName, idNumber, initialPassword: DEMO_PASSWORD })).id;
    if (!found) await accounts.clearPasswordChangeRequirement(id);
    logins.push({ username, role, unit: unit.name });
    return id;
  };
  const ensureUnit = async (actor: Actor, parent: OrgUnitEntity, kind: UnitKind, code: string, name: string, schoolType?: string): Promise<OrgUnitEntity> =>
    (await org.findByCode(code)) ?? org.create(actor, { kind, parentId: parent.id, code, name, ...(kind === UnitKind.School ? { schoolType, urbanRural: '111', sponsor: '1' } : {}) });

  await ensureAccount(rootActor, root, Role.InfoAdmin, `${prefix}.info`, '信息管理员', makeIdNumber(`${national ? '11' : p}0101`, '19820202', 21));
  await ensureAccount(rootActor, root, Role.Query, `${prefix}.query`, '信息查询员', makeIdNumber(`${national ? '11' : p}0101`, '19830303', 31));
  if (national) {
    const uni = await ensureUnit(rootActor, root, UnitKind.School, '4111010001', '示范大学（部属）', '41');
    await ensureAccount(rootActor, uni, Role.SysAdmin, 'uni.admin', '高校系统管理员', makeIdNumber('110108', '19790909', 41));
    return logins;
  }
  // Province → first city → its first county → three schools, one administrator per level.
  const city = (await org.children(rootActor, root.id, false)).find((c) => c.kind === UnitKind.City)!;
  const cityAdminId = await ensureAccount(rootActor, city, Role.SysAdmin, `c${city.code}.admin`, '地市系统管理员', makeIdNumber(city.code, '19810101', 51));
  const county = (await org.children(rootActor, city.id, false)).find((c) => c.kind === UnitKind.County)!;
  const countyAdminId = await ensureAccount(actorFor(cityAdminId, city), county, Role.SysAdmin, `x${county.code}.admin`, '区县系统管理员', makeIdNumber(county.code, '19840404', 61));
  const countyActor = actorFor(countyAdminId, county);
  await ensureAccount(countyActor, county, Role.InfoAdmin, `x${county.code}.info`, '区县信息管理员', makeIdNumber(county.code, '19850505', 71));
  const primary = await ensureUnit(countyActor, county, UnitKind.School, `21${p}000001`, `${county.name}示范小学`, '21');
  await ensureUnit(countyActor, county, UnitKind.School, `31${p}000002`, `${county.name}第一中学`, '31');
  await ensureUnit(countyActor, county, UnitKind.School, `11${p}000003`, `${county.name}实验幼儿园`, '11');
  const schoolAdminId = await ensureAccount(countyActor, primary, Role.SysAdmin, `s${primary.code}.admin`, '学校系统管理员', makeIdNumber(county.code, '19860606', 81));
  const teacherId = makeIdNumber(county.code, '19900315', 92);
  await ensureAccount(actorFor(schoolAdminId, primary), primary, Role.Teacher, teacherId, '示范教师', teacherId);
  return logins;
}

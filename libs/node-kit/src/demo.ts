import type { INestApplication } from '@nestjs/common';
import { Role, type Actor } from '@tmis/access';
import { AccountsService } from '@tmis/accounts';
import { makeIdNumber } from '@tmis/core-indicators';
import { OrgService, UnitKind, type OrgUnitEntity } from '@tmis/org';
import { StatsService } from '@tmis/stats';
import { ReviewService, TeacherService } from '@tmis/teachers';
import { bootstrapRootAdmin } from './seed.js';

export const DEMO_PASSWORD = 'Tmis@2026demo';

export interface DemoLogin {
  username: string;
  role: Role;
  unit: string;
}

function actorFor(accountId: string, unit: OrgUnitEntity, role: Role = Role.SysAdmin): Actor {
  return {
    accountId,
    sessionId: 'demo-seed',
    role,
    unitId: unit.id,
    unitPath: unit.path,
    unitLevel: unit.level,
    mustChangePassword: false,
  };
}

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳'];

/** A varied, valid primary/secondary record for demo person `i` (ID number from the county's division code). */
/** The demo teacher's own record (born 1990-03-15, the ID number of the `teacher` demo login). */
function demoTeacherRecord(base: Record<string, unknown>, idNumber: string): Record<string, unknown> {
  const basic = base.basic as Record<string, unknown>;
  const education = base.education as Record<string, unknown>[];
  return {
    ...base,
    basic: {
      ...basic,
      name: '王芳',
      idNumber,
      birthDate: '1990-03-15',
      sex: Number(idNumber[16]) % 2 === 1 ? '1' : '2',
      workStartMonth: '2012-09',
      schoolEntryMonth: '2013-09',
    },
    education: education.map((e) => ({ ...e, startMonth: '2008-09', endMonth: '2012-07' })),
    professionalTitle: (base.professionalTitle as Record<string, unknown>[]).map((x) => ({
      ...x,
      startMonth: '2018-09',
    })),
  };
}

function demoRecord(countyCode: string, i: number): Record<string, unknown> {
  const year = 1966 + ((i * 7) % 34);
  const birth = `${year}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}`;
  const idNumber = makeIdNumber(countyCode, birth.replaceAll('-', ''), 100 + i);
  const sex = Number(idNumber[16]) % 2 === 1 ? '1' : '2';
  const title = ['013', '012', '014', '013', '011', '015'][i % 6];
  return {
    basic: {
      name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 5) % GIVEN.length]}`,
      sex,
      nationality: 'CHN',
      ethnicity: ['01', '01', '01', '03', '05'][i % 5],
      idType: '1',
      idNumber,
      birthDate: birth,
      politicalStatus: ['01', '13', '13', '03'][i % 4],
      workStartMonth: `${year + 22}-09`,
      schoolEntryMonth: `${year + 23}-09`,
      staffCategory: i % 9 === 0 ? '12' : '11',
      onEstablishment: i % 7 !== 0,
      ...(i % 7 === 0 ? { employmentForm: '1' } : {}),
      personStatus: '01',
    },
    education: [
      {
        startMonth: `${year + 18}-09`,
        endMonth: `${year + 22}-07`,
        schoolName: '北京师范大学',
        educationLevel: i % 5 === 0 ? '14' : '21',
        degree: '4',
        isHighest: true,
      },
    ],
    professionalTitle: [{ title, startMonth: `${Math.min(year + 30, 2025)}-09` }],
    teaching: [
      {
        schoolYear: '2025-2026',
        semester: '1',
        subject: ['01', '02', '03', '04', '05', '06'][i % 6],
        grade: '七年级',
        weeklyHours: 10 + (i % 6),
      },
    ],
    contacts: { mobile: `139${String(10000000 + i * 7919).slice(0, 8)}`, email: `demo${i}@school.example.cn` },
  };
}

/** What both nodes' demo data start with: the root unit's administrator, information and query accounts. */
async function seedRoot(
  app: INestApplication,
  root: { code: string; prefix: string; adminName: string; division: string },
) {
  const accounts = app.get(AccountsService);
  const org = app.get(OrgService);
  const logins: DemoLogin[] = [];
  const rootUnit = (await org.findByCode(root.code))!;
  const { id: rootAdminId } = await bootstrapRootAdmin(app, root.code, {
    username: `${root.prefix}.admin`,
    realName: root.adminName,
    idNumber: makeIdNumber(`${root.division}0101`, '19800101', 11),
    password: DEMO_PASSWORD,
    mustChangePassword: false,
  });
  logins.push({ username: `${root.prefix}.admin`, role: Role.SysAdmin, unit: rootUnit.name });
  const rootActor = actorFor(rootAdminId, rootUnit);

  const ensureAccount = async (
    actor: Actor,
    unit: OrgUnitEntity,
    role: Role,
    username: string,
    realName: string,
    idNumber: string,
  ): Promise<string> => {
    const found = await accounts.findByUsername(username);
    const id = found
      ? found.id
      : (
          await accounts.create(actor, {
            unitId: unit.id,
            role,
            username: role === Role.Teacher ? undefined : username,
            realName,
            idNumber,
            initialPassword: DEMO_PASSWORD,
          })
        ).id;
    if (!found) await accounts.clearPasswordChangeRequirement(id);
    logins.push({ username, role, unit: unit.name });
    return id;
  };
  const ensureUnit = async (
    actor: Actor,
    parent: OrgUnitEntity,
    kind: UnitKind,
    code: string,
    name: string,
    schoolType?: string,
  ): Promise<OrgUnitEntity> =>
    (await org.findByCode(code)) ??
    org.create(actor, {
      kind,
      parentId: parent.id,
      code,
      name,
      ...(kind === UnitKind.School ? { schoolType, urbanRural: '111', sponsor: '1' } : {}),
    });

  await ensureAccount(
    rootActor,
    rootUnit,
    Role.InfoAdmin,
    `${root.prefix}.info`,
    '信息管理员',
    makeIdNumber(`${root.division}0101`, '19820202', 21),
  );
  await ensureAccount(
    rootActor,
    rootUnit,
    Role.Query,
    `${root.prefix}.query`,
    '信息查询员',
    makeIdNumber(`${root.division}0101`, '19830303', 31),
  );
  return { logins, root: rootUnit, rootActor, ensureAccount, ensureUnit, org, accounts };
}

/**
 * The national node's demo data (through the same services and rules as the API): the ministry's
 * accounts and a central university with its administrator. Idempotent.
 */
export async function seedNationalDemo(app: INestApplication): Promise<DemoLogin[]> {
  const { logins, root, rootActor, ensureAccount, ensureUnit } = await seedRoot(app, {
    code: '000000',
    prefix: 'moe',
    adminName: '部级系统管理员',
    division: '11',
  });
  const uni = await ensureUnit(rootActor, root, UnitKind.School, '4111010001', '示范大学（部属）', '41');
  await ensureAccount(
    rootActor,
    uni,
    Role.SysAdmin,
    'uni.admin',
    '高校系统管理员',
    makeIdNumber('110108', '19790909', 41),
  );
  return logins;
}

/**
 * A provincial node's demo data, created through the same services and rules as the API (each
 * administrator creates the level below). Idempotent: a second start finds the accounts and leaves
 * everything as it is.
 */
export async function seedProvincialDemo(app: INestApplication, p: string): Promise<DemoLogin[]> {
  const { logins, root, rootActor, ensureAccount, ensureUnit, org, accounts } = await seedRoot(app, {
    code: `${p}0000`,
    prefix: `p${p}`,
    adminName: '省级系统管理员',
    division: p,
  });
  // Province → first city → its first county → three schools, one administrator per level.
  const city = (await org.children(rootActor, root.id, false)).find((c) => c.kind === UnitKind.City)!;
  const cityAdminId = await ensureAccount(
    rootActor,
    city,
    Role.SysAdmin,
    `c${city.code}.admin`,
    '地市系统管理员',
    makeIdNumber(city.code, '19810101', 51),
  );
  const county = (await org.children(rootActor, city.id, false)).find((c) => c.kind === UnitKind.County)!;
  const countyAdminId = await ensureAccount(
    actorFor(cityAdminId, city),
    county,
    Role.SysAdmin,
    `x${county.code}.admin`,
    '区县系统管理员',
    makeIdNumber(county.code, '19840404', 61),
  );
  const countyActor = actorFor(countyAdminId, county);
  await ensureAccount(
    countyActor,
    county,
    Role.InfoAdmin,
    `x${county.code}.info`,
    '区县信息管理员',
    makeIdNumber(county.code, '19850505', 71),
  );
  const primary = await ensureUnit(
    countyActor,
    county,
    UnitKind.School,
    `21${p}000001`,
    `${county.name}示范小学`,
    '21',
  );
  await ensureUnit(countyActor, county, UnitKind.School, `31${p}000002`, `${county.name}第一中学`, '31');
  await ensureUnit(countyActor, county, UnitKind.School, `11${p}000003`, `${county.name}实验幼儿园`, '11');
  const schoolAdminId = await ensureAccount(
    countyActor,
    primary,
    Role.SysAdmin,
    `s${primary.code}.admin`,
    '学校系统管理员',
    makeIdNumber(county.code, '19860606', 81),
  );
  const teacherId = makeIdNumber(county.code, '19900315', 92);
  await ensureAccount(actorFor(schoolAdminId, primary), primary, Role.Teacher, teacherId, '示范教师', teacherId);

  // Teacher records through the same services as the API: 36 in the primary and the middle school,
  // two thirds taken through review to "reported" (so they reach the national node), the rest drafts.
  const middle = (await org.findByCode(`31${p}000002`))!;
  const schoolInfo = actorFor(
    await ensureAccount(
      actorFor(schoolAdminId, primary),
      primary,
      Role.InfoAdmin,
      `s${primary.code}.info`,
      '学校信息管理员',
      makeIdNumber(county.code, '19870707', 83),
    ),
    primary,
    Role.InfoAdmin,
  );
  const middleAdminId = await ensureAccount(
    countyActor,
    middle,
    Role.SysAdmin,
    `s${middle.code}.admin`,
    '学校系统管理员',
    makeIdNumber(county.code, '19860707', 84),
  );
  const middleInfo = actorFor(
    await ensureAccount(
      actorFor(middleAdminId, middle),
      middle,
      Role.InfoAdmin,
      `s${middle.code}.info`,
      '学校信息管理员',
      makeIdNumber(county.code, '19880808', 85),
    ),
    middle,
    Role.InfoAdmin,
  );
  const countyInfoId = (await accounts.findByUsername(`x${county.code}.info`))!.id;
  const countyInfo = actorFor(countyInfoId, county, Role.InfoAdmin);
  const teachers = app.get(TeacherService);
  const review = app.get(ReviewService);
  if ((await teachers.list(countyInfo, { limit: 1 })).items.length === 0) {
    for (let i = 0; i < 36; i++) {
      const school = i % 3 === 2 ? middle : primary;
      const submitter = school === primary ? schoolInfo : middleInfo;
      // The first record (a draft) is the demo teacher's own, so the console's self-service shows it.
      const record = i === 0 ? demoTeacherRecord(demoRecord(county.code, i), teacherId) : demoRecord(county.code, i);
      const t = await teachers.create(submitter, { unitId: school.id, record });
      if (i % 3 === 0) continue;
      await review.act(submitter, t.id, 'submit', { version: t.version });
      await review.act(submitter, t.id, 'school-approve', {
        version: t.version,
        participants: ['校长', '教务主任'],
        principal: '校长',
      });
      await review.act(countyInfo, t.id, 'department-approve', { version: t.version });
    }
    await app.get(StatsService).refresh(rootActor);
  }
  return logins;
}

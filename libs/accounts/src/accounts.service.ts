import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { commonError, CommonErrorCode, type Page } from '@tmis/common';
import { isUniqueViolation, TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { idNumberProblemMessages, parseIdNumber } from '@tmis/core-indicators';
import { OrgService, UnitKind, UnitStatus, type OrgUnitEntity } from '@tmis/org';
import { AccountStatus, type AccountRow } from './account.entity.js';
import { accountError, AccountErrorCode } from './accounts.errors.js';
import { AccountsRepository } from './accounts.repository.js';
import type {
  BindCertificateDto,
  CreateAccountDto,
  ListAccountsQueryDto,
  ResetPasswordDto,
  UpdateAccountDto,
} from './dto/account.dto.js';
import { hashPassword } from './password.js';
import { assertPasswordAcceptable } from './password-policy.js';

/**
 * The account-management rule (Art. 13–15), in one place: a system administrator manages the
 * information administrator, query user and (at a school) teacher accounts of its own unit, and the
 * system administrator of each unit directly below. Nobody grants a role above that.
 */
export function mayManage(
  actor: Pick<Actor, 'role' | 'unitId'>,
  target: { role: Role; unit: Pick<OrgUnitEntity, 'id' | 'parentId' | 'kind'> },
): boolean {
  if (actor.role !== Role.SysAdmin) return false;
  switch (target.role) {
    case Role.SysAdmin:
      return target.unit.parentId === actor.unitId;
    case Role.InfoAdmin:
    case Role.Query:
      return target.unit.id === actor.unitId;
    case Role.Teacher:
      return target.unit.id === actor.unitId && target.unit.kind === UnitKind.School;
  }
}

function validateIdNumber(idType: string, idNumber: string): string {
  if (idType !== '1') return idNumber.trim();
  const value = idNumber.trim().toUpperCase();
  const parsed = parseIdNumber(value);
  if (!parsed.ok) {
    const m = idNumberProblemMessages[parsed.problem];
    throw accountError(AccountErrorCode.InvalidIdNumber, m.en, undefined, [
      { path: 'idNumber', code: 'isIdNumber', message: `idNumber ${m.en}`, messageZh: `idNumber：${m.zh}` },
    ]);
  }
  return value;
}

@Injectable()
export class AccountsService {
  constructor(
    private readonly repo: AccountsRepository,
    private readonly org: OrgService,
    private readonly audit: AuditService,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  async me(actor: Actor): Promise<AccountRow> {
    const a = await this.repo.findById(actor.accountId);
    if (!a) throw accountError(AccountErrorCode.AccountNotFound);
    return a;
  }

  async get(actor: Actor, id: string): Promise<AccountRow> {
    const a = await this.repo.findById(id);
    if (!a) throw accountError(AccountErrorCode.AccountNotFound);
    AccessPolicy.requireInScope(actor, a.unitPath);
    return a;
  }

  async list(actor: Actor, q: ListAccountsQueryDto): Promise<Page<AccountRow>> {
    const limit = q.limit ?? 100;
    const rows = await this.repo.list({
      pathPrefix: actor.unitPath,
      unitId: q.unitId,
      role: q.role,
      status: q.status,
      afterId: q.cursor,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async create(actor: Actor, dto: CreateAccountDto): Promise<AccountRow> {
    const unit = await this.org.findById(dto.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'unitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    if (!mayManage(actor, { role: dto.role, unit }))
      throw accountError(
        AccountErrorCode.NotManageable,
        `A ${actor.role} at this unit may not create a ${dto.role} there`,
      );
    if (unit.status !== UnitStatus.Active) throw accountError(AccountErrorCode.UnitNotActive);
    const idType = dto.idType ?? '1';
    const idNumber = validateIdNumber(idType, dto.idNumber);
    const username = dto.role === Role.Teacher ? (dto.username ?? idNumber) : dto.username;
    if (!username)
      throw commonError(CommonErrorCode.ValidationFailed, 'username is required', undefined, [
        {
          path: 'username',
          code: 'isDefined',
          message: 'username is required for administrators and query users',
          messageZh: 'username：必填',
        },
      ]);
    if (dto.role === Role.Teacher && username.toLowerCase() !== idNumber.toLowerCase())
      throw commonError(CommonErrorCode.ValidationFailed, 'A teacher logs in with the ID number', undefined, [
        {
          path: 'username',
          code: 'teacherUsername',
          message: "a teacher's username is the ID number",
          messageZh: 'username：教师用户名即身份证件号码',
        },
      ]);
    assertPasswordAcceptable('initialPassword', dto.initialPassword, username);
    const passwordHash = await hashPassword(dto.initialPassword);
    const id = await this.txHost.withTransaction(async () => {
      try {
        const newId = await this.repo.insert({
          unitId: unit.id,
          role: dto.role,
          username,
          realName: dto.realName.trim(),
          idType,
          idNumber,
          passwordHash,
          createdBy: actor.accountId,
          mustChangePassword: true,
        });
        await this.audit.record(actor, {
          action: 'account.create',
          targetType: 'account',
          targetId: newId,
          unitPath: unit.path,
          details: { role: dto.role, unitId: unit.id },
        });
        return newId;
      } catch (e) {
        if (isUniqueViolation(e, 'account_one_sysadmin_per_unit')) throw accountError(AccountErrorCode.SysAdminExists);
        if (isUniqueViolation(e, 'account_username_uq')) throw accountError(AccountErrorCode.UsernameTaken);
        throw e;
      }
    });
    return (await this.repo.findById(id))!;
  }

  async update(actor: Actor, id: string, dto: UpdateAccountDto): Promise<AccountRow> {
    return this.change(actor, id, 'account.update', async (a) => {
      const ok = await this.repo.update(a.id, dto.version, { realName: dto.realName?.trim(), status: dto.status });
      if (ok && dto.status === AccountStatus.Disabled) await this.repo.revokeAllSessions(a.id);
      return { ok, details: { status: dto.status, renamed: dto.realName !== undefined } };
    }).catch((e) => {
      if (isUniqueViolation(e, 'account_one_sysadmin_per_unit')) throw accountError(AccountErrorCode.SysAdminExists);
      throw e;
    });
  }

  async resetPassword(actor: Actor, id: string, dto: ResetPasswordDto): Promise<AccountRow> {
    const target = await this.repo.findById(id);
    assertPasswordAcceptable('temporaryPassword', dto.temporaryPassword, target?.username);
    const passwordHash = await hashPassword(dto.temporaryPassword);
    return this.change(actor, id, 'account.password.reset', async (a) => {
      const ok = await this.repo.update(a.id, dto.version, { passwordHash, mustChangePassword: true, unlock: true });
      if (ok) await this.repo.revokeAllSessions(a.id);
      return { ok };
    });
  }

  async unlock(actor: Actor, id: string, version: number): Promise<AccountRow> {
    return this.change(actor, id, 'account.unlock', async (a) => ({
      ok: await this.repo.update(a.id, version, { unlock: true }),
    }));
  }

  async bindCertificate(actor: Actor, id: string, dto: BindCertificateDto): Promise<AccountRow> {
    return this.change(actor, id, 'account.certificate.bind', async (a) => {
      if (a.role === Role.Teacher || a.role === Role.Query)
        throw commonError(CommonErrorCode.ValidationFailed, 'CA certificates are bound to administrator accounts');
      return {
        ok: await this.repo.update(a.id, dto.version, {
          certFingerprint: dto.fingerprint.replace(/:/g, '').toUpperCase(),
        }),
      };
    });
  }

  async unbindCertificate(actor: Actor, id: string, version: number): Promise<AccountRow> {
    return this.change(actor, id, 'account.certificate.unbind', async (a) => ({
      ok: await this.repo.update(a.id, version, { certFingerprint: null }),
    }));
  }

  /** Bootstraps the first system administrator of the node's root unit (deploy command, demo). */
  async bootstrapRootAdmin(input: {
    unitCode: string;
    username: string;
    realName: string;
    idNumber: string;
    password: string;
    mustChangePassword?: boolean;
  }): Promise<{ id: string; created: boolean }> {
    const existing = await this.repo.findByUsername(input.username);
    if (existing) return { id: existing.id, created: false };
    const root = await this.org.findByCode(input.unitCode);
    if (!root) throw commonError(CommonErrorCode.NotFound, `No unit with code ${input.unitCode}`);
    const idNumber = validateIdNumber('1', input.idNumber);
    assertPasswordAcceptable('password', input.password, input.username);
    const passwordHash = await hashPassword(input.password);
    return this.txHost.withTransaction(async () => {
      try {
        const id = await this.repo.insert({
          unitId: root.id,
          role: Role.SysAdmin,
          username: input.username,
          realName: input.realName,
          idType: '1',
          idNumber,
          passwordHash,
          createdBy: null,
          mustChangePassword: input.mustChangePassword ?? true,
        });
        await this.audit.record(null, {
          action: 'account.bootstrap',
          targetType: 'account',
          targetId: id,
          unitPath: root.path,
          details: { role: Role.SysAdmin },
        });
        return { id, created: true };
      } catch (e) {
        if (isUniqueViolation(e, 'account_one_sysadmin_per_unit')) throw accountError(AccountErrorCode.SysAdminExists);
        throw e;
      }
    });
  }

  /** Demo data only: marks an account's initial password as already changed. */
  async clearPasswordChangeRequirement(id: string): Promise<void> {
    await this.txHost.withTransaction(async () => {
      const a = await this.repo.findById(id, true);
      if (a) await this.repo.update(id, a.version, { mustChangePassword: false });
    });
  }

  async findByUsername(username: string): Promise<AccountRow | null> {
    return this.repo.findByUsername(username);
  }

  private async change(
    actor: Actor,
    id: string,
    action: string,
    fn: (a: AccountRow) => Promise<{ ok: boolean; details?: Record<string, unknown> }>,
  ): Promise<AccountRow> {
    await this.txHost.withTransaction(async () => {
      const a = await this.repo.findById(id, true);
      if (!a) throw accountError(AccountErrorCode.AccountNotFound);
      AccessPolicy.requireInScope(actor, a.unitPath);
      if (
        a.id === actor.accountId ||
        !mayManage(actor, {
          role: a.role,
          unit: { id: a.unitId, parentId: a.unitParentId, kind: a.unitKind as UnitKind },
        })
      )
        throw accountError(AccountErrorCode.NotManageable);
      const { ok, details } = await fn(a);
      if (!ok) throw commonError(CommonErrorCode.StaleVersion, undefined, { currentVersion: a.version });
      await this.audit.record(actor, { action, targetType: 'account', targetId: a.id, unitPath: a.unitPath, details });
    });
    return (await this.repo.findById(id))!;
  }
}

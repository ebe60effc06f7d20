import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { AuditService, type AuditRow } from '@tmis/audit';
import { commonError, CommonErrorCode, decodeCursor, encodeCursor, type FieldError, type Page } from '@tmis/common';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { OrgService } from '@tmis/org';
import { normaliseAddressRange } from './addresses.js';
import { apiClientError, ApiClientErrorCode } from './api-clients.errors.js';
import { ApiClientsRepository, type ApiClientRow } from './api-clients.repository.js';
import { sha256 } from './client-auth.service.js';
import {
  toApiClientResponse,
  type ApiClientResponse,
  type ApiClientWithSecretResponse,
  type NewSecretResponse,
  type RegisterApiClientDto,
} from './dto/api-client.dto.js';

const DEFAULT_OVERLAP_SECONDS = 86400;

/** A new secret: 256 random bits, shown once; only its SHA-256 is stored. */
function newSecret(): { secret: string; hash: string; hint: string } {
  const secret = `tmis_${randomBytes(32).toString('base64url')}`;
  return { secret, hash: sha256(secret), hint: `…${secret.slice(-4)}` };
}

/**
 * Registration and life cycle of API clients by a unit's system administrator: the owner unit is
 * theirs or below it, and so is everything they can see or change.
 */
@Injectable()
export class ApiClientsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: ApiClientsRepository,
    private readonly org: OrgService,
    private readonly audit: AuditService,
  ) {}

  private async inScope(actor: Actor, id: string, lock = false): Promise<ApiClientRow> {
    AccessPolicy.requireRole(actor, [Role.SysAdmin]);
    const c = await this.repo.findById(id, lock);
    if (!c) throw apiClientError(ApiClientErrorCode.NotFound);
    AccessPolicy.requireInScope(actor, c.ownerUnitPath);
    return c;
  }

  private async response(c: ApiClientRow): Promise<ApiClientResponse> {
    return toApiClientResponse(c, await this.repo.secrets(c.id));
  }

  async register(actor: Actor, dto: RegisterApiClientDto): Promise<ApiClientWithSecretResponse> {
    AccessPolicy.requireRole(actor, [Role.SysAdmin]);
    const unit = await this.org.findById(dto.ownerUnitId ?? actor.unitId);
    if (!unit) throw commonError(CommonErrorCode.NotFound, 'ownerUnitId does not exist');
    AccessPolicy.requireInScope(actor, unit.path);
    if (unit.status !== 'active') throw apiClientError(ApiClientErrorCode.OwnerUnitNotActive);
    const errors: FieldError[] = [];
    const addresses = (dto.allowedAddresses ?? []).map((a, i) => {
      const n = normaliseAddressRange(a);
      if (!n)
        errors.push({
          path: `allowedAddresses[${i}]`,
          code: 'address',
          message: `allowedAddresses[${i}] must be an IP address or a CIDR range`,
          messageZh: `allowedAddresses[${i}]：须为 IP 地址或 CIDR 网段`,
        });
      return n ?? '';
    });
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now())
      errors.push({
        path: 'expiresAt',
        code: 'future',
        message: 'expiresAt must be in the future',
        messageZh: 'expiresAt：须为将来的时间',
      });
    if (errors.length) throw commonError(CommonErrorCode.ValidationFailed, undefined, undefined, errors);
    const s = newSecret();
    const { id, secretId } = await this.txHost.withTransaction(async () => {
      const id = await this.repo.insert({
        name: dto.name,
        ownerUnitId: unit.id,
        scopes: [...dto.scopes].sort(),
        allowedAddresses: addresses,
        expiresAt,
        rateLimitPerMinute: dto.rateLimitPerMinute ?? null,
        createdBy: actor.accountId,
      });
      const secretId = await this.repo.insertSecret(id, s.hash, s.hint, actor.accountId);
      await this.audit.record(actor, {
        action: 'api_client.register',
        targetType: 'api_client',
        targetId: id,
        unitPath: unit.path,
        details: { name: dto.name, scopes: dto.scopes, allowedAddresses: addresses, expiresAt: dto.expiresAt ?? null },
      });
      return { id, secretId };
    });
    const c = (await this.repo.findById(id))!;
    return { ...(await this.response(c)), clientSecret: s.secret, secretId };
  }

  async list(actor: Actor, q: { cursor?: string; limit?: number }): Promise<Page<ApiClientResponse>> {
    AccessPolicy.requireRole(actor, [Role.SysAdmin]);
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, ['text', 'uuid']) as [string, string] | null;
    const rows = await this.repo.list(actor.unitPath, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: await Promise.all(page.map((c) => this.response(c))),
      nextCursor: rows.length > limit ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  async get(actor: Actor, id: string): Promise<ApiClientResponse> {
    return this.response(await this.inScope(actor, id));
  }

  /**
   * A new secret, shown once; the client's other live secrets keep working for `overlapSeconds`
   * (so the platform can switch without downtime), then stop.
   */
  async rotateSecret(actor: Actor, id: string, overlapSeconds = DEFAULT_OVERLAP_SECONDS): Promise<NewSecretResponse> {
    const s = newSecret();
    return this.txHost.withTransaction(async () => {
      const c = await this.inScope(actor, id, true);
      if (c.revokedAt) throw apiClientError(ApiClientErrorCode.Revoked);
      const secretId = await this.repo.insertSecret(c.id, s.hash, s.hint, actor.accountId);
      const deadline = new Date(Date.now() + overlapSeconds * 1000);
      await this.repo.expireOtherSecrets(c.id, secretId, deadline);
      await this.audit.record(actor, {
        action: 'api_client.secret.rotate',
        targetType: 'api_client',
        targetId: c.id,
        unitPath: c.ownerUnitPath,
        details: { secretId, previousSecretsExpireAt: deadline.toISOString() },
      });
      return { clientId: c.id, secretId, clientSecret: s.secret, previousSecretsExpireAt: deadline.toISOString() };
    });
  }

  /** Revokes one secret at once: tokens issued for it stop working on their next call. */
  async revokeSecret(actor: Actor, id: string, secretId: string): Promise<ApiClientResponse> {
    await this.txHost.withTransaction(async () => {
      const c = await this.inScope(actor, id, true);
      if (!(await this.repo.revokeSecret(c.id, secretId))) throw apiClientError(ApiClientErrorCode.SecretNotFound);
      await this.audit.record(actor, {
        action: 'api_client.secret.revoke',
        targetType: 'api_client',
        targetId: c.id,
        unitPath: c.ownerUnitPath,
        details: { secretId },
      });
    });
    return this.get(actor, id);
  }

  /** Revokes the client at once: every secret and every token it holds stops working. */
  async revoke(actor: Actor, id: string): Promise<ApiClientResponse> {
    await this.txHost.withTransaction(async () => {
      const c = await this.inScope(actor, id, true);
      await this.repo.revoke(c.id, actor.accountId);
      await this.audit.record(actor, {
        action: 'api_client.revoke',
        targetType: 'api_client',
        targetId: c.id,
        unitPath: c.ownerUnitPath,
      });
    });
    return this.get(actor, id);
  }

  /** What the client did (tokens, calls, the records it read, refusals), for its owner unit and above. */
  async calls(actor: Actor, id: string, q: { cursor?: string; limit?: number }): Promise<Page<AuditRow>> {
    const c = await this.inScope(actor, id);
    return this.audit.list(actor, { actorClientId: c.id, cursor: q.cursor, limit: q.limit });
  }
}

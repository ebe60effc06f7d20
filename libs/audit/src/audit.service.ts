import { Injectable } from '@nestjs/common';
import { AccessPolicy, Role, type Actor } from '@tmis/access';
import { currentCorrelationId, requestContext, type Page } from '@tmis/common';
import { AuditRepository, type AuditEntry, type AuditRow } from './audit.repository.js';

@Injectable()
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  /**
   * Records an operation by `actor` (or by an anonymous caller) with the request's IP and correlation id,
   * in the open transaction (`txHost.tx`) if there is one, so it commits with the change it records.
   */
  record(
    actor: Actor | null,
    entry: Omit<AuditEntry, 'actorAccountId' | 'actorClientId' | 'actorUnitId' | 'ip' | 'correlationId'>,
  ): Promise<void> {
    return this.repo.write({
      ...entry,
      actorAccountId: actor && !actor.client ? actor.accountId : null,
      actorClientId: actor?.client?.clientId ?? null,
      actorUnitId: actor?.unitId ?? null,
      ip: requestContext.getStore()?.ip ?? null,
      correlationId: currentCorrelationId() ?? null,
    });
  }

  /** Audit trail of the actor's unit and everything below; system administrators only. */
  async list(
    actor: Actor,
    q: { action?: string; actorAccountId?: string; actorClientId?: string; cursor?: string; limit?: number },
  ): Promise<Page<AuditRow>> {
    AccessPolicy.requireRole(actor, [Role.SysAdmin]);
    const limit = Math.min(q.limit ?? 50, 500);
    const rows = await this.repo.list({
      pathPrefix: actor.unitPath,
      action: q.action,
      actorAccountId: q.actorAccountId,
      actorClientId: q.actorClientId,
      beforeId: q.cursor,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }
}

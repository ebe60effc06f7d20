import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { catchError, concatMap, from, type Observable } from 'rxjs';
import type { Actor } from '@tmis/access';
import { AuditService } from '@tmis/audit';
import { DomainError } from '@tmis/common';

/** The most record ids kept in one call's audit row (a page is at most a few hundred). */
const MAX_RECORDS = 1000;

interface CallRequest {
  actor?: Actor;
  method: string;
  route?: { path?: string };
  params?: Record<string, string>;
  /** Set by a handler that answers with JSON text (the change feed): every record id it carries. */
  auditRecordIds?: string[];
}

/** Ids of the records a response carries: `id` of an object, `items[].id` of a page. */
export function recordIds(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as { id?: unknown; items?: unknown };
  if (Array.isArray(b.items))
    return (
      b.items
        // A change-feed entry names its record by `entityId`.
        .map((i) =>
          i && typeof i === 'object'
            ? ((i as { id?: unknown; entityId?: unknown }).id ?? (i as { entityId?: unknown }).entityId)
            : undefined,
        )
        .filter((id): id is string => typeof id === 'string')
        .slice(0, MAX_RECORDS)
    );
  return typeof b.id === 'string' ? [b.id] : [];
}

/**
 * Every call by an API client is audited under the client, before its answer leaves: the route,
 * the status and the ids of the records it returned ("which client read which record"), in the
 * owner unit's part of the audit log (readable by the owner unit and the units above it).
 * Calls refused by the guard (scope, revoked, address) are audited there.
 */
@Injectable()
export class ClientCallAuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<CallRequest>();
    const actor = req.actor;
    if (!actor?.client) return next.handle();
    const route = req.route?.path ?? '';
    const targetType = route.split('/').filter(Boolean)[0] ?? null;
    const record = (outcome: 'ok' | 'refused' | 'failed', status: number, ids: string[], code?: string) =>
      this.audit.record(actor, {
        action: 'api_client.call',
        outcome,
        targetType: targetType ?? undefined,
        targetId: req.params?.id ?? (ids.length === 1 ? ids[0] : undefined),
        unitPath: actor.unitPath,
        details: { method: req.method, route, status, records: ids, ...(code ? { code } : {}) },
      });
    return next.handle().pipe(
      concatMap((body) =>
        from(
          record(
            'ok',
            http.getResponse<{ statusCode: number }>().statusCode,
            req.auditRecordIds ?? recordIds(body),
          ).then(() => body),
        ),
      ),
      catchError((e: unknown) =>
        from(
          record(
            e instanceof DomainError && e.status < 500 ? 'refused' : 'failed',
            e instanceof DomainError ? e.status : 500,
            [],
            e instanceof DomainError ? e.code : undefined,
          ).then(() => {
            throw e;
          }),
        ),
      ),
    );
  }
}

import { createHash } from 'node:crypto';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { Actor } from '@tmis/access';
import { TransactionHost, type TransactionalAdapterTypeOrm } from '@tmis/database';
import { apiClientError, ApiClientErrorCode } from './api-clients.errors.js';
import { API_CLIENTS_OPTIONS, type ApiClientsOptions } from './api-clients.options.js';
import { IdempotencyRepository } from './idempotency.repository.js';

const KEY = /^[\x21-\x7e]{1,255}$/;
/** Where `@HttpCode()` keeps a route's status (`HTTP_CODE_METADATA` of @nestjs/common, not exported at its root). */
const HTTP_CODE_METADATA = '__httpCode__';

interface KeyedRequest {
  actor?: Actor;
  method: string;
  originalUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** JSON with object members sorted, so the same body hashes the same whatever its member order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * `Idempotency-Key` on every POST that creates something (an authenticated POST answering 201),
 * per caller (account or API client). The key is claimed in a transaction that the handler's own
 * write joins, and the answer is stored in it before it commits: a retry waits for the first
 * request, then gets its answer (`Idempotent-Replayed: true`) and creates nothing; the same key
 * with another method, path or body is a 422; a request that failed kept nothing, so it may be
 * retried with its key. Keys expire after IDEMPOTENCY_TTL_HOURS. See ADR 0017.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly repo: IdempotencyRepository,
    @Inject(API_CLIENTS_OPTIONS) private readonly options: ApiClientsOptions,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<KeyedRequest>();
    const header = req.headers['idempotency-key'];
    if (req.method !== 'POST' || header === undefined || !req.actor) return next.handle();
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ?? 201;
    const type = String(req.headers['content-type'] ?? '');
    // Only creating routes; file uploads are read after this point, so their body cannot be compared.
    if (status !== 201 || type.startsWith('multipart/')) return next.handle();
    const key = Array.isArray(header) ? header.join(',') : header;
    if (!KEY.test(key)) throw apiClientError(ApiClientErrorCode.IdempotencyKeyInvalid);
    const principal = req.actor.client?.clientId ?? req.actor.accountId;
    // The same route with or without the deprecated-alias prefix is the same request.
    const path = req.originalUrl.replace(/^\/v1(?=[/?]|$)/, '');
    const requestHash = createHash('sha256')
      .update(`${req.method} ${path}\n${canonical(req.body ?? null)}`)
      .digest('hex');
    const res = http.getResponse<{
      statusCode: number;
      status(n: number): void;
      setHeader(k: string, v: string): void;
    }>();
    return from(
      this.txHost.withTransaction(async () => {
        const claimed = await this.repo.claim(
          principal,
          key,
          { method: req.method, path, requestHash },
          this.options.idempotencyTtlSeconds,
        );
        if (!claimed) {
          const first = await this.repo.find(principal, key);
          if (!first || first.requestHash !== requestHash)
            throw apiClientError(
              ApiClientErrorCode.IdempotencyKeyReused,
              first ? `First used for ${first.method} ${first.path} with another body` : undefined,
            );
          if (first.status === null) throw apiClientError(ApiClientErrorCode.IdempotencyKeyInProgress);
          res.status(first.status);
          res.setHeader('Idempotent-Replayed', 'true');
          return first.response;
        }
        const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
        await this.repo.complete(principal, key, res.statusCode, body);
        return body;
      }),
    );
  }
}

import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter, type LoggerService } from '@nestjs/common';
import {
  commonErrors,
  CommonErrorCode,
  currentCorrelationId,
  DomainError,
  isDatabaseBusy,
  type FieldError,
} from '@tmis/common';
import { requestError, RequestErrorCode } from './request.errors.js';
import { isTransientDatabaseError } from '@tmis/database';

interface ProblemBody {
  type: string;
  title: string;
  titleZh: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  correlationId?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

function fromDomain(e: DomainError): ProblemBody {
  return {
    type: `urn:tmis:problem:${e.code.toLowerCase()}`,
    title: e.title,
    titleZh: e.titleZh,
    status: e.status,
    code: e.code,
    ...(e.detail ? { detail: e.detail } : {}),
    ...(e.errors?.length ? { errors: e.errors } : {}),
    ...(e.extra ?? {}),
  };
}

function common(code: CommonErrorCode, detail?: string): ProblemBody {
  const spec = commonErrors[code];
  return {
    type: `urn:tmis:problem:${code.toLowerCase()}`,
    title: spec.en,
    titleZh: spec.zh,
    status: spec.status,
    code,
    ...(detail ? { detail } : {}),
  };
}

/** Every error leaves as RFC 9457 problem+json with a stable code and the correlation id. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(thrown: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<{
      status(n: number): { type(t: string): { send(b: string): void } };
      setHeader(k: string, v: string): void;
      headersSent?: boolean;
    }>();
    const req = ctx.getRequest<{ url?: string; method?: string }>();
    let body: ProblemBody;
    let exception = thrown;
    const refused = refusedByDatabase(exception);
    if (refused) exception = refused;
    if (exception instanceof DomainError) {
      body = fromDomain(exception);
    } else if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code =
        status === 404
          ? CommonErrorCode.RouteNotFound
          : status === 413
            ? CommonErrorCode.PayloadTooLarge
            : status === 401
              ? CommonErrorCode.Unauthenticated
              : status === 403
                ? CommonErrorCode.Forbidden
                : status === 405
                  ? CommonErrorCode.MethodNotAllowed
                  : status >= 500
                    ? CommonErrorCode.Internal
                    : CommonErrorCode.ValidationFailed;
      const r = exception.getResponse();
      const msg =
        typeof r === 'string'
          ? r
          : typeof (r as { message?: unknown }).message === 'string'
            ? String((r as { message: string }).message)
            : undefined;
      body = { ...common(code, msg), status };
    } else if (isDatabaseBusy(exception) || isTransientDatabaseError(exception)) {
      // The pool had no connection within DB_ACQUIRE_TIMEOUT_MS, or the database restarted or went away
      // under the request (its transaction rolled back): a clear 503 the client may retry, not a 500.
      body = common(CommonErrorCode.DatabaseBusy);
      if (!res.headersSent) res.setHeader('Retry-After', '2');
    } else if (isBodyParserError(exception)) {
      body =
        exception.type === 'entity.too.large'
          ? common(CommonErrorCode.PayloadTooLarge)
          : common(CommonErrorCode.ValidationFailed, 'Malformed JSON body');
    } else {
      body = common(CommonErrorCode.Internal);
      this.logger.error(
        {
          msg: 'unhandled error',
          method: req.method,
          path: req.url?.split('?')[0],
          error:
            exception instanceof Error
              ? { name: exception.name, message: exception.message, stack: exception.stack }
              : String(exception),
        },
        'ProblemFilter',
      );
    }
    body.instance = req.url?.split('?')[0];
    body.correlationId = currentCorrelationId();
    if (res.headersSent) return;
    const rl = body.rateLimit as { limit: number; remaining: number; reset: number; windowSeconds: number } | undefined;
    if (rl && typeof rl === 'object') {
      // draft-ietf-httpapi-ratelimit-headers, and Retry-After (RFC 9110) for 429.
      res.setHeader('RateLimit-Limit', String(rl.limit));
      res.setHeader('RateLimit-Remaining', String(rl.remaining));
      res.setHeader('RateLimit-Reset', String(rl.reset));
      res.setHeader('RateLimit-Policy', `${rl.limit};w=${rl.windowSeconds}`);
      res.setHeader('Retry-After', String(rl.reset));
    }
    if (exception instanceof DomainError && typeof exception.extra?.retryAfterSeconds === 'number')
      res.setHeader('Retry-After', String(exception.extra.retryAfterSeconds));
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}

/**
 * Last line against 5xx from input: PostgreSQL's data exceptions (class 22: invalid byte sequence,
 * numeric out of range, invalid text representation, …), a NOT NULL or CHECK violation and program
 * limits (class 54: an index row or a statement too large) are the client's value, not a fault of
 * the node. The transaction they happened in is rolled back, so nothing was written. A stack
 * overflow from a value nested too deeply is the same.
 */
export function refusedByDatabase(e: unknown): DomainError | null {
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return requestError(RequestErrorCode.TooDeep, 'A value is nested too deeply');
  if (typeof e !== 'object' || e === null) return null;
  const driver = (e as { driverError?: unknown }).driverError ?? e;
  const code = (driver as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return null;
  if (code.startsWith('22') || code.startsWith('54') || code === '23502' || code === '23514') {
    const column = (driver as { column?: unknown }).column;
    return requestError(
      RequestErrorCode.DataRejected,
      `The database refused a value (SQLSTATE ${code})`,
      { sqlState: code },
      typeof column === 'string'
        ? [{ path: column, code: 'database', message: `${column} is not valid`, messageZh: `${column}：取值无效` }]
        : undefined,
    );
  }
  return null;
}

function isBodyParserError(e: unknown): e is { type: string; status: number } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { type?: unknown }).type === 'string' &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}

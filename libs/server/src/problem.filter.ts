import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter, type LoggerService } from '@nestjs/common';
import { commonErrors, CommonErrorCode, currentCorrelationId, DomainError, type FieldError } from '@tmis/common';

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

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<{
      status(n: number): { type(t: string): { send(b: string): void } };
      setHeader(k: string, v: string): void;
      headersSent?: boolean;
    }>();
    const req = ctx.getRequest<{ url?: string; method?: string }>();
    let body: ProblemBody;
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
    if (exception instanceof DomainError && typeof exception.extra?.retryAfterSeconds === 'number')
      res.setHeader('Retry-After', String(exception.extra.retryAfterSeconds));
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}

function isBodyParserError(e: unknown): e is { type: string; status: number } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { type?: unknown }).type === 'string' &&
    typeof (e as { status?: unknown }).status === 'number'
  );
}

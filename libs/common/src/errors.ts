/** A field-level validation problem, addressed by a JSON path such as `items[2].code`. */
export interface FieldError {
  path: string;
  code: string;
  message: string;
  messageZh: string;
}

/**
 * Base of every expected (domain) error. Each module declares a string-code enum and one
 * exhaustive mapping to HTTP status and bilingual titles; see e.g. `org.errors.ts`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    readonly titleZh: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'DomainError';
  }
}

export type ErrorSpec = { status: number; en: string; zh: string };

/** Builds a typed error factory from an exhaustive table of codes → specs. */
export function errorFactory<C extends string>(table: Record<C, ErrorSpec>) {
  return (code: C, detail?: string, extra?: Record<string, unknown>, errors?: FieldError[]): DomainError => {
    const spec = table[code];
    return new DomainError(code, spec.status, spec.en, spec.zh, detail, errors, extra);
  };
}

export enum CommonErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  InsufficientScope = 'INSUFFICIENT_SCOPE',
  OutOfScope = 'OUT_OF_SCOPE',
  Conflict = 'CONFLICT',
  StaleVersion = 'STALE_VERSION',
  PasswordChangeRequired = 'PASSWORD_CHANGE_REQUIRED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Internal = 'INTERNAL',
  DatabaseBusy = 'DATABASE_BUSY',
}

export const commonErrors: Record<CommonErrorCode, ErrorSpec> = {
  [CommonErrorCode.ValidationFailed]: { status: 400, en: 'The request is not valid', zh: '请求数据校验未通过' },
  [CommonErrorCode.NotFound]: { status: 404, en: 'Not found', zh: '未找到' },
  [CommonErrorCode.Unauthenticated]: { status: 401, en: 'Authentication required', zh: '需要登录认证' },
  [CommonErrorCode.Forbidden]: {
    status: 403,
    en: 'Your role does not permit this operation',
    zh: '您的角色无权执行此操作',
  },
  [CommonErrorCode.InsufficientScope]: {
    status: 403,
    en: "The API client's scopes do not permit this operation",
    zh: '接口客户端的授权范围不允许此操作',
  },
  [CommonErrorCode.OutOfScope]: {
    status: 403,
    en: 'The target is outside your unit and the units below it',
    zh: '操作对象不在本单位及下级单位范围内',
  },
  [CommonErrorCode.Conflict]: { status: 409, en: 'Conflict with the current state', zh: '与当前状态冲突' },
  [CommonErrorCode.StaleVersion]: {
    status: 409,
    en: 'The resource was changed by someone else; reload and retry',
    zh: '数据已被他人修改，请刷新后重试',
  },
  [CommonErrorCode.PasswordChangeRequired]: {
    status: 403,
    en: 'You must change your password first',
    zh: '首次登录须先修改密码',
  },
  [CommonErrorCode.PayloadTooLarge]: { status: 413, en: 'The request body is too large', zh: '请求体过大' },
  [CommonErrorCode.RouteNotFound]: { status: 404, en: 'No such endpoint', zh: '接口不存在' },
  [CommonErrorCode.MethodNotAllowed]: { status: 405, en: 'Method not allowed', zh: '不支持的请求方法' },
  [CommonErrorCode.Internal]: { status: 500, en: 'Internal server error', zh: '服务器内部错误' },
  [CommonErrorCode.DatabaseBusy]: {
    status: 503,
    en: 'The database is busy; retry shortly',
    zh: '数据库繁忙，请稍后重试',
  },
};

/**
 * True for the error of a pooled connection that could not be had in time (node-postgres: the pool's
 * acquire timeout, or a new connection's connect timeout): the node is overloaded, not broken.
 */
export function isDatabaseBusy(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : '';
  return msg === 'timeout exceeded when trying to connect' || msg === 'Connection terminated due to connection timeout';
}

export const commonError = errorFactory(commonErrors);

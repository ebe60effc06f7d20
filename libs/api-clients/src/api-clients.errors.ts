import { errorFactory, type ErrorSpec } from '@tmis/common';

export enum ApiClientErrorCode {
  NotFound = 'API_CLIENT_NOT_FOUND',
  Revoked = 'API_CLIENT_REVOKED',
  OwnerUnitNotActive = 'API_CLIENT_OWNER_UNIT_NOT_ACTIVE',
  SecretNotFound = 'API_CLIENT_SECRET_NOT_FOUND',
  RateLimited = 'RATE_LIMITED',
  IdempotencyKeyInvalid = 'IDEMPOTENCY_KEY_INVALID',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInProgress = 'IDEMPOTENCY_KEY_IN_PROGRESS',
}

const table: Record<ApiClientErrorCode, ErrorSpec> = {
  [ApiClientErrorCode.NotFound]: { status: 404, en: 'No such API client', zh: '接口客户端不存在' },
  [ApiClientErrorCode.Revoked]: { status: 409, en: 'The API client is revoked', zh: '接口客户端已吊销' },
  [ApiClientErrorCode.OwnerUnitNotActive]: {
    status: 409,
    en: 'The owner unit is closed or merged',
    zh: '所属单位已撤销或合并',
  },
  [ApiClientErrorCode.SecretNotFound]: { status: 404, en: 'No such client secret', zh: '客户端密钥不存在' },
  [ApiClientErrorCode.RateLimited]: {
    status: 429,
    en: 'Too many requests; retry after the time given',
    zh: '请求过于频繁，请稍后再试',
  },
  [ApiClientErrorCode.IdempotencyKeyInvalid]: {
    status: 400,
    en: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
    zh: 'Idempotency-Key 须为 1 至 255 个可见 ASCII 字符',
  },
  [ApiClientErrorCode.IdempotencyKeyReused]: {
    status: 422,
    en: 'This Idempotency-Key was used with a different request',
    zh: '该 Idempotency-Key 已用于另一不同的请求',
  },
  [ApiClientErrorCode.IdempotencyKeyInProgress]: {
    status: 409,
    en: 'A request with this Idempotency-Key is still in progress',
    zh: '使用该 Idempotency-Key 的请求仍在处理中',
  },
};

export const apiClientError = errorFactory(table);

// The public surface of libs/common: only what other libs, apps, tests, bench and tools import.
export {
  commonError,
  CommonErrorCode,
  commonErrors,
  DomainError,
  errorFactory,
  isDatabaseBusy,
  type ErrorSpec,
  type FieldError,
} from './errors.js';
export { correlationIdFrom, currentCorrelationId, requestContext } from './correlation.js';
export { maskIdNumber, maskPhone } from './masking.js';
export { JsonLogger } from './logger.js';
export { NotifiedCache } from './notified-cache.js';
export { ConfigError, loadConfig } from './config.js';
export { decodeCursor, encodeCursor, type Page } from './paging.js';
export { csvField } from './csv.js';
export {
  ApiFileResponse,
  ApiProblems,
  CONFLICTS_EXTENSION,
  documentResponses,
  MEDIA,
  PROBLEM_REF,
  type ResponseSchema,
  type RouteResponse,
} from './openapi.js';
export { RESPONSE_COMPONENTS } from './response-components.js';

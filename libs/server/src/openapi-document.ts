import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_REF } from '@tmis/common';

/** RFC 9457 problem+json as {@link ProblemFilter} writes it: the one schema of every error answer. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  description:
    'RFC 9457 problem details: a stable `code`, English and Chinese titles, field paths for invalid input, the correlation id. Some codes add members (e.g. `rateLimit`, `retryAfterSeconds`).',
  required: ['type', 'title', 'titleZh', 'status', 'code'],
  properties: {
    type: { type: 'string', description: '`urn:tmis:problem:<code in lower case>`' },
    title: { type: 'string' },
    titleZh: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[A-Z0-9_]+$' },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    correlationId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'code', 'message', 'messageZh'],
        properties: {
          path: { type: 'string', description: 'Where in the request, e.g. `basic.name` or `education[0].degree`' },
          code: { type: 'string' },
          message: { type: 'string' },
          messageZh: { type: 'string' },
        },
      },
    },
  },
} as const;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (`VALIDATION_FAILED` with field paths, or a domain rule)',
  401: 'No valid bearer token',
  403: 'Not your role, scope or unit subtree',
  404: 'No such resource (in the path, or named in the body) in your scope',
  409: 'Conflicts with the current state (stale version, duplicate, wrong state)',
  413: 'Request body too large',
  422: 'The same Idempotency-Key with another request body',
  429: 'Rate limit reached (RateLimit-* and Retry-After headers)',
  503: 'The database is busy: retry after Retry-After seconds',
};

/**
 * Documents the problem+json answers of every operation, from what the route is: input (400, 413
 * with a body), a bearer token (401, 403, 429), a resource in the path or named in the body (404), a
 * write (409), a POST
 * that creates (422, idempotency), and 503 when the database is busy. A route documents further
 * statuses next to its handler (`@ApiProblems(…)`), and a status it documents itself is kept.
 */
export function withProblemResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = PROBLEM_SCHEMA as never;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const secured = (op.security ?? []).length > 0;
      const statuses = new Set<number>([503]);
      if ((op.parameters ?? []).length || op.requestBody || path.includes('{')) statuses.add(400);
      if (op.requestBody) statuses.add(413);
      if (secured) [401, 403, 429].forEach((s) => statuses.add(s));
      if (path.includes('{') || (secured && op.requestBody)) statuses.add(404);
      if (secured && method !== 'get') statuses.add(409);
      if (method === 'post' && op.responses?.['201']) statuses.add(422);
      for (const status of [...statuses].sort()) {
        if (op.responses[status]) continue;
        op.responses[status] = {
          description: DESCRIPTIONS[status],
          content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
        };
      }
    }
  }
  return document;
}

import type { OpenAPIObject } from '@nestjs/swagger';
import { CONFLICTS_EXTENSION, PROBLEM_REF, RESPONSE_COMPONENTS } from '@tmis/common';

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

/** Whether a JSON request body names a stored resource by id (`unitId`, `teacherIds`, …): then 404 is possible. */
function namesResource(document: OpenAPIObject, body: unknown): boolean {
  const seen = new Set<unknown>();
  const visit = (s: unknown): boolean => {
    if (!s || typeof s !== 'object' || seen.has(s)) return false;
    seen.add(s);
    const o = s as Record<string, unknown>;
    if (typeof o.$ref === 'string')
      return visit(document.components?.schemas?.[o.$ref.replace('#/components/schemas/', '')]);
    const props = (o.properties ?? {}) as Record<string, unknown>;
    if (Object.keys(props).some((k) => /(Id|Ids)$/.test(k))) return true;
    return [...Object.values(props), o.items, ...((o.allOf ?? o.anyOf ?? o.oneOf ?? []) as unknown[])].some(visit);
  };
  const content = (body as { content?: Record<string, { schema?: unknown }> } | undefined)?.content ?? {};
  return Object.values(content).some((c) => visit(c.schema));
}

const COMPONENT = '#/components/schemas/';
/** The component names a schema (or the document) references. */
function refsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(COMPONENT)) out.add(v.slice(COMPONENT.length));
      else refsIn(v, out);
    }
  return out;
}

/**
 * Adds the generated response components (libs/common `RESPONSE_COMPONENTS`, named types answered by
 * more than one route) that the document's success answers reference, and those they reference in turn.
 * A response class that a route also documents by hand (`@ApiOkResponse({ type })`, open properties from
 * its `@ApiProperty` decorators) is replaced by the generated schema of the same type, which is exact.
 */
function withResponseComponents(document: OpenAPIObject): void {
  const schemas = document.components!.schemas!;
  const pending = [...refsIn(document.paths)];
  while (pending.length) {
    const name = pending.pop()!;
    const schema = RESPONSE_COMPONENTS[name];
    if (!schema) continue;
    if (schemas[name] === schema) continue;
    schemas[name] = schema as never;
    pending.push(...refsIn(schema));
  }
}
/** The problem answers shared by operations, as `components.responses` (each operation references them). */
const PROBLEMS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Invalid input (`VALIDATION_FAILED` with field paths, or a domain rule)' },
  401: { name: 'Unauthorized', description: 'No valid bearer token' },
  403: { name: 'Forbidden', description: 'Not your role, scope or unit subtree' },
  404: { name: 'NotFound', description: 'No such resource (in the path, or named in the body) in your scope' },
  409: {
    name: 'Conflict',
    description:
      'Conflicts with the current state (stale version, duplicate, wrong state, idempotency key in progress)',
  },
  413: { name: 'PayloadTooLarge', description: 'Request body too large' },
  422: { name: 'IdempotencyKeyReused', description: 'The same Idempotency-Key with another request body' },
  429: { name: 'TooManyRequests', description: 'Rate limit reached (RateLimit-* and Retry-After headers)' },
  503: { name: 'DatabaseBusy', description: 'The database is busy: retry after Retry-After seconds' },
};

/**
 * Documents the problem+json answers of every operation, from what the route is: input (400, 413
 * with a body), a bearer token (401, 403, 429), a resource in the path or named in the body (404), a
 * conflict (409) where the handler can reach a 409 error code (the generated responses mark it), a POST
 * that creates (409 and 422, idempotency), and 503 when the database is busy. A route documents further
 * statuses next to its handler (`@ApiProblems(…)`), and a status it documents itself is kept.
 */
export function withProblemResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.Problem = PROBLEM_SCHEMA as never;
  withResponseComponents(document);
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const secured = (op.security ?? []).length > 0;
      const statuses = new Set<number>([503]);
      if ((op.parameters ?? []).length || op.requestBody || path.includes('{')) statuses.add(400);
      if (op.requestBody) statuses.add(413);
      if (secured) [401, 403, 429].forEach((s) => statuses.add(s));
      if (path.includes('{') || (secured && namesResource(document, op.requestBody))) statuses.add(404);
      // A conflict where the handler can reach a 409 code (tools/openapi-responses.mjs marks it), and on a
      // creating POST, whose Idempotency-Key may still be in progress (IDEMPOTENCY_KEY_IN_PROGRESS).
      const marked = op as unknown as Record<string, unknown>;
      if (marked[CONFLICTS_EXTENSION]) statuses.add(409);
      delete marked[CONFLICTS_EXTENSION];
      if (method === 'post' && op.responses?.['201']) [409, 422].forEach((s) => statuses.add(s));
      for (const status of [...statuses].sort()) {
        if (op.responses[status]) continue;
        const { name, description } = PROBLEMS[status];
        document.components.responses ??= {};
        document.components.responses[name] ??= {
          description,
          content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
        };
        op.responses[status] = { $ref: `#/components/responses/${name}` };
      }
    }
  }
  return document;
}

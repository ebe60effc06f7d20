import { ApiExtension, ApiResponse } from '@nestjs/swagger';

/** A JSON Schema (OpenAPI 3.0 dialect) as written by tools/openapi-responses.mjs. */
export type ResponseSchema = Record<string, unknown>;

/** One route's success answer: its status and, unless it answers no body, the schema of its JSON body. */
export interface RouteResponse {
  status: number;
  schema?: ResponseSchema;
  /** The handler reaches an error code whose status is 409: the route can conflict with the current state. */
  conflicts?: boolean;
}

/**
 * The operation extension by which a generated responses file marks a route that can answer 409;
 * libs/server's `withProblemResponses` turns it into the `Conflict` answer and removes it.
 */
export const CONFLICTS_EXTENSION = 'x-tmis-conflicts';

const API_RESPONSE = 'swagger/apiResponse';
const FILE_TYPES = Symbol('tmis:file-response-types');
const DESCRIPTIONS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content' };

/**
 * The file types a route answers with its success status (`text/csv`, xlsx, …), beside its JSON body
 * when it has one (`?format=`). Read by {@link documentResponses}; the body is documented as binary.
 */
export function ApiFileResponse(...contentTypes: string[]): MethodDecorator {
  return (target, key) => Reflect.defineMetadata(FILE_TYPES, contentTypes, target, key);
}

/** The shared RFC 9457 body of every error answer, a component of each node's document (libs/server). */
export const PROBLEM_REF = '#/components/schemas/Problem';

/**
 * Error statuses a route answers beyond those every route of its kind answers (libs/server's
 * `withProblemResponses` adds 400/401/403/404/… from the route's parameters, security and method,
 * and 409 where the generated responses say the route can conflict); the body is the shared `Problem` schema.
 */
export function ApiProblems(...statuses: number[]): MethodDecorator {
  return (target, key, descriptor) => {
    for (const status of statuses)
      ApiResponse({
        status,
        description: 'Problem (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
      })(target, key, descriptor);
    return descriptor;
  };
}

/**
 * The class decorator that a controller's generated `*.responses.ts` file exports: documents each
 * route's success answer with the schema derived from the handler's return type (ADR 0021), and marks
 * the routes that can conflict ({@link CONFLICTS_EXTENSION}). A status the route already documents by
 * hand (`@ApiOkResponse({ type })`) is left as written.
 */
export function documentResponses(routes: Record<string, RouteResponse>): ClassDecorator {
  return (target) => {
    const proto = (target as unknown as { prototype: object }).prototype;
    for (const [method, route] of Object.entries(routes)) {
      const descriptor = Object.getOwnPropertyDescriptor(proto, method);
      if (!descriptor || typeof descriptor.value !== 'function')
        throw new Error(`${target.name}.${method} has a generated response but no handler: run npm run api-client`);
      if (route.conflicts) ApiExtension(CONFLICTS_EXTENSION, true)(proto, method, descriptor);
      const declared = (Reflect.getMetadata(API_RESPONSE, descriptor.value) ?? {}) as Record<string, unknown>;
      if (declared[route.status]) continue;
      const content: Record<string, { schema: ResponseSchema }> = {};
      if (route.schema) content['application/json'] = { schema: route.schema };
      const files = (Reflect.getMetadata(FILE_TYPES, proto, method) as string[] | undefined) ?? [];
      for (const type of files) content[type] = { schema: { type: 'string', format: 'binary' } };
      ApiResponse({
        status: route.status,
        description: DESCRIPTIONS[route.status] ?? 'Success',
        ...(Object.keys(content).length ? { content } : {}),
      })(proto, method, descriptor);
    }
  };
}

/** Media types of the files the API answers with. */
export const MEDIA = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
} as const;

// The typed client of the TMIS REST API. `paths` types are generated from each node's OpenAPI
// document (`npm run api-client`; a test checks that they are current); the calls go through
// openapi-fetch, so every path, parameter and request body is checked by the compiler.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components as NationalComponents, paths as NationalPaths } from './national.js';
import type { components as ProvincialComponents, paths as ProvincialPaths } from './provincial.js';

export type { NationalPaths, ProvincialPaths };
/**
 * The named schemas of each node's document (`components.schemas`): request DTOs, and the response types
 * more than one route answers (e.g. `ProvincialSchemas['TeacherResponse']`), referenced by the paths.
 */
export type NationalSchemas = NationalComponents['schemas'];
export type ProvincialSchemas = ProvincialComponents['schemas'];
export type ProvincialClient = Client<ProvincialPaths>;
export type NationalClient = Client<NationalPaths>;

/** A field-level error of a problem+json answer (`path` as in the request body, e.g. `basic.name`). */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
  messageZh: string;
}

/** RFC 9457 problem+json as every node answers errors. */
export interface Problem {
  type: string;
  title: string;
  titleZh: string;
  status: number;
  code: string;
  detail?: string;
  errors?: FieldProblem[];
  correlationId?: string;
  [extension: string]: unknown;
}

/** Thrown by {@link unwrap} for a non-2xx answer. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code ?? ''}: ${problem.detail ?? problem.title ?? 'request failed'}`);
    this.name = 'ApiProblem';
  }
}

export interface TmisClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The node's address, e.g. `http://127.0.0.1:3001` (empty: the page's own origin). */
  baseUrl?: string;
  /** The current access token (read on every request); none for anonymous calls. */
  token?: () => string | null | undefined;
}

function withAuth<P extends object>(opts: TmisClientOptions): Client<P> {
  const { token, baseUrl = '', ...rest } = opts;
  const client = createClient<P>({ baseUrl, ...rest });
  if (token)
    client.use({
      onRequest({ request }) {
        const t = token();
        if (t && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${t}`);
        return request;
      },
    });
  return client;
}

/** A client of a provincial node (the record, review, bulk, statistics, accounts, org, sync publishing). */
export function createProvincialClient(opts: TmisClientOptions = {}): ProvincialClient {
  return withAuth<ProvincialPaths>(opts);
}

/** A client of the national node (the same core API plus ingest, dead letters, duplicates, reconciliation). */
export function createNationalClient(opts: TmisClientOptions = {}): NationalClient {
  return withAuth<NationalPaths>(opts);
}

/**
 * The body of a successful answer, typed from the route's documented response schema, or an
 * {@link ApiProblem} (`const page = await unwrap(client.GET('/teachers', …))`).
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const problem =
      error && typeof error === 'object'
        ? (error as Problem)
        : ({
            type: 'about:blank',
            title: response.statusText || 'Request failed',
            titleZh: '请求失败',
            status: response.status,
            code: 'HTTP_' + response.status,
            detail: typeof error === 'string' ? error : undefined,
          } as Problem);
    throw new ApiProblem(response.status, problem);
  }
  return data as T;
}

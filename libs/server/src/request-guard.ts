import type { FieldError } from '@tmis/common';
import { requestError, RequestErrorCode } from './request.errors.js';

/** Deepest JSON nesting a request body may have (objects and arrays); real bodies need fewer than ten. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text nests deeper than `max`. A linear scan of the raw bytes, run before
 * `JSON.parse`, so that nothing recursive (parsing, class-transformer, validation, jsonb) ever sees
 * thousands of levels.
 */
export function jsonDepthExceeds(buf: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

const TOO_DEEP = Symbol('tooDeep');

/**
 * `verify` hook of the JSON body parser: marks a too-deep body before it is parsed ({@link inputGuard}
 * refuses it; an error thrown here would reach the filter as a bare 400 without the house code).
 */
export function verifyJsonDepth(req: object, _res: unknown, buf: Buffer): void {
  if (jsonDepthExceeds(buf, MAX_JSON_DEPTH)) (req as { [TOO_DEEP]?: boolean })[TOO_DEEP] = true;
}

const fieldError = (path: string, code: RequestErrorCode): FieldError =>
  code === RequestErrorCode.NulCharacter
    ? { path, code: 'noNul', message: `${path} contains a NUL character`, messageZh: `${path}：不能包含空字符` }
    : {
        path,
        code: 'wellFormedUnicode',
        message: `${path} is not well-formed Unicode`,
        messageZh: `${path}：不是合法的Unicode文本`,
      };

/** Replaces what cannot be shown in a field path (NUL, surrogates). */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000\ud800-\udfff]/g;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem with a string, if any: a NUL character or a lone UTF-16 surrogate. */
export function textProblem(s: string): RequestErrorCode | null {
  if (s.includes('\u0000')) return RequestErrorCode.NulCharacter;
  if (LONE_SURROGATE.test(s)) return RequestErrorCode.InvalidUnicode;
  return null;
}

const childPath = (parent: string, key: string | number) =>
  typeof key === 'number' ? `${parent}[${key}]` : parent === '' ? key : `${parent}.${key}`;

/** First bad string (value or member name) in a parsed JSON/query value, with its field path. */
export function findBadText(value: unknown, path = ''): { path: string; code: RequestErrorCode } | null {
  if (typeof value === 'string') {
    const code = textProblem(value);
    return code ? { path: path || 'body', code } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = findBadText(value[i], childPath(path, i));
      if (r) return r;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyCode = textProblem(k);
      if (keyCode) return { path: childPath(path, k.replace(UNPRINTABLE, '?')), code: keyCode };
      const r = findBadText(v, childPath(path, k));
      if (r) return r;
    }
  }
  return null;
}

/** Routes whose body is a batch of raw messages, each validated on its own by the service. */
const MESSAGE_BATCH_ROUTES = new Set(['/sync/ingest']);

interface GuardedRequest {
  originalUrl?: string;
  url: string;
  query?: unknown;
  body?: unknown;
}

/**
 * Refuses, for every route, text PostgreSQL cannot store or that is not Unicode: a NUL character
 * or a lone surrogate anywhere in the path, the query or the JSON body (values and member names),
 * and a path that is not valid percent-encoded UTF-8. 400 problem+json with the field path.
 */
export function inputGuard(req: GuardedRequest, _res: unknown, next: (e?: unknown) => void): void {
  if ((req as { [TOO_DEEP]?: boolean })[TOO_DEEP])
    return next(
      requestError(RequestErrorCode.TooDeep, `JSON nesting deeper than ${MAX_JSON_DEPTH} levels`, undefined, [
        {
          path: 'body',
          code: 'maxDepth',
          message: `body nests deeper than ${MAX_JSON_DEPTH} levels`,
          messageZh: `body：嵌套层级超过${MAX_JSON_DEPTH}层`,
        },
      ]),
    );
  const raw = req.originalUrl ?? req.url;
  const q = raw.indexOf('?');
  const pathPart = q < 0 ? raw : raw.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return next(requestError(RequestErrorCode.BadEncoding, 'The path is not valid percent-encoded UTF-8'));
  }
  const pathCode = textProblem(decoded);
  if (pathCode) return next(requestError(pathCode, 'In the path', undefined, [fieldError('path', pathCode)]));
  if (q >= 0) {
    // Query values: the parsed form (what controllers see) and the raw form (invalid escapes).
    for (const part of raw.slice(q + 1).split('&')) {
      let text: string;
      try {
        text = decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        const name = part.split('=')[0].replace(/%[0-9a-f]{0,2}/gi, '');
        return next(
          requestError(
            RequestErrorCode.BadEncoding,
            'A query parameter is not valid percent-encoded UTF-8',
            undefined,
            [
              {
                path: name || 'query',
                code: 'percentEncoding',
                message: `${name || 'query'} is not valid percent-encoded UTF-8`,
                messageZh: `${name || 'query'}：不是合法的百分号编码`,
              },
            ],
          ),
        );
      }
      const code = textProblem(text);
      if (code) {
        const name = text.split('=')[0].replace(UNPRINTABLE, '?') || 'query';
        return next(requestError(code, 'In the query', undefined, [fieldError(name, code)]));
      }
    }
  }
  // A sync batch is judged message by message by the national ingest (a bad message is dead-lettered
  // alone, the rest applied), so its body is not refused whole here.
  if (req.body !== undefined && typeof req.body === 'object' && !MESSAGE_BATCH_ROUTES.has(pathPart)) {
    const bad = findBadText(req.body);
    if (bad) return next(requestError(bad.code, 'In the body', undefined, [fieldError(bad.path, bad.code)]));
  }
  next();
}

import { commonError, CommonErrorCode } from './errors.js';

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page, or null at the end. */
  nextCursor: string | null;
}

/** What one position of a cursor holds: any text, a UUID, or an ISO 8601 timestamp. */
export type CursorPart = 'text' | 'uuid' | 'timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

function partOk(v: unknown, kind: CursorPart): boolean {
  if (typeof v !== 'string' || v.length > 1000 || v.includes('\u0000')) return false;
  if (kind === 'uuid') return UUID.test(v);
  if (kind === 'timestamp') return ISO.test(v) && !Number.isNaN(Date.parse(v));
  return true;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeCursor}. `shape` is the number of text positions, or the
 * kind of each position. Anything else — not base64 JSON, not an array, the wrong length, a
 * position of the wrong kind — is a 400 `VALIDATION_FAILED` on `cursor`, never a query.
 */
export function decodeCursor(cursor: string | undefined, shape: number | readonly CursorPart[]): unknown[] | null {
  if (cursor === undefined || cursor === '') return null;
  const kinds: readonly CursorPart[] = typeof shape === 'number' ? Array<CursorPart>(shape).fill('text') : shape;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === kinds.length && v.every((x, i) => partOk(x, kinds[i]))) return v;
  } catch {
    /* fall through */
  }
  throw commonError(CommonErrorCode.ValidationFailed, 'Malformed cursor', undefined, [
    { path: 'cursor', code: 'cursor', message: 'cursor is malformed', messageZh: '分页游标格式错误' },
  ]);
}

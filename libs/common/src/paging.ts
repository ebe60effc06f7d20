import { commonError, CommonErrorCode } from './errors.js';

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the next page, or null at the end. */
  nextCursor: string | null;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === arity) return v;
  } catch {
    /* fall through */
  }
  throw commonError(CommonErrorCode.ValidationFailed, 'Malformed cursor', undefined, [
    { path: 'cursor', code: 'cursor', message: 'cursor is malformed', messageZh: '分页游标格式错误' },
  ]);
}

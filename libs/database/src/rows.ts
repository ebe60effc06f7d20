/** TypeORM's postgres driver returns `[rows, rowCount]` for UPDATE/DELETE … RETURNING and `rows` otherwise. */
export function returned<T = unknown>(res: unknown): T[] {
  if (Array.isArray(res) && res.length === 2 && Array.isArray(res[0]) && typeof res[1] === 'number')
    return res[0] as T[];
  return res as T[];
}

/** True for a PostgreSQL unique violation (23505), optionally of one named constraint. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } } | null;
  const code = err?.code ?? err?.driverError?.code;
  const c = err?.constraint ?? err?.driverError?.constraint;
  return code === '23505' && (!constraint || c === constraint);
}

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

/**
 * True for a failure of the database itself, not of the statement: the connection lost or refused
 * (the server restarting or down), the server shutting down or starting (57P01–57P03, class 08), a
 * connection not acquired in time, a serialization failure or deadlock (40001, 40P01). Work that
 * failed so is worth trying again later; a content error (class 22, 23, …) is not.
 */
export function isTransientDatabaseError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; driverError?: { code?: string; message?: string } } | null;
  const code = String(err?.driverError?.code ?? err?.code ?? '');
  if (/^(08|57P0[1-3]|40001|40P01|53300)/.test(code)) return true;
  if (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(code)) return true;
  const message = String(err?.driverError?.message ?? err?.message ?? '');
  return /Connection terminated|connection timeout|terminating connection|the database system is (starting up|shutting down)|ECONNREFUSED|ECONNRESET|Client has encountered a connection error|DATABASE_BUSY/i.test(
    message,
  );
}

/** A unique-index violation on either dialect (SQLite or PostgreSQL's 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e.code === '23505' ||
    /UNIQUE constraint/.test(e.message ?? '')
  );
}

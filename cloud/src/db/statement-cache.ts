import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts kept prepared; bulk inserts of varying row counts make new texts. */
const MAX_STATEMENTS = 1000;

/**
 * better-sqlite3 behind Kysely with prepared statements kept by their SQL text. Kysely's SQLite
 * driver prepares every query anew, which cost about a sixth of a write request's CPU in the
 * rights bench; a statement still iterating (a stream) is never handed out twice.
 */
export function withStatementCache(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached && !cached.busy) return cached;
      const stmt = db.prepare(sql);
      if (cache.size >= MAX_STATEMENTS) cache.clear();
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

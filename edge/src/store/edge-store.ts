import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrations } from './migrations.js';

/**
 * The cabinet's SQLite database. WAL with `synchronous = FULL`, so a transaction that returned is on
 * disk before the door opens or the event is reported: a power cut loses nothing committed.
 */
export class EdgeStore {
  private handle: Database.Database | undefined;

  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  get db(): Database.Database {
    if (!this.handle) throw new Error('edge store is not started');
    return this.handle;
  }

  get isOpen(): boolean {
    return this.handle !== undefined;
  }

  async start(): Promise<void> {
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Deleted or rewritten rows are zeroed, not left readable in free space (ADR 0009).
    db.pragma('secure_delete = ON');
    cacheStatements(db);
    this.handle = db;
    this.migrate();
  }

  async stop(): Promise<void> {
    this.handle?.close();
    this.handle = undefined;
  }

  /** Runs `fn` in one immediate transaction: all of it is committed, or none. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private migrate(): void {
    const db = this.db;
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > migrations.length) {
      throw new Error(`database schema ${current} is newer than this daemon (${migrations.length})`);
    }
    for (let v = current; v < migrations.length; v++) {
      db.transaction(() => {
        db.exec(migrations[v] as string);
        db.pragma(`user_version = ${v + 1}`);
      }).immediate();
      this.logger.info({ version: v + 1 }, 'database migrated');
    }
    // After an upgrade, rebuild the file and empty the WAL so no page an older version wrote survives in
    // free space or in old WAL frames (older versions stored pickup codes in plain).
    if (current < migrations.length && current > 0) {
      db.exec('VACUUM');
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }
}

/** Upper bound of the statement cache; the daemon's SQL is static text, so it never gets near this. */
const STATEMENT_CACHE_LIMIT = 256;

/**
 * Makes `db.prepare(sql)` return one compiled statement per SQL text instead of compiling it again on
 * every call. The stores prepare at the point of use; uncached, every call parsed and planned the SQL
 * again, and each statement's native memory (invisible to V8) stayed allocated until a major GC got
 * round to finalizing its wrapper: thousands of them per minute on a busy cabinet, hundreds of MB of RSS.
 * Safe because no caller switches a statement's mode (pluck/raw/expand) or keeps an iterator open.
 */
function cacheStatements(db: Database.Database): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
      stmt = compile(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as Database.Database['prepare'];
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { migrations } from './migrations.js';

/**
 * The cabinet's SQLite database. WAL with `synchronous = FULL`, so a transaction that returned is on
 * disk before the door opens or the event is reported: a power cut loses nothing committed.
 */
export type Statements<K extends string> = { readonly [P in K]: Database.Statement };

interface StatementGroup {
  sql: Record<string, string>;
  compiled: Record<string, Database.Statement> | undefined;
}

export class EdgeStore {
  private handle: Database.Database | undefined;
  private readonly groups: StatementGroup[] = [];
  private readonly cache = new Map<string, Database.Statement>();

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
    this.handle = db;
    try {
      this.migrate();
      for (const g of this.groups) this.compile(g);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    for (const g of this.groups) g.compiled = undefined;
    this.cache.clear();
    this.handle?.close();
    this.handle = undefined;
  }

  /**
   * Declares a repository's named SQL (no I/O; repositories call it in their constructors). Every
   * statement is compiled in start(), after the migrations, so broken SQL stops the daemon at start
   * rather than at first use, and each statement is compiled once: compiling on every call parsed and
   * planned the SQL again, and each statement's native memory (invisible to V8) stayed allocated until a
   * major GC finalized its wrapper, hundreds of MB of RSS on a busy cabinet.
   */
  statements<K extends string>(sql: Record<K, string>): Statements<K> {
    const group: StatementGroup = { sql, compiled: undefined };
    this.groups.push(group);
    if (this.handle) this.compile(group);
    const named = {} as Record<K, Database.Statement>;
    for (const name of Object.keys(sql) as K[]) {
      Object.defineProperty(named, name, {
        enumerable: true,
        get: () => {
          const stmt = group.compiled?.[name];
          if (!stmt) throw new Error('edge store is not started');
          return stmt;
        },
      });
    }
    return named;
  }

  /**
   * A statement for SQL not declared with statements() (queries built at the point of use), compiled
   * once per text. No caller may switch a statement's mode (pluck/raw/expand) or keep an iterator open.
   */
  prepare(sql: string): Database.Statement {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      if (this.cache.size >= STATEMENT_CACHE_LIMIT) this.cache.clear();
      stmt = this.db.prepare(sql);
      this.cache.set(sql, stmt);
    }
    return stmt;
  }

  /** Runs `fn` in one immediate transaction: all of it is committed, or none. */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private compile(group: StatementGroup): void {
    const db = this.db;
    group.compiled = Object.fromEntries(
      Object.entries(group.sql).map(([name, sql]) => [name, db.prepare(sql)]),
    );
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

/** Upper bound of the cache behind prepare(); the daemon's SQL is static text, so it never gets near this. */
const STATEMENT_CACHE_LIMIT = 256;

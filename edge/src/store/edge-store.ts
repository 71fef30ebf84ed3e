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
  }
}

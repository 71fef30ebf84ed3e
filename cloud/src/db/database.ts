import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { CloudConfig } from '../config.js';
import { migrations } from './migrations/index.js';
import type { CloudDatabase } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type Db = Kysely<CloudDatabase>;

/** Opens the configured database; no query runs until `migrateToLatest`. */
export function createDatabase(config: CloudConfig['database']): Db {
  if (config.dialect === 'sqlite') {
    return new Kysely<CloudDatabase>({
      dialect: new SqliteDialect({
        database: async () => {
          if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
          const db = new SQLite(config.file);
          // WAL + synchronous=FULL: a committed transaction survives a power cut.
          db.pragma('journal_mode = WAL');
          db.pragma('synchronous = FULL');
          db.pragma('foreign_keys = ON');
          db.pragma('busy_timeout = 5000');
          return withStatementCache(db);
        },
      }),
    });
  }
  return new Kysely<CloudDatabase>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: config.url, max: 10 }) }),
  });
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

export const nowIso = (): string => new Date().toISOString();

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { newUserId } from '../src/accounts/ids.js';
import { createDatabase, type Db, migrateToLatest } from '../src/db/database.js';
import { createTasks } from '../src/tasks/tasks-module.js';

/** A migrated SQLite file of its own; `close()` removes it. */
export async function openTestDb(): Promise<{ db: Db; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'locker-tasks-'));
  const db = createDatabase({ dialect: 'sqlite', file: join(dir, 'cloud.db') });
  await migrateToLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let n = 0;
/** A user row straight into the table (the accounts layer has its own tests). */
export async function insertUser(db: Db): Promise<string> {
  const id = newUserId(`tasks_user_${process.pid}_${++n}`);
  const at = new Date().toISOString();
  await db
    .insertInto('users')
    .values({
      id,
      name: `tasks_user_${process.pid}_${n}`,
      tel: null,
      email: null,
      password_hash: 'x',
      pash_sealed: 'x',
      real_name: null,
      prc_id_sealed: null,
      address: null,
      verify_note: null,
      verify_submitted_at: null,
      verify_decided_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return id;
}

/** The task services on `db`, with every notification kept for the test to read. */
export function tasksOn(db: Db) {
  const sent: Array<{ userId: string; kind: string; payload: { taskId: string; event: string } }> = [];
  const tasks = createTasks(
    db,
    async (userId, kind, payload) => {
      sent.push({ userId, kind, payload: payload as { taskId: string; event: string } });
    },
    pino({ level: 'silent' }),
  );
  return { ...tasks, sent };
}

export const XIAN = { ew: 108.94, ns: 34.26 };
export const aTask = (over: Record<string, unknown> = {}) => ({
  ...XIAN,
  r: 3000,
  wei: 1.5,
  size: { x: 30, y: 20, z: 10 },
  cost: 500,
  ...over,
});

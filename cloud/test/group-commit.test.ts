import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Db, migrateToLatest } from '../src/db/database.js';
import { GroupCommit } from '../src/db/group-commit.js';

describe('GroupCommit on SQLite on disk', () => {
  let dir: string;
  let file: string;
  let db: Db;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'locker-units-'));
    file = join(dir, 'cloud.db');
    db = createDatabase({ dialect: 'sqlite', file });
    await migrateToLatest(db);
    await sql`create table units_probe (id text primary key)`.execute(db);
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (units: GroupCommit, id: string, fail = false) =>
    units.run(async (trx) => {
      await sql`insert into units_probe (id) values (${id})`.execute(trx);
      if (fail) throw new Error(`unit ${id} failed`);
      return id;
    });
  // Another connection: what is durable, not what this connection has in its open transaction.
  const committed = (): string[] => {
    const other = new SQLite(file, { readonly: true });
    try {
      return (other.prepare('SELECT id FROM units_probe').all() as Array<{ id: string }>).map((r) => r.id);
    } finally {
      other.close();
    }
  };

  it('commits units that arrive together in one transaction, and answers each with its own result', async () => {
    const units = new GroupCommit(db, true);
    const ids = Array.from({ length: 20 }, (_, i) => `C${i}`);
    expect(await Promise.all(ids.map((id) => insert(units, id)))).toEqual(ids);
    expect(units.counters.units).toBe(20);
    expect(units.counters.commits).toBeLessThan(5);
    expect(committed().sort()).toEqual([...ids].sort());
  });

  it('rolls back a unit that throws alone: the others of its commit stand', async () => {
    const units = new GroupCommit(db, true);
    const results = await Promise.allSettled([
      insert(units, 'A'),
      insert(units, 'B', true),
      insert(units, 'C'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('unit B failed');
    expect(units.counters.commits).toBe(1);
    expect(committed().sort()).toEqual(['A', 'C']);
  });

  it('runs after-commit work only for units that committed, once they are durable', async () => {
    const units = new GroupCommit(db, true);
    const seen: Array<{ id: string; durable: boolean }> = [];
    const unit = (id: string, fail: boolean) =>
      units.run(async (trx, commit) => {
        await sql`insert into units_probe (id) values (${id})`.execute(trx);
        commit.after(() => seen.push({ id, durable: committed().includes(id) }));
        if (fail) throw new Error('no');
      });
    await Promise.allSettled([unit('X', false), unit('Y', true)]);
    expect(seen).toEqual([{ id: 'X', durable: true }]);
  });

  it('keeps a constraint error of one unit from leaking into the next batch', async () => {
    const units = new GroupCommit(db, true);
    await insert(units, 'D');
    const [dup, next] = await Promise.allSettled([insert(units, 'D'), insert(units, 'E')]);
    expect(dup.status).toBe('rejected');
    expect(next.status).toBe('fulfilled');
    const later = await units.run(async (trx) =>
      sql<{ n: number }>`select count(*) as n from units_probe`.execute(trx),
    );
    expect(Number(later.rows[0]?.n)).toBe(2);
  });

  it('without grouping (PostgreSQL), each unit is its own transaction', async () => {
    const units = new GroupCommit(db, false);
    const results = await Promise.allSettled([insert(units, 'P'), insert(units, 'Q', true)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(units.counters.commits).toBe(0);
    expect(committed()).toEqual(['P']);
  });
});

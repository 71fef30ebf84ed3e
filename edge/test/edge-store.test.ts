import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EdgeStore } from '../src/store/edge-store.js';

describe('the edge store', () => {
  let dir: string;
  let store: EdgeStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'locker-store-'));
    store = new EdgeStore(join(dir, 'edge.db'), pino({ level: 'silent' }));
  });
  afterEach(async () => {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles named statements once at start and serves them by name', async () => {
    const q = store.statements({ count: 'SELECT COUNT(*) AS n FROM outbox' });
    expect(() => q.count).toThrow(/not started/);
    await store.start();
    expect(q.count).toBe(q.count);
    expect(q.count.get()).toEqual({ n: 0 });
    // The database handle is better-sqlite3's own: nothing is patched onto it.
    expect(Object.hasOwn(store.db, 'prepare')).toBe(false);
  });

  it('refuses to start when a declared statement does not compile, instead of failing at first use', async () => {
    store.statements({ broken: 'SELECT missing FROM no_such_table' });
    await expect(store.start()).rejects.toThrow(/no_such_table/);
  });

  it('compiles the statements again after a restart of the store', async () => {
    const q = store.statements({ one: 'SELECT 1 AS one' });
    await store.start();
    const first = q.one;
    await store.stop();
    await store.start();
    expect(q.one).not.toBe(first);
    expect(q.one.get()).toEqual({ one: 1 });
  });

  it('hands out one compiled statement per SQL text from prepare()', async () => {
    await store.start();
    expect(store.prepare('SELECT 2 AS two')).toBe(store.prepare('SELECT 2 AS two'));
  });
});

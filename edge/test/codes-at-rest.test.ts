import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../src/store/migrations.js';
import {
  courierDoc,
  deposit,
  startCabinet,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

/** Every byte SQLite keeps for the cabinet: the database file, its WAL and its shared-memory index. */
function storedBytes(dir: string): Buffer {
  const parts = ['edge.db', 'edge.db-wal', 'edge.db-shm']
    .map((f) => join(dir, f))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f));
  return Buffer.concat(parts);
}

const holds = (bytes: Buffer, secret: string) => bytes.includes(Buffer.from(secret, 'utf8'));

describe('pickup codes at rest on the cabinet', () => {
  let c: TestCabinet | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await c?.close();
    c = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('shows the code and QR token in one answer only, and neither is in edge.db, its WAL or its shm', async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
    const done = await deposit(c, 'medium');
    const code = done.pickupCode as string;
    const token = done.pickupToken as string;
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(done.message).not.toContain(code);

    const later = (await c.call('GET', `/api/sessions/${done.id}`)).body;
    expect(later).toMatchObject({ state: 'completed', pickupCode: null, pickupToken: null });
    expect(JSON.stringify(later)).not.toContain(code);

    const bytes = storedBytes(c.dir);
    expect(bytes.length).toBeGreaterThan(0);
    expect(holds(bytes, code)).toBe(false);
    expect(holds(bytes, token)).toBe(false);

    // The code still works: it is kept as an HMAC.
    const pick = await c.call('POST', '/api/pickups', { code });
    expect(pick.status).toBe(201);
    takeParcelAndClose(c, done.boxNo as string);
    await waitForSession(c, pick.body.id, 'completed');
    const dir = c.dir;
    await c.daemon.stop();
    const after = storedBytes(dir);
    expect(holds(after, code)).toBe(false);
    expect(holds(after, token)).toBe(false);
    await c.daemon.start();
  });

  it('purges the codes an older version stored, from the rows, the free pages and the WAL', async () => {
    // An older version's database: schema steps 1-3, a completed deposit holding its code in plain,
    // an older session already deleted (its bytes left in free space), and the last writes still in
    // the WAL, as a power cut leaves them.
    const live = mkdtempSync(join(tmpdir(), 'locker-old-'));
    const dir = mkdtempSync(join(tmpdir(), 'locker-upgraded-'));
    dirs.push(live, dir);
    const old = new Database(join(live, 'edge.db'));
    old.pragma('journal_mode = WAL');
    old.pragma('wal_autocheckpoint = 0');
    for (const [i, step] of migrations.slice(0, 3).entries()) {
      old.exec(step);
      old.pragma(`user_version = ${i + 1}`);
    }
    const now = new Date().toISOString();
    const row = (parcelId: string, code: string, token: string) =>
      JSON.stringify({
        message: `Deposited in box 07. Pickup code ${code}.`,
        size: 'medium',
        parcelId,
        via: null,
        courierId: 'C-1001',
        userNo: null,
        grantId: null,
        boxesTried: [],
        pickupCode: code,
        pickupToken: token,
        error: null,
        reopened: false,
        company: null,
        recollected: 0,
        remaining: null,
      });
    const insert = old.prepare(
      "INSERT INTO sessions (session_id, kind, state, box_no, data, created_at, updated_at) VALUES (?, 'deposit', 'completed', '07', ?, ?, ?)",
    );
    insert.run('purged-session-1', row('P-purged', '504917', 'PurgedTokenAAAAAAAAAAAAA'), now, now);
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.prepare('DELETE FROM sessions WHERE session_id = ?').run('purged-session-1');
    old.pragma('wal_checkpoint(PASSIVE)');
    insert.run('kept-session-01', row('P-kept', '628403', 'KeptTokenBBBBBBBBBBBBBBBB'), now, now);
    // Copied while the old daemon still has the files open: the power cut.
    for (const f of ['edge.db', 'edge.db-wal']) copyFileSync(join(live, f), join(dir, f));
    old.close();
    const before = storedBytes(dir);
    for (const s of ['504917', '628403', 'PurgedTokenAAAAAAAAAAAAA', 'KeptTokenBBBBBBBBBBBBBBBB']) {
      expect(holds(before, s), `${s} is in the old files`).toBe(true);
    }

    c = await startCabinet({ dataDir: dir });
    const view = (await c.call('GET', '/api/sessions/kept-session-01')).body;
    expect(view).toMatchObject({
      state: 'completed',
      parcelId: 'P-kept',
      pickupCode: null,
      pickupToken: null,
      message: 'Deposited in box 07.',
    });
    const raw = c.daemon.store.db
      .prepare("SELECT data FROM sessions WHERE session_id = 'kept-session-01'")
      .get() as { data: string };
    expect(JSON.parse(raw.data)).not.toHaveProperty('pickupCode');
    for (const bytes of [storedBytes(dir), await stopped(c, dir)]) {
      for (const s of ['504917', '628403', 'PurgedTokenAAAAAAAAAAAAA', 'KeptTokenBBBBBBBBBBBBBBBB']) {
        expect(holds(bytes, s), `${s} survived the upgrade`).toBe(false);
      }
    }
  });
});

/** Stops the daemon, reads its files, starts it again (so afterEach can close it as usual). */
async function stopped(c: TestCabinet, dir: string): Promise<Buffer> {
  await c.daemon.stop();
  const bytes = storedBytes(dir);
  await c.daemon.start();
  return bytes;
}

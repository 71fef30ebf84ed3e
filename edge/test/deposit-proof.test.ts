import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoardSimulator } from '@locker/lockboard';
import { newCodeKeyPair } from '@locker/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type EdgeConfigInput, parseEdgeConfig } from '../src/config.js';
import { EdgeDaemon } from '../src/daemon.js';
import type { KioskSession } from '../src/kiosk/kiosk-api-types.js';
import { CABINET, courierDoc } from './support/cabinet.js';

/**
 * Issue 11: an abandoned deposit is never a parcel. A board with no occupancy sensor (xor8a) needs the
 * courier's word that the parcel is in; after a restart, only the occupancy sensor proves a parcel nobody
 * watched go in. The daemon is restarted on the same data folder and the same simulated board (doors
 * stay as they were, as a real cabinet's would).
 */
type Family = 'kerong' | 'xor8a';
const COURIER = { courierId: 'C-1001', pin: '4711' };

interface Cabinet {
  daemon: EdgeDaemon;
  sim: BoardSimulator;
  board: number;
  call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: KioskSession }>;
  restart(): Promise<void>;
}

const dirs: string[] = [];
const running: EdgeDaemon[] = [];
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function cabinet(family: Family, extra: Partial<EdgeConfigInput> = {}): Promise<Cabinet> {
  const dir = mkdtempSync(join(tmpdir(), 'locker-proof-'));
  dirs.push(dir);
  const board = family === 'kerong' ? 0 : 1;
  const config = parseEdgeConfig({
    cabinetId: CABINET,
    dataDir: dir,
    logLevel: 'silent',
    bus: { family, port: 'sim:', boards: [{ address: board, locks: 4 }], pollIntervalMs: 20 },
    boxes: Array.from({ length: 4 }, (_, i) => ({ boxNo: `0${i + 1}`, board, lock: i + 1, size: 'medium' })),
    kiosk: { enabled: false },
    ...extra,
  });
  const boot = async (sim?: BoardSimulator) => {
    const d = new EdgeDaemon(config, {
      logger: pino({ level: 'silent' }),
      ...(sim ? { driver: { simulator: sim } } : {}),
    });
    await d.start();
    running.push(d);
    return d;
  };
  const first = await boot();
  first.desired.apply(await courierDoc());
  const c: Cabinet = {
    daemon: first,
    sim: first.driver.simulator as BoardSimulator,
    board,
    async call(method, url, body) {
      const res = await c.daemon.kioskApp.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.json() as KioskSession };
    },
    async restart() {
      await c.daemon.stop();
      running.splice(running.indexOf(c.daemon), 1);
      c.daemon = await boot(c.sim);
    },
  };
  return c;
}

async function untilSession(c: Cabinet, id: string, ok: (s: KioskSession) => boolean): Promise<KioskSession> {
  let last: KioskSession | undefined;
  await expect
    .poll(
      async () => {
        last = (await c.call('GET', `/api/sessions/${id}`)).body;
        return ok(last);
      },
      { timeout: 10_000, interval: 20 },
    )
    .toBe(true);
  return last as KioskSession;
}

async function startDeposit(c: Cabinet): Promise<KioskSession> {
  const res = await c.call('POST', '/api/deposits', { ...COURIER, size: 'medium' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.state).toBe('door_open');
  return res.body;
}

const lockOf = (s: KioskSession) => Number(s.boxNo);
const parcelEvents = (c: Cabinet) => c.daemon.outbox.all().filter((e) => e.type === 'parcel.deposited');

describe('a deposit on a board with no occupancy sensor', () => {
  it('issues no code when the door shuts, but asks the courier, and issues it once they confirm', async () => {
    const c = await cabinet('xor8a');
    const s = await startDeposit(c);
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    const asking = await untilSession(c, s.id, (v) => v.awaitingConfirm);
    expect(asking).toMatchObject({
      state: 'open',
      pickupCode: null,
      status: { code: 'DEPOSIT_CONFIRM_PARCEL' },
    });
    expect(parcelEvents(c)).toHaveLength(0);

    const confirmed = await c.call('POST', `/api/sessions/${s.id}/parcel-inside`);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'completed', status: { code: 'DEPOSIT_DONE' } });
    expect(confirmed.body.pickupCode).toMatch(/^\d{6}$/);
    expect(parcelEvents(c)).toHaveLength(1);
  });

  it('refuses a confirmation while the door is still open', async () => {
    const c = await cabinet('xor8a');
    const s = await startDeposit(c);
    const early = await c.call('POST', `/api/sessions/${s.id}/parcel-inside`);
    expect(early.status).toBe(409);
    expect((early.body as unknown as { error: { code: string } }).error.code).toBe('INVALID_TRANSITION');
    expect(parcelEvents(c)).toHaveLength(0);
  });

  it('abandons a deposit nobody confirmed once the session times out, and asks staff to check the box', async () => {
    const c = await cabinet('xor8a', { flows: { sessionTimeoutSec: 1, sweepIntervalMs: 50 } });
    const s = await startDeposit(c);
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    const ended = await untilSession(c, s.id, (v) => v.state === 'cancelled');
    expect(ended).toMatchObject({ abandoned: true, status: { code: 'DEPOSIT_ABANDONED' } });
    expect(parcelEvents(c)).toHaveLength(0);
    expect(c.daemon.boxes.get(s.boxNo as string).usage).toBe('free');
    expect(c.daemon.alarms.active().map((a) => [a.kind, a.boxNo])).toContainEqual(['box_reported', s.boxNo]);
  });

  it('abandons, after a restart, a deposit whose door was shut but not confirmed', async () => {
    const c = await cabinet('xor8a');
    const s = await startDeposit(c);
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    await untilSession(c, s.id, (v) => v.awaitingConfirm);
    await c.restart();
    const ended = await untilSession(c, s.id, (v) => v.state === 'cancelled');
    expect(ended.abandoned).toBe(true);
    expect(parcelEvents(c)).toHaveLength(0);
  });
});

describe('a deposit running when the daemon restarts', () => {
  it('is resumed with its door still open, and abandoned when the door is shut on an empty box', async () => {
    const c = await cabinet('kerong');
    const s = await startDeposit(c);
    await c.restart();
    const current = (await c.call('GET', '/api/sessions/current')).body as unknown as {
      session: KioskSession;
    };
    expect(current.session).toMatchObject({ id: s.id, state: 'door_open', boxNo: s.boxNo, pickupCode: null });

    c.sim.setDoor(c.board, lockOf(s), 'closed');
    const ended = await untilSession(c, s.id, (v) => v.state === 'cancelled');
    expect(ended).toMatchObject({ abandoned: true, status: { code: 'DEPOSIT_ABANDONED' } });
    expect(parcelEvents(c)).toHaveLength(0);
    expect(c.daemon.boxes.get(s.boxNo as string).usage).toBe('free');
    expect(c.daemon.alarms.active().map((a) => [a.kind, a.boxNo])).toContainEqual(['box_reported', s.boxNo]);
    expect((await c.call('GET', '/api/sessions/current')).body).toEqual({ session: null });
  });

  it('becomes a parcel when the occupancy sensor shows one, and the code is shown to the resumed screen', async () => {
    const c = await cabinet('kerong');
    const s = await startDeposit(c);
    await c.restart();
    c.sim.setOccupied(c.board, lockOf(s), true);
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    const done = await untilSession(c, s.id, (v) => v.state === 'completed');
    expect(done.pickupCode).toMatch(/^\d{6}$/);
    expect(parcelEvents(c)).toHaveLength(1);
  });

  it('on a board with no occupancy sensor, is abandoned when the door is shut after the restart', async () => {
    const c = await cabinet('xor8a');
    const s = await startDeposit(c);
    await c.restart();
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    const ended = await untilSession(c, s.id, (v) => v.state === 'cancelled');
    expect(ended.abandoned).toBe(true);
    expect(parcelEvents(c)).toHaveLength(0);
  });
});

describe("what a deposit's code screen may promise", () => {
  const depositFor = async (c: Cabinet, extra: object) => {
    const res = await c.call('POST', '/api/deposits', { ...COURIER, size: 'medium', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    c.sim.setOccupied(c.board, lockOf(res.body), true);
    c.sim.setDoor(c.board, lockOf(res.body), 'closed');
    return untilSession(c, res.body.id, (v) => v.state === 'completed');
  };

  it('says the recipient is told only when the cloud gets the sealed code and whom to tell', async () => {
    const c = await cabinet('kerong', { cloudCodeKey: newCodeKeyPair().publicKey });
    expect((await depositFor(c, { recipientTel: '13900139000' })).codeSentTo).toBe('phone');
    expect((await depositFor(c, { waybill: 'SF1234567890' })).codeSentTo).toBe('waybill');
    expect((await depositFor(c, {})).codeSentTo).toBeNull();
  });

  it('promises nothing on a cabinet without the cloud key, phone or not', async () => {
    const c = await cabinet('kerong');
    expect((await depositFor(c, { recipientTel: '13900139000' })).codeSentTo).toBeNull();
  });
});

describe('a session nobody finishes', () => {
  it('is cancelled by the sweeper with the timed-out status, a cancel by the person is not', async () => {
    const c = await cabinet('kerong');
    const s = await startDeposit(c);
    // Shut empty twice: the box is opened once more, then the session waits with its door closed.
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    await untilSession(c, s.id, (v) => v.reopened && v.state === 'door_open');
    c.sim.setDoor(c.board, lockOf(s), 'closed');
    await untilSession(c, s.id, (v) => v.state === 'open');
    c.daemon.flows.sweep(Date.now() + 3_600_000);
    const ended = (await c.call('GET', `/api/sessions/${s.id}`)).body;
    expect(ended).toMatchObject({
      state: 'cancelled',
      timedOut: true,
      status: { code: 'SESSION_TIMED_OUT' },
    });

    const other = await startDeposit(c);
    const cancelled = await c.call('POST', `/api/sessions/${other.id}/cancel`);
    expect(cancelled.body).toMatchObject({ timedOut: false, status: { code: 'SESSION_CANCELLED' } });
  });
});

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { boxLayout, type EdgeConfigInput, EdgeDaemon, parseEdgeConfig } from '@locker/edge';
import type { BoardSimulator } from '@locker/lockboard';
import { makeVerifier } from '@locker/protocol';
import pino from 'pino';
import { call } from './processes.js';

export const COURIER = { courierId: 'BENCH-C1', pin: '4711' };
export const BOARDS = [0, 1, 2, 3].map((address) => ({ address, locks: 16 }));

export interface SessionBody {
  id: string;
  state: string;
  boxNo: string;
  pickupCode: string | null;
  error?: unknown;
}

/** Where each box's lock is on the bus (the default layout: one box per lock, board by board). */
export function addressBook(config: EdgeConfigInput): Map<string, { board: number; lock: number }> {
  return new Map(boxLayout(parseEdgeConfig(config)).map((b) => [b.boxNo, { board: b.board, lock: b.lock }]));
}

/**
 * The courier's credential arrives as desired state from the cloud; with no broker in the bench it is
 * applied once by an in-process daemon on the same data directory (as the power-cut harness does), at
 * the production scrypt cost (N = 16384).
 */
export async function seedCourier(config: EdgeConfigInput): Promise<void> {
  const d = new EdgeDaemon(
    parseEdgeConfig({
      ...config,
      kiosk: { enabled: false },
      logLevel: 'silent',
      bus: { family: 'kerong', port: 'sim:', boards: BOARDS, pollIntervalMs: 0 },
    }),
    { logger: pino({ level: 'silent' }) },
  );
  await d.start();
  d.desired.apply({
    kind: 'snapshot',
    version: 1,
    couriers: [{ courierId: COURIER.courierId, pin: await makeVerifier(COURIER.pin) }],
    grants: [],
  });
  await d.stop();
}

/** Polls the session (as the touchscreen does) until the daemon has seen the door shut and finished it. */
export async function completed(url: string, id: string, everyMs = 40): Promise<SessionBody> {
  for (let i = 0; ; i++) {
    await sleep(everyMs);
    const s = await call<SessionBody>(url, 'GET', `/api/sessions/${id}`);
    if (s.body.state === 'completed') return s.body;
    if (s.body.state !== 'open' && s.body.state !== 'door_open') {
      throw new Error(`session ${id} ended ${s.body.state}: ${JSON.stringify(s.body)}`);
    }
    if (i > 500) throw new Error(`session ${id} did not complete`);
  }
}

export interface Timed {
  /** request sent -> unlock frame decoded by the simulated board (ms) */
  frameMs: number;
  /** request sent -> response received (ms) */
  responseMs: number;
  body: SessionBody;
}

/**
 * One kiosk request timed against the simulator in this process: the moment its board decodes the
 * unlock frame is the moment the door's bolt would be pulsed.
 */
export async function timedUnlock(
  url: string,
  sim: BoardSimulator,
  path: string,
  body: unknown,
): Promise<Timed> {
  let frameAt: number | undefined;
  const off = sim.onFrame((f) => {
    if (f.request.op === 'unlock' && frameAt === undefined) frameAt = f.at;
  });
  const t0 = performance.now();
  try {
    const res = await call<SessionBody>(url, 'POST', path, body);
    const t1 = performance.now();
    if (res.status !== 201 || res.body.state !== 'door_open' || frameAt === undefined) {
      throw new Error(`${path} did not open a box: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return { frameMs: frameAt - t0, responseMs: t1 - t0, body: res.body };
  } finally {
    off();
  }
}

/**
 * Kiosk -> wire latency with one person at a time at the screen: rounds of deposits into free boxes
 * (the courier puts the parcel in and shuts the door right away), then pickups of those parcels with
 * their codes. Each request is timed alone; the daemon meanwhile finishes the previous sessions from
 * its door polls, as it would in a busy cabinet.
 */
export async function latencyRounds(
  url: string,
  sim: BoardSimulator,
  where: Map<string, { board: number; lock: number }>,
  samples: number,
  perRound = 48,
): Promise<{ deposit: Timed[]; pickup: Timed[] }> {
  const deposit: Timed[] = [];
  const pickup: Timed[] = [];
  while (deposit.length < samples || pickup.length < samples) {
    const opened: string[] = [];
    for (let i = 0; i < perRound; i++) {
      const t = await timedUnlock(url, sim, '/api/deposits', { ...COURIER, size: 'medium' });
      deposit.push(t);
      const at = where.get(t.body.boxNo);
      if (!at) throw new Error(`unknown box ${t.body.boxNo}`);
      sim.setOccupied(at.board, at.lock, true);
      sim.setDoor(at.board, at.lock, 'closed');
      opened.push(t.body.id);
    }
    const codes: string[] = [];
    for (const id of opened) codes.push(String((await completed(url, id)).pickupCode));
    opened.length = 0;
    for (const code of codes) {
      const t = await timedUnlock(url, sim, '/api/pickups', { code });
      pickup.push(t);
      const at = where.get(t.body.boxNo);
      if (!at) throw new Error(`unknown box ${t.body.boxNo}`);
      sim.setOccupied(at.board, at.lock, false);
      sim.setDoor(at.board, at.lock, 'closed');
      opened.push(t.body.id);
    }
    for (const id of opened) await completed(url, id);
  }
  return { deposit: deposit.slice(0, samples), pickup: pickup.slice(0, samples) };
}

/**
 * Drives `ops` operations (deposits and pickups, alternating per worker) through the kiosk API of a
 * daemon with the in-process simulator, using its simulator routes as the person's hands.
 */
export async function driveOperations(
  url: string,
  ops: number,
  workers: number,
  onProgress: (done: number) => void,
): Promise<number> {
  let started = 0;
  let done = 0;
  const hands = async (boxNo: string, occupied: boolean) => {
    const a = await call(url, 'POST', `/api/simulator/boxes/${boxNo}/occupancy`, { occupied });
    const b = await call(url, 'POST', `/api/simulator/boxes/${boxNo}/door`, { state: 'closed' });
    if (a.status !== 200 || b.status !== 200)
      throw new Error(`simulator route failed: ${a.status}/${b.status}`);
  };
  const finish = () => {
    done++;
    onProgress(done);
  };
  const worker = async () => {
    while (started < ops) {
      started++;
      const dep = await call<SessionBody>(url, 'POST', '/api/deposits', { ...COURIER, size: 'medium' });
      if (dep.status !== 201 || dep.body.state !== 'door_open') {
        throw new Error(`deposit failed: ${dep.status} ${JSON.stringify(dep.body)}`);
      }
      await hands(dep.body.boxNo, true);
      const code = (await completed(url, dep.body.id)).pickupCode;
      finish();
      if (started >= ops) return;
      started++;
      const pick = await call<SessionBody>(url, 'POST', '/api/pickups', { code });
      if (pick.status !== 201 || pick.body.state !== 'door_open') {
        throw new Error(`pickup failed: ${pick.status} ${JSON.stringify(pick.body)}`);
      }
      await hands(pick.body.boxNo, false);
      await completed(url, pick.body.id);
      finish();
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return done;
}

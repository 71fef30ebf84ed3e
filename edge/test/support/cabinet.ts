import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BoardSimulator } from '@locker/lockboard';
import type { DesiredStateInput } from '@locker/protocol';
import { makeVerifier } from '@locker/protocol';
import pino from 'pino';
import { expect } from 'vitest';
import type { EdgeConfigInput } from '../../src/config.js';
import { parseEdgeConfig } from '../../src/config.js';
import { EdgeDaemon } from '../../src/daemon.js';
import type { SessionView } from '../../src/flows/session-store.js';

export const CABINET = '610091A01';
/** Cheap scrypt cost for tests (the cloud uses 16384). */
export const TEST_COST = { N: 1024, r: 8, p: 1 };

export interface TestCabinet {
  daemon: EdgeDaemon;
  sim: BoardSimulator;
  dir: string;
  /** kiosk request through app.inject */
  call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: KioskBody }>;
  /** the physical box: board 0, lock = box number */
  lockOf(boxNo: string): number;
  close(): Promise<void>;
}

/** A kiosk answer as the tests read it: a session, or an error body, or a small document. */
export type KioskBody = Omit<SessionView, 'error'> & { error: { code: string; message: string } } & Record<
    string,
    unknown
  >;

/**
 * A cabinet on the in-process simulator (Kerong family: door and occupancy sensors), 16 boxes:
 * 01-06 small, 07-12 medium, 13-16 large. No broker unless given.
 */
export async function startCabinet(overrides: Partial<EdgeConfigInput> = {}): Promise<TestCabinet> {
  const dir = mkdtempSync(join(tmpdir(), 'locker-edge-'));
  const sizes = (n: number) => (n <= 6 ? 'small' : n <= 12 ? 'medium' : 'large');
  const config = parseEdgeConfig({
    cabinetId: CABINET,
    dataDir: dir,
    logLevel: 'silent',
    bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 16 }], pollIntervalMs: 20 },
    boxes: Array.from({ length: 16 }, (_, i) => ({
      boxNo: String(i + 1).padStart(2, '0'),
      board: 0,
      lock: i + 1,
      size: sizes(i + 1),
    })),
    kiosk: { enabled: false },
    ...overrides,
  });
  const daemon = new EdgeDaemon(config, { logger: pino({ level: 'silent' }) });
  await daemon.start();
  const sim = daemon.driver.simulator;
  if (!sim) throw new Error('no simulator');
  return {
    daemon,
    sim,
    dir,
    async call(method, url, body) {
      const res = await daemon.kioskApp.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.json() as KioskBody };
    },
    lockOf: (boxNo) => Number(boxNo),
    async close() {
      await daemon.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls the session until it reaches `state` (the touchscreen does the same). */
export async function waitForSession(
  c: TestCabinet,
  id: string,
  state: SessionView['state'],
): Promise<SessionView> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const last = (await c.call('GET', `/api/sessions/${id}`)).body as SessionView;
    if (last.state === state) return last;
    if (Date.now() > deadline)
      throw new Error(`session ${id} is ${last.state}, not ${state}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A courier puts a parcel in the open box and shuts the door. */
export function putParcelAndClose(c: TestCabinet, boxNo: string): void {
  c.sim.setOccupied(0, c.lockOf(boxNo), true);
  c.sim.setDoor(0, c.lockOf(boxNo), 'closed');
}

/** A recipient takes the parcel out and shuts the door. */
export function takeParcelAndClose(c: TestCabinet, boxNo: string): void {
  c.sim.setOccupied(0, c.lockOf(boxNo), false);
  c.sim.setDoor(0, c.lockOf(boxNo), 'closed');
}

export async function courierDoc(
  version = 1,
  extra: Partial<DesiredStateInput> = {},
): Promise<DesiredStateInput> {
  return {
    kind: 'snapshot',
    version,
    couriers: [
      { courierId: 'C-1001', name: 'Zheng', company: 'B', pin: await makeVerifier('4711', TEST_COST) },
    ],
    grants: [],
    ...extra,
  } as DesiredStateInput;
}

/** A full deposit by courier C-1001; returns the completed session. */
export async function deposit(
  c: TestCabinet,
  size: 'small' | 'medium' | 'large' = 'medium',
): Promise<SessionView> {
  const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const s = res.body as SessionView;
  expect(s.state).toBe('door_open');
  putParcelAndClose(c, s.boxNo as string);
  return waitForSession(c, s.id, 'completed');
}

export function outboxTypes(c: TestCabinet): string[] {
  return c.daemon.outbox.all().map((e) => e.type);
}

import { LockBoardDriver } from '../../src/driver.js';
import type { BoardEvent, DoorEvent, OccupancyEvent } from '../../src/monitor/door-monitor.js';
import type { BusSettingsInput } from '../../src/settings.js';
import { BoardSimulator } from '../../src/simulator/board-simulator.js';
import { mockBindingFor } from '../../src/simulator/mock-binding.js';
import { simulatorOnPty } from '../../src/simulator/simulator-on-pty.js';

export type Link = 'sim-binding' | 'binding-mock' | 'pty';
export type FamilyName = 'xor8a' | 'kerong';

export interface Rig {
  driver: LockBoardDriver;
  sim: BoardSimulator;
  events: { door: DoorEvent[]; occupancy: OccupancyEvent[]; board: BoardEvent[] };
  /** Board addresses: two boards per bus. */
  boards: [number, number];
  close(): Promise<void>;
}

export function boardsFor(family: FamilyName): { address: number; locks: number }[] {
  return family === 'xor8a'
    ? [
        { address: 1, locks: 16 },
        { address: 2, locks: 8 },
      ]
    : [
        { address: 0, locks: 16 },
        { address: 1, locks: 12 },
      ];
}

/**
 * Builds a driver wired to a simulator over the chosen link. Timeouts are generous: these tests assert
 * behaviour, never speed, and must pass on a loaded two-core machine.
 */
export async function makeRig(
  link: Link,
  family: FamilyName,
  overrides: Partial<BusSettingsInput> = {},
): Promise<Rig> {
  const boards = boardsFor(family);
  const base: BusSettingsInput = {
    family,
    port: 'sim:',
    boards,
    pollIntervalMs: 20,
    timeouts: { unlockMs: 1500, statusMs: 400, drainMs: 20, silenceMs: 80, confirmMs: 50 },
    ...overrides,
  };
  const cleanups: (() => Promise<void>)[] = [];
  let driver: LockBoardDriver;
  let sim: BoardSimulator;
  if (link === 'sim-binding') {
    driver = new LockBoardDriver(base);
    sim = driver.simulator as BoardSimulator;
  } else {
    sim = new BoardSimulator({ family, boards });
    if (link === 'binding-mock') {
      const { binding, path } = mockBindingFor(sim);
      driver = new LockBoardDriver({ ...base, port: path }, { binding, simulator: sim });
    } else {
      const pty = await simulatorOnPty(sim, 9600);
      cleanups.push(() => pty.close());
      driver = new LockBoardDriver({ ...base, port: pty.hostPath });
    }
  }
  const events: Rig['events'] = { door: [], occupancy: [], board: [] };
  driver.monitor.on('door', (e) => events.door.push(e));
  driver.monitor.on('occupancy', (e) => events.occupancy.push(e));
  driver.monitor.on('board', (e) => events.board.push(e));
  await driver.start();
  return {
    driver,
    sim,
    events,
    boards: [boards[0]?.address ?? 0, boards[1]?.address ?? 0],
    close: async () => {
      await driver.stop();
      for (const c of cleanups.reverse()) await c();
    },
  };
}

/** Polls a condition; fails with the message after a generous deadline. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Lets the monitor complete at least `n` full scans of the bus. */
export async function scans(rig: Rig, n = 3): Promise<void> {
  const target = rig.sim.frames.filter((f) => f.request.op === 'query-all').length + n * 2;
  await waitFor(
    () => rig.sim.frames.filter((f) => f.request.op === 'query-all').length >= target,
    `${n} scans`,
  );
}

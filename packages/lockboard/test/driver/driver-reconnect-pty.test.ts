import { isLockerError } from '@locker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BusStateEvent, LockBoardDriver } from '../../src/driver.js';
import { BoardSimulator } from '../../src/simulator/board-simulator.js';
import { type ReplugableBus, replugableSimulatorOnPty } from '../../src/simulator/replugable-pty.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isLockerError(err) ? err.code : String(err);
  }
}

describe('a serial port that vanishes and comes back, on the real serialport stack over a pty', () => {
  const boards = [
    { address: 1, locks: 8 },
    { address: 2, locks: 8 },
  ];
  let sim: BoardSimulator;
  let link: ReplugableBus;
  let driver: LockBoardDriver;
  let states: BusStateEvent[];

  beforeEach(async () => {
    sim = new BoardSimulator({ family: 'xor8a', boards });
    link = await replugableSimulatorOnPty(sim, 9600);
    driver = new LockBoardDriver({
      family: 'xor8a',
      port: link.hostPath,
      boards,
      pollIntervalMs: 20,
      reconnect: { initialMs: 50, maxMs: 400 },
      timeouts: { unlockMs: 1500, statusMs: 400, drainMs: 20, silenceMs: 80, confirmMs: 50 },
    });
    await driver.start();
    states = [];
    driver.on('bus', (e) => states.push(e));
  });

  afterEach(async () => {
    await driver.stop();
    await link.close();
  });

  it('goes down when socat is killed, refuses unlocks with BUS_DOWN, and serves again once the link is back', async () => {
    expect((await driver.unlock({ board: 1, lock: 1 })).confirmed).toBe(true);
    await link.unplug();
    await expect.poll(() => driver.busState, { timeout: 10_000 }).toBe('down');
    expect(states[0]?.state).toBe('down');
    expect(driver.health.downSince).not.toBeNull();

    const unlocksBefore = sim.frames.filter((f) => f.request.op === 'unlock').length;
    expect(await codeOf(driver.unlock({ board: 1, lock: 2 }))).toBe('BUS_DOWN');
    expect(await codeOf(driver.readBoard(1))).toBe('BUS_DOWN');

    // While the link was gone a door was closed: the reopened bus reads it before it is called up.
    sim.setDoor(1, 1, 'closed');
    await link.replug();
    await expect.poll(() => driver.busState, { timeout: 15_000 }).toBe('up');
    expect(states.map((s) => s.state)).toEqual(['down', 'up']);
    expect(driver.health).toMatchObject({ state: 'up', downSince: null, reconnects: 1 });
    expect((await driver.readBoard(1))[0]?.door).toBe('closed');

    // The refused unlock was never queued to run late: no unlock frame reached the board meanwhile.
    expect(sim.frames.filter((f) => f.request.op === 'unlock')).toHaveLength(unlocksBefore);
    expect((await driver.unlock({ board: 1, lock: 2 })).confirmed).toBe(true);
  }, 40_000);

  it('keeps retrying with backoff while the port stays missing, and comes back after a second loss', async () => {
    await link.unplug();
    await expect.poll(() => driver.busState, { timeout: 10_000 }).toBe('down');
    await link.replug();
    await expect.poll(() => driver.busState, { timeout: 15_000 }).toBe('up');
    await link.unplug();
    await expect.poll(() => driver.busState, { timeout: 10_000 }).toBe('down');
    await link.replug();
    await expect.poll(() => driver.busState, { timeout: 15_000 }).toBe('up');
    expect(driver.health.reconnects).toBe(2);
    expect((await driver.unlock({ board: 2, lock: 3 })).confirmed).toBe(true);
  }, 40_000);
});

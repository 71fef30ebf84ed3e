import { isLockerError } from '@locker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FamilyName, type Link, makeRig, type Rig, scans, waitFor } from '../helpers/harness.js';

const unlockBytes: Record<FamilyName, string> = { xor8a: '8A 01 01 11 9B', kerong: '02 00 31 03 36' };

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (err) {
    return isLockerError(err) ? err.code : String(err);
  }
}

/**
 * The behaviour the edge relies on, run unchanged over every link (custom binding, binding-mock, a real
 * pty pair through the real serialport binding) and for both board families.
 */
export function driverSuite(link: Link): void {
  describe.each(['xor8a', 'kerong'] as const)(`the lock-board driver over ${link} speaking %s`, (family) => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await makeRig(link, family);
    });
    afterEach(async () => {
      await rig.close();
    });

    it('reads every lock of every board as closed at start', async () => {
      const all = await rig.driver.readAll();
      expect(all).toHaveLength(rig.driver.settings.boards.reduce((n, b) => n + b.locks, 0));
      expect(all.every((r) => r.door === 'closed')).toBe(true);
      expect(all.every((r) => r.occupied === (family === 'kerong' ? false : null))).toBe(true);
    });

    it('unlocks a lock with the exact frame and confirms it from the door sensor', async () => {
      const [b] = rig.boards;
      const result = await rig.driver.unlock({ board: b, lock: 1 });
      expect(result).toEqual({ board: b, lock: 1, confirmed: true, door: 'open' });
      expect(rig.sim.frames.map((f) => f.hex)).toContain(unlockBytes[family]);
      expect(rig.sim.frames.filter((f) => f.request.op === 'unlock')).toHaveLength(1);
    });

    it('keeps an unlocked door open until it is closed, with one event each way', async () => {
      const [b] = rig.boards;
      await rig.driver.unlock({ board: b, lock: 3 });
      await scans(rig);
      expect((await rig.driver.readBoard(b))[2]?.door).toBe('open');
      rig.sim.setDoor(b, 3, 'closed');
      await waitFor(() => rig.events.door.some((e) => e.door === 'closed'), 'the close event');
      await scans(rig);
      expect(rig.events.door).toEqual([
        { board: b, lock: 3, door: 'open', previous: 'closed', commanded: true },
        { board: b, lock: 3, door: 'closed', previous: 'open', commanded: false },
      ]);
    });

    it('reports a door opened without a command as forced', async () => {
      const [, b2] = rig.boards;
      await scans(rig, 1);
      rig.sim.forceOpen(b2, 2);
      await waitFor(() => rig.events.door.length > 0, 'a door event');
      expect(rig.events.door[0]).toEqual({
        board: b2,
        lock: 2,
        door: 'open',
        previous: 'closed',
        commanded: false,
      });
    });

    it('reports occupancy changes where the board has the sensor', async () => {
      const [b] = rig.boards;
      await scans(rig, 1);
      rig.sim.setOccupied(b, 4, true);
      await scans(rig);
      if (family === 'kerong') {
        expect(rig.events.occupancy).toEqual([{ board: b, lock: 4, occupied: true, previous: false }]);
      } else {
        expect(rig.events.occupancy).toEqual([]);
      }
    });

    it('reports a jammed lock as not confirmed and raises no door event', async () => {
      const [b] = rig.boards;
      rig.sim.jam(b, 5);
      const result = await rig.driver.unlock({ board: b, lock: 5 });
      expect(result).toMatchObject({ confirmed: false, door: 'closed' });
      await scans(rig);
      expect(rig.events.door).toEqual([]);
    });

    it('times out on a silent board with a coded error, reports it unreachable, and recovers', async () => {
      const [b, other] = rig.boards;
      rig.sim.silence(b);
      expect(await codeOf(rig.driver.readBoard(b))).toBe('LOCK_TIMEOUT');
      await waitFor(() => rig.events.board.some((e) => !e.reachable), 'the unreachable event');
      // The other board on the bus keeps working meanwhile.
      expect(await rig.driver.readBoard(other)).toHaveLength(rig.driver.settings.boards[1]?.locks ?? 0);
      rig.sim.silence(b, false);
      await waitFor(() => rig.events.board.some((e) => e.reachable), 'the reachable-again event');
      expect(rig.events.board).toEqual([
        { board: b, reachable: false },
        { board: b, reachable: true },
      ]);
      expect(await rig.driver.readBoard(b)).toHaveLength(rig.driver.settings.boards[0]?.locks ?? 0);
    });

    it('rejects a garbled reply as a bad frame and changes no state', async () => {
      const [b] = rig.boards;
      await rig.driver.readAll();
      const before = rig.driver.monitor.snapshot();
      rig.sim.garble(b);
      expect(await codeOf(rig.driver.readBoard(b))).toBe('BAD_FRAME');
      await scans(rig);
      rig.sim.garble(b, false);
      await scans(rig);
      expect(rig.events.door).toEqual([]);
      expect(rig.events.board).toEqual([]);
      expect(rig.driver.monitor.snapshot()).toEqual(before);
    });

    it('rejects a truncated reply as a bad frame and then reads the board correctly', async () => {
      const [b] = rig.boards;
      rig.sim.truncate(b);
      expect(await codeOf(rig.driver.readBoard(b))).toBe('BAD_FRAME');
      rig.sim.truncate(b, false);
      rig.sim.setDoor(b, 2, 'open');
      const readings = await rig.driver.readBoard(b);
      expect(readings[1]?.door).toBe('open');
    });

    it('never takes a late reply for the answer to the next request', async () => {
      const [b, other] = rig.boards;
      // Without polls, the only request to board b is this one, so its late reply is the only stray frame.
      await rig.driver.monitor.stop();
      rig.sim.slow(600, b);
      expect(await codeOf(rig.driver.readBoard(b))).toBe('LOCK_TIMEOUT');
      rig.sim.slow(0, b);
      rig.sim.slow(250, other);
      rig.sim.setDoor(other, 1, 'open');
      // Sent while board b's late reply is still on its way: that reply must be skipped, not taken.
      const readings = await rig.driver.readBoard(other);
      expect(readings.map((r) => r.board)).toEqual(readings.map(() => other));
      expect(readings[0]?.door).toBe('open');
      expect(rig.driver.stats?.unsolicited).toBeGreaterThanOrEqual(1);
    });

    it('reads the lock before resending an unlock whose reply was lost, and does not resend an opened door', async () => {
      const [b] = rig.boards;
      rig.sim.slow(1800, b);
      const pending = rig.driver.unlock({ board: b, lock: 6 });
      await waitFor(() => rig.sim.frames.some((f) => f.request.op === 'unlock'), 'the unlock frame');
      // The board acted but its reply is late; answer the status read promptly.
      rig.sim.slow(0, b);
      const result = await pending;
      expect(result).toEqual({ board: b, lock: 6, confirmed: true, door: 'open' });
      expect(rig.sim.frames.filter((f) => f.request.op === 'unlock')).toHaveLength(1);
    });
  });
}

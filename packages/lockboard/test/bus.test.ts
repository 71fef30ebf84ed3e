import { isLockerError } from '@locker/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { LockBoardDriver } from '../src/driver.js';
import { parseBusSettings } from '../src/settings.js';
import type { BoardSimulator } from '../src/simulator/board-simulator.js';

const settings = {
  family: 'xor8a' as const,
  port: 'sim:',
  boards: [
    { address: 1, locks: 16 },
    { address: 2, locks: 16 },
  ],
  pollIntervalMs: 0,
  timeouts: { unlockMs: 1500, statusMs: 1500, drainMs: 20, silenceMs: 80, confirmMs: 10 },
};

let driver: LockBoardDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

async function started(extra: Partial<typeof settings> & { simulator?: { replyDelayMs: number } } = {}) {
  driver = new LockBoardDriver({ ...settings, ...extra });
  await driver.start();
  return { d: driver, sim: driver.simulator as BoardSimulator };
}

describe('the bus scheduler', () => {
  it('puts an unlock ahead of reads that were queued before it', async () => {
    const { d, sim } = await started({ simulator: { replyDelayMs: 30 } });
    const reads = [d.readBoard(1), d.readBoard(2), d.readBoard(1), d.readBoard(2)];
    const unlock = d.unlock({ board: 2, lock: 7 });
    await Promise.all([...reads, unlock]);
    const ops = sim.frames.map((f) => f.request.op);
    // The first read was already on the wire; the unlock goes next, before the three waiting reads.
    expect(ops.slice(0, 2)).toEqual(['query-all', 'unlock']);
    expect(ops.filter((o) => o === 'query-all')).toHaveLength(4);
  });

  it('runs one transaction at a time even when callers ask concurrently', async () => {
    const { d, sim } = await started({ simulator: { replyDelayMs: 5 } });
    const replied: number[] = [];
    sim.onTransmit(() => replied.push(sim.frames.length));
    await Promise.all(Array.from({ length: 10 }, (_, i) => d.readBoard(i % 2 === 0 ? 1 : 2)));
    // Each reply went out while exactly one more request had been received than replies sent.
    expect(replied).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('drains the line after a bad frame before the next request', async () => {
    const { d, sim } = await started();
    sim.garble(1);
    await d.readBoard(1).catch(() => undefined);
    sim.garble(1, false);
    // Noise arriving after the failed request must not be read as part of the next reply.
    sim.inject(Buffer.from([0x80, 0x01, 0xff]));
    const readings = await d.readBoard(1);
    expect(readings).toHaveLength(16);
    expect(d.stats?.drains).toBeGreaterThanOrEqual(2);
  });

  it('fails queued requests with BUS_CLOSED when the driver stops', async () => {
    const { d } = await started({ simulator: { replyDelayMs: 200 } });
    const pending = [d.readBoard(1), d.readBoard(2)];
    await d.stop();
    driver = undefined;
    const codes = await Promise.all(
      pending.map((p) => p.then(() => 'ok').catch((e) => (isLockerError(e) ? e.code : 'other'))),
    );
    expect(codes).toEqual(['BUS_CLOSED', 'BUS_CLOSED']);
  });

  it('refuses requests before start with BUS_CLOSED', async () => {
    const d = new LockBoardDriver(settings);
    await expect(d.readBoard(1)).rejects.toMatchObject({ code: 'BUS_CLOSED' });
  });

  it('refuses a lock that is not on the board without touching the bus', async () => {
    const { d, sim } = await started();
    await expect(d.unlock({ board: 1, lock: 17 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(d.unlock({ board: 9, lock: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(sim.frames).toEqual([]);
  });

  it('opens several locks with one multi-open frame on xor8a boards', async () => {
    const { d, sim } = await started();
    await d.multiOpen(1, [2, 4]);
    expect(sim.frames.map((f) => f.hex)).toEqual(['90 01 0A 00 00 9B']);
    expect(sim.state(1, 2).door).toBe('open');
    expect(sim.state(1, 4).door).toBe('open');
    expect(sim.state(1, 3).door).toBe('closed');
  });

  it('unlocks every lock of a board with unlock-all', async () => {
    const { d, sim } = await started();
    await d.unlockAll(2);
    expect(sim.frames.map((f) => f.hex)).toEqual(['8A 02 00 11 99']);
    expect((await d.readBoard(2)).every((r) => r.door === 'open')).toBe(true);
  });
});

describe('bus settings', () => {
  it('fills in defaults and keeps polarity as configuration', () => {
    const s = parseBusSettings({
      family: 'kerong',
      port: '/dev/ttyUSB0',
      boards: [{ address: 0, locks: 16 }],
    });
    expect(s.timeouts.statusMs).toBeGreaterThan(0);
    expect(s.pollIntervalMs).toBe(2);
    expect(s.feedback).toBe('closing');
  });

  it('rejects board addresses and lock counts the family cannot have, with a coded error', () => {
    expect(() =>
      parseBusSettings({ family: 'kerong', port: 'sim:', boards: [{ address: 16, locks: 20 }] }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() =>
      parseBusSettings({
        family: 'xor8a',
        port: 'sim:',
        boards: [
          { address: 1, locks: 8 },
          { address: 1, locks: 8 },
        ],
      }),
    ).toThrow(/duplicate/);
  });

  it('maps both encodings from one feedback mode, end to end through the simulator', async () => {
    const { d, sim } = await started();
    // Closing feedback: a shut door is a clear bit in the bitmask and 11 in a query-one reply.
    expect((await d.readBoard(1)).every((r) => r.door === 'closed')).toBe(true);
    expect((await d.readLock({ board: 1, lock: 2 })).door).toBe('closed');
    expect(sim.transmitted.slice(0, 2)).toEqual(['80 01 00 00 00 33 B2', '80 01 02 11 92']);
    await d.stop();
    const inverted = new LockBoardDriver({ ...settings, feedback: 'opening' });
    driver = inverted;
    await inverted.start();
    const isim = inverted.simulator as BoardSimulator;
    isim.setDoor(1, 2, 'open');
    const doors = await inverted.readBoard(1);
    expect(doors.filter((r) => r.door === 'open').map((r) => r.lock)).toEqual([2]);
    expect((await inverted.readLock({ board: 1, lock: 2 })).door).toBe('open');
    expect(isim.transmitted.slice(0, 2)).toEqual(['80 01 00 FF FD 33 B0', '80 01 02 11 92']);
  });

  it('refuses the old door polarity setting with CONFIG_INVALID that names its replacement', () => {
    expect(() => parseBusSettings({ ...settings, polarity: { door: 'open_when_set' } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/feedback/) }),
    );
  });
});

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
    expect(sim.frames.map((f) => f.hex)).toEqual(['90 01 02 02 04 95']);
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
    expect(s.pollIntervalMs).toBe(200);
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

  it('reads the door sensor with inverted polarity when configured so', async () => {
    const { d, sim } = await started();
    // Default xor8a polarity: a set bit means closed, so closed doors go out as FF FF.
    expect((await d.readBoard(1)).every((r) => r.door === 'closed')).toBe(true);
    expect(sim.transmitted[0]).toBe('80 01 00 FF FF 33 B2');
    await d.stop();
    const inverted = new LockBoardDriver({ ...settings, polarity: { door: 'open_when_set' } });
    driver = inverted;
    await inverted.start();
    // The simulator shares the driver's polarity, so a closed door still reads closed end to end.
    expect((await inverted.readBoard(1)).every((r) => r.door === 'closed')).toBe(true);
    expect((inverted.simulator as BoardSimulator).transmitted[0]).toBe('80 01 00 00 00 33 B2');
  });
});

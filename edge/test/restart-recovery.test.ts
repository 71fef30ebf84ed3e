import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoardSimulator } from '@locker/lockboard';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseEdgeConfig } from '../src/config.js';
import { EdgeDaemon } from '../src/daemon.js';
import { CABINET, courierDoc } from './support/cabinet.js';

const boards = [{ address: 0, locks: 4 }];

describe('restart reconciliation after a power cut', () => {
  let dir: string;
  let sim: BoardSimulator;
  let daemon: EdgeDaemon | undefined;
  const start = async () => {
    const config = parseEdgeConfig({
      cabinetId: CABINET,
      dataDir: dir,
      logLevel: 'silent',
      bus: { family: 'kerong', port: 'sim:', boards, pollIntervalMs: 20 },
      boxes: [1, 2, 3, 4].map((n) => ({ boxNo: `0${n}`, board: 0, lock: n, size: 'medium' })),
      kiosk: { enabled: false },
      flows: { sweepIntervalMs: 50 },
    });
    daemon = new EdgeDaemon(config, { logger: pino({ level: 'silent' }), driver: { simulator: sim } });
    await daemon.start();
    return daemon;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'locker-restart-'));
    sim = new BoardSimulator({ family: 'kerong', boards });
  });
  afterEach(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never unlocks a door on its own after a restart, even for a deposit left shut and empty', async () => {
    const first = await start();
    first.desired.apply(await courierDoc());
    const res = await first.kioskApp.inject({
      method: 'POST',
      url: '/api/deposits',
      payload: { courierId: 'C-1001', pin: '4711', size: 'medium' },
    });
    const session = res.json() as { id: string; state: string; boxNo: string };
    expect(session).toMatchObject({ state: 'door_open', boxNo: '01' });
    // The power goes before the courier puts anything in; the door is pushed shut meanwhile.
    await first.stop();
    daemon = undefined;
    sim.setDoor(0, 1, 'closed');
    sim.clearLog();

    const second = await start();
    expect(second.boxes.get('01')).toMatchObject({ door: 'closed', occupancy: 'empty' });
    // Several sweeps pass: the inherited deposit ends as abandoned (no parcel, ADR 0011), and no frame
    // opens a door.
    await expect.poll(() => second.flows.get(session.id).state, { timeout: 5_000 }).toBe('cancelled');
    expect(second.flows.get(session.id).abandoned).toBe(true);
    const framesSoFar = sim.frames.length;
    await expect.poll(() => sim.frames.length, { timeout: 5_000 }).toBeGreaterThan(framesSoFar + 20);
    expect(sim.frames.filter((f) => f.request.op === 'unlock')).toEqual([]);
    expect(sim.state(0, 1).door).toBe('closed');
    expect(second.boxes.get('01').door).toBe('closed');
  });
});

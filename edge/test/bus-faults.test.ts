import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { courierDoc } from './support/cabinet.js';
import { type PtyCabinet, startPtyCabinet } from './support/pty-cabinet.js';

const unlocks = (c: PtyCabinet, board?: number) =>
  c.sim.frames.filter((f) => f.request.op === 'unlock' && (board === undefined || f.request.board === board));
const courier = { courierId: 'C-1001', pin: '4711' };
const activeKinds = (c: PtyCabinet) => c.daemon.alarms.active().map((a) => a.kind);
const freeBySize = async (c: PtyCabinet) => {
  const sizes = (await c.call('GET', '/api/cabinet')).body.sizes as Array<{ size: string; free: number }>;
  return Object.fromEntries(sizes.map((s) => [s.size, s.free]));
};

describe('lock-bus faults on the real serialport stack over a socat pty', () => {
  let c: PtyCabinet;
  beforeEach(async () => {
    c = await startPtyCabinet();
    c.daemon.desired.apply(await courierDoc());
  });
  afterEach(async () => {
    await c.close();
  });

  it('raises bus_down and refuses flows with BUS_DOWN while socat is gone, then clears it and serves again', async () => {
    const opened = await c.call('POST', '/api/deposits', { ...courier, size: 'medium' });
    expect(opened.body).toMatchObject({ state: 'door_open', boxNo: '05' });
    expect((await c.call('GET', '/health')).body).toMatchObject({ status: 'ok', reasons: [] });

    await c.link.unplug();
    await expect.poll(() => activeKinds(c), { timeout: 10_000 }).toContain('bus_down');
    const health = (await c.call('GET', '/health')).body;
    expect(health).toMatchObject({ status: 'degraded', bus: { state: 'down' } });
    expect(health.reasons).toContain('bus_down');
    expect(await c.text('/metrics')).toMatch(/^locker_edge_serial_bus_up 0$/m);

    const before = unlocks(c).length;
    const refused = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('BUS_DOWN');
    // The screen offers no box while no door can be opened.
    expect(await freeBySize(c)).toEqual({ small: 0, medium: 0, large: 0 });
    // The courier shuts box 05 with the parcel inside while the link is gone.
    c.sim.setOccupied(0, 5, true);
    c.sim.setDoor(0, 5, 'closed');

    await c.link.replug();
    await expect.poll(() => c.daemon.driver.busState, { timeout: 15_000 }).toBe('up');
    // Every board was read before the bus was called up: the store already knows box 05 is shut.
    expect(c.daemon.boxes.get('05')).toMatchObject({ door: 'closed', occupancy: 'occupied' });
    expect(activeKinds(c)).not.toContain('bus_down');
    expect((await c.call('GET', '/health')).body).toMatchObject({ status: 'ok', bus: { reconnects: 1 } });
    expect(await c.text('/metrics')).toMatch(/^locker_edge_serial_bus_up 1$/m);
    // Nothing refused was queued to run late.
    expect(unlocks(c)).toHaveLength(before);

    const served = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
    expect(served.body).toMatchObject({ state: 'door_open', boxNo: '01' });
    expect(unlocks(c)).toHaveLength(before + 1);
    const types = c.daemon.outbox.all().map((e) => e.type);
    expect(types.filter((t) => t === 'alarm.raised' || t === 'alarm.cleared')).toEqual([
      'alarm.raised',
      'alarm.cleared',
    ]);
  }, 60_000);

  it('sends a silent board no unlock frame, offers none of its boxes, and says BOARD_UNREACHABLE', async () => {
    c.sim.silence(1);
    await expect.poll(() => activeKinds(c), { timeout: 10_000 }).toContain('board_unreachable');
    c.sim.clearLog();

    expect(await freeBySize(c)).toEqual({ small: 4, medium: 4, large: 0 });
    const refused = await c.call('POST', '/api/deposits', { ...courier, size: 'large' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('BOARD_UNREACHABLE');
    const health = (await c.call('GET', '/health')).body;
    expect(health).toMatchObject({ status: 'degraded', bus: { unreachableBoards: [1] } });
    // An operator's command is refused the same way: no frame goes to a board that does not answer.
    await expect(c.daemon.lock.open('09', 'command')).rejects.toMatchObject({ code: 'BOARD_UNREACHABLE' });
    expect(unlocks(c, 1)).toHaveLength(0);

    // The rest of the cabinet works, and the board returns once a probe is answered.
    const small = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
    expect(small.body).toMatchObject({ state: 'door_open', boxNo: '01' });
    c.sim.silence(1, false);
    await expect.poll(() => activeKinds(c), { timeout: 10_000 }).not.toContain('board_unreachable');
    const large = await c.call('POST', '/api/deposits', { ...courier, size: 'large' });
    expect(large.body).toMatchObject({ state: 'door_open', boxNo: '09' });
    expect(unlocks(c, 1)).toHaveLength(1);
  }, 60_000);

  it('unlocks at most 2 doors for one deposit on a miswired cabinet, then trips sensor_fault', async () => {
    for (const board of [0, 1]) for (let lock = 1; lock <= 8; lock++) c.sim.jam(board, lock);
    c.sim.clearLog();
    const first = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
    expect(first.body).toMatchObject({ state: 'failed', error: { code: 'OPEN_NOT_DETECTED' } });
    expect(unlocks(c)).toHaveLength(2);
    const second = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
    expect(second.body).toMatchObject({ state: 'failed', error: { code: 'SENSOR_FAULT' } });
    expect(unlocks(c)).toHaveLength(3);
    expect(activeKinds(c)).toContain('sensor_fault');
    expect((await c.call('GET', '/health')).body.reasons).toContain('sensor_fault');
  }, 60_000);
});

describe('a cabinet booted before its serial adapter is plugged in', () => {
  it('starts with the bus down and nothing offered, then serves once the port appears', async () => {
    const c = await startPtyCabinet({ unplugged: true });
    try {
      c.daemon.desired.apply(await courierDoc());
      expect(c.daemon.driver.busState).toBe('down');
      expect(activeKinds(c)).toContain('bus_down');
      const health = (await c.call('GET', '/health')).body;
      expect(health).toMatchObject({ status: 'degraded', bus: { state: 'down' } });
      expect(await freeBySize(c)).toEqual({ small: 0, medium: 0, large: 0 });
      const refused = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('BUS_DOWN');

      await c.link.replug();
      await expect.poll(() => c.daemon.driver.busState, { timeout: 15_000 }).toBe('up');
      expect(activeKinds(c)).not.toContain('bus_down');
      await expect.poll(() => freeBySize(c), { timeout: 10_000 }).toEqual({ small: 4, medium: 4, large: 8 });
      // The boards were never read before the port appeared; they are now, and nothing was queued.
      expect(unlocks(c)).toHaveLength(0);
      const served = await c.call('POST', '/api/deposits', { ...courier, size: 'small' });
      expect(served.body).toMatchObject({ state: 'door_open', boxNo: '01' });
      expect(unlocks(c)).toHaveLength(1);
    } finally {
      await c.close();
    }
  }, 60_000);
});

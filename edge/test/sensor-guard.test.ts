import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  courierDoc,
  deposit,
  startCabinet,
  type TestCabinet,
  takeParcelAndClose,
} from './support/cabinet.js';

const unlockFrames = (c: TestCabinet) => c.sim.frames.filter((f) => f.request.op === 'unlock');
const depositBody = { courierId: 'C-1001', pin: '4711', size: 'medium' };

describe('the sensor fail-safe', () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
  });
  afterEach(async () => {
    await c.close();
  });

  /** A miswired cabinet: whatever is unlocked, every door still reads closed. */
  const miswire = () => {
    for (let lock = 1; lock <= 16; lock++) c.sim.jam(0, lock);
  };

  it('lets one deposit unlock at most 2 boxes on a miswired cabinet, then trips sensor_fault on the next', async () => {
    miswire();
    c.sim.clearLog();
    const first = await c.call('POST', '/api/deposits', depositBody);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ state: 'failed', error: { code: 'OPEN_NOT_DETECTED' } });
    expect(first.body.boxesTried).toEqual(['07', '08']);
    expect(unlockFrames(c)).toHaveLength(2);
    expect(c.daemon.guard.tripped).toBe(false);

    const second = await c.call('POST', '/api/deposits', depositBody);
    expect(second.body).toMatchObject({ state: 'failed', error: { code: 'SENSOR_FAULT' } });
    expect(second.body.message).toMatch(/out of order/);
    expect(unlockFrames(c)).toHaveLength(3);
    expect(c.daemon.alarms.active().map((a) => a.kind)).toContain('sensor_fault');

    const third = await c.call('POST', '/api/deposits', depositBody);
    expect(third.status).toBe(503);
    expect(third.body.error.code).toBe('SENSOR_FAULT');
    const pickup = await c.call('POST', '/api/pickups', { code: '123456' });
    expect(pickup.status).toBe(503);
    expect(pickup.body.error.code).toBe('SENSOR_FAULT');
    expect(unlockFrames(c)).toHaveLength(3);
  });

  it('still lets an operator open a door while tripped, and a confirmed open clears the fault', async () => {
    miswire();
    await c.call('POST', '/api/deposits', depositBody);
    await c.call('POST', '/api/deposits', depositBody);
    expect(c.daemon.guard.tripped).toBe(true);

    c.sim.jam(0, 3, false);
    const opened = await c.daemon.lock.open('03', 'command');
    expect(opened.confirmed).toBe(true);
    expect(c.sim.state(0, 3).door).toBe('open');
    expect(c.daemon.guard.tripped).toBe(false);
    expect(c.daemon.alarms.active().map((a) => a.kind)).not.toContain('sensor_fault');
    takeParcelAndClose(c, '03');

    for (let lock = 1; lock <= 16; lock++) c.sim.jam(0, lock, false);
    await expect.poll(() => c.daemon.boxes.get('03').door).toBe('closed');
    const done = await deposit(c, 'small');
    expect(done.state).toBe('completed');
  });

  it('counts only consecutive misses: a door seen open in between starts the count again', async () => {
    c.sim.jam(0, 7);
    const a = await c.call('POST', '/api/deposits', depositBody);
    expect(a.body).toMatchObject({ state: 'door_open', boxNo: '08' });
    expect(c.daemon.guard.streak).toBe(0);
    c.sim.jam(0, 9);
    c.sim.jam(0, 10);
    const b = await c.call('POST', '/api/deposits', depositBody);
    expect(b.body).toMatchObject({ state: 'failed', boxesTried: ['09', '10'] });
    expect(c.daemon.guard.streak).toBe(2);
    expect(c.daemon.guard.tripped).toBe(false);
  });
});

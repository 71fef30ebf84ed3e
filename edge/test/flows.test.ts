import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  courierDoc,
  deposit,
  putParcelAndClose,
  startCabinet,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

describe('the cabinet flows through the kiosk API', () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
  });
  afterEach(async () => {
    await c.close();
  });

  it('deposits a parcel for a courier, issues a pickup code, and the code picks it up', async () => {
    const done = await deposit(c, 'medium');
    expect(done.boxNo).toBe('07');
    expect(done.pickupCode).toMatch(/^[0-9]{6}$/);
    expect(done.pickupToken).toBeTruthy();
    expect(c.daemon.boxes.get('07').usage).toBe('occupied');

    const res = await c.call('POST', '/api/pickups', { code: done.pickupCode });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'pickup', state: 'door_open', boxNo: '07' });
    expect(c.sim.frames.filter((f) => f.request.op === 'unlock').at(-1)?.request).toMatchObject({
      board: 0,
      lock: 7,
    });
    takeParcelAndClose(c, '07');
    const picked = await waitForSession(c, res.body.id, 'completed');
    expect(picked.parcelId).toBe(done.parcelId);
    expect(c.daemon.boxes.get('07').usage).toBe('free');

    const types = c.daemon.outbox.all().filter((e) => e.type.startsWith('parcel.'));
    expect(types.map((e) => e.type)).toEqual(['parcel.deposited', 'parcel.picked_up']);
  });

  it('picks up with the scanned QR token as well as with the code', async () => {
    const done = await deposit(c, 'small');
    const res = await c.call('POST', '/api/pickups', { token: done.pickupToken });
    expect(res.status).toBe(201);
    takeParcelAndClose(c, done.boxNo as string);
    await waitForSession(c, res.body.id, 'completed');
    const again = await c.call('POST', '/api/pickups', { code: done.pickupCode });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('CODE_USED');
  });

  it('gives the next box when the first door does not open, and marks the first one blocked with an alarm', async () => {
    c.sim.jam(0, 7);
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'medium' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'door_open', boxNo: '08', boxesTried: ['07'] });
    expect(c.daemon.boxes.get('07').usage).toBe('blocked');
    expect(c.daemon.alarms.active().map((a) => a.kind)).toContain('open_not_detected');
  });

  it('fails a pickup whose door does not open, keeps the code valid, and tells the person clearly', async () => {
    const done = await deposit(c, 'medium');
    c.sim.jam(0, 7);
    const res = await c.call('POST', '/api/pickups', { code: done.pickupCode });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'failed', error: { code: 'OPEN_NOT_DETECTED' } });
    expect(res.body.message).toMatch(/still valid/);
    expect(c.daemon.parcels.get(done.parcelId as string)?.state).toBe('deposited');
  });

  it('moves a deposit to a larger box when the courier reports the box too small', async () => {
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'small' });
    expect(res.body.boxNo).toBe('01');
    c.sim.setDoor(0, 1, 'closed');
    const moved = await c.call('POST', `/api/sessions/${res.body.id}/problem`, { problem: 'too_small' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ state: 'door_open', boxNo: '07', size: 'medium', boxesTried: ['01'] });
    expect(c.daemon.boxes.get('01').usage).toBe('free');
    putParcelAndClose(c, '07');
    const done = await waitForSession(c, res.body.id, 'completed');
    expect(done.boxNo).toBe('07');
  });

  it('marks a box reported occupied as blocked and a broken one out of service, giving another box each time', async () => {
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'large' });
    expect(res.body.boxNo).toBe('13');
    const a = await c.call('POST', `/api/sessions/${res.body.id}/problem`, { problem: 'box_occupied' });
    expect(a.body.boxNo).toBe('14');
    const b = await c.call('POST', `/api/sessions/${res.body.id}/problem`, { problem: 'box_broken' });
    expect(b.body.boxNo).toBe('15');
    expect(c.daemon.boxes.get('13').usage).toBe('blocked');
    expect(c.daemon.boxes.get('14').usage).toBe('out_of_service');
  });

  it('answers NO_BOX_AVAILABLE with a clear message when every box of the size and larger is taken', async () => {
    for (let i = 0; i < 4; i++) await deposit(c, 'large');
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'large' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NO_BOX_AVAILABLE');
  });

  it('opens the box again once when a deposit door is closed on an empty box', async () => {
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'medium' });
    c.sim.setDoor(0, 7, 'closed');
    await expect.poll(() => c.sim.state(0, 7).door, { timeout: 10_000 }).toBe('open');
    putParcelAndClose(c, '07');
    await waitForSession(c, res.body.id, 'completed');
  });

  it('cancels an unused session and frees its box for the next courier', async () => {
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'medium' });
    c.sim.setDoor(0, 7, 'closed');
    const cancelled = await c.call('POST', `/api/sessions/${res.body.id}/cancel`);
    expect(cancelled.body.state).toBe('cancelled');
    const again = await c.call('POST', `/api/sessions/${res.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SESSION_CLOSED');
  });

  it('raises a forced-open alarm for a door opened without a command and clears it when the door closes', async () => {
    c.sim.forceOpen(0, 3);
    await expect
      .poll(() => c.daemon.alarms.active().map((a) => a.kind), { timeout: 10_000 })
      .toContain('forced_open');
    c.sim.setDoor(0, 3, 'closed');
    await expect.poll(() => c.daemon.alarms.active().length, { timeout: 10_000 }).toBe(0);
    expect(
      c.daemon.outbox
        .all()
        .filter((e) => e.type.startsWith('alarm.'))
        .map((e) => e.type),
    ).toEqual(['alarm.raised', 'alarm.cleared']);
  });

  it('raises board unreachable when the board goes silent and clears it when it answers again', async () => {
    c.sim.silence(0);
    await expect
      .poll(() => c.daemon.alarms.active().map((a) => a.kind), { timeout: 10_000 })
      .toContain('board_unreachable');
    c.sim.silence(0, false);
    await expect.poll(() => c.daemon.alarms.active().length, { timeout: 10_000 }).toBe(0);
  });

  it('locks out a courier after repeated wrong PINs with a clear message and an alarm', async () => {
    for (let i = 0; i < 4; i++) {
      const r = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '0000', size: 'medium' });
      expect(r.body.error.code).toBe('CREDENTIAL_INVALID');
    }
    const fifth = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '0000', size: 'medium' });
    expect(fifth.body.error.code).toBe('CREDENTIAL_INVALID');
    const locked = await c.call('POST', '/api/deposits', {
      courierId: 'C-1001',
      pin: '4711',
      size: 'medium',
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ code: 'CODE_LOCKED_OUT' });
    expect(locked.body.error.message).toMatch(/locked/);
    expect(c.daemon.alarms.active().map((a) => a.kind)).toContain('code_lockout');
  });

  it('slows code entry for the whole cabinet after too many wrong pickup codes', async () => {
    await c.close();
    c = await startCabinet({
      attempts: { perCabinet: 3, perCredential: 5, windowSec: 600, lockoutSec: 60, cabinetDelayMaxSec: 60 },
    });
    for (const code of ['111111', '222222', '333333']) {
      expect((await c.call('POST', '/api/pickups', { code })).body.error.code).toBe('CODE_INVALID');
    }
    const res = await c.call('POST', '/api/pickups', { code: '444444' });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('CODE_ENTRY_SLOWED');
    expect((await c.call('GET', '/api/cabinet')).body.slowdown).not.toBeNull();
  });

  it('expires a parcel not collected in time and refuses its code as expired', async () => {
    const done = await deposit(c, 'medium');
    const expiryMs = c.daemon.config.flows.parcelExpiryHours * 3_600_000;
    // The sweep takes the time: an hour before expiry nothing happens, a minute after it the parcel expires.
    c.daemon.flows.sweep(Date.now() + expiryMs - 3_600_000);
    expect(c.daemon.parcels.get(done.parcelId as string)?.state).toBe('deposited');
    c.daemon.flows.sweep(Date.now() + expiryMs + 60_000);
    expect(c.daemon.parcels.get(done.parcelId as string)?.state).toBe('expired');
    const res = await c.call('POST', '/api/pickups', { code: done.pickupCode });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('CODE_EXPIRED');
    expect(c.daemon.outbox.all().map((e) => e.type)).toContain('parcel.expired');
  });

  it('raises door-left-open after the configured time and clears it when the door closes', async () => {
    const res = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'medium' });
    const limitMs = c.daemon.config.alarms.doorOpenSec * 1000;
    c.daemon.alarmWatch.sweep(Date.now() + limitMs - 1000);
    expect(c.daemon.alarms.active().map((a) => a.kind)).not.toContain('door_left_open');
    c.daemon.alarmWatch.sweep(Date.now() + limitMs + 1000);
    expect(c.daemon.alarms.active().map((a) => a.kind)).toContain('door_left_open');
    putParcelAndClose(c, res.body.boxNo as string);
    await waitForSession(c, res.body.id, 'completed');
    await expect.poll(() => c.daemon.alarms.active().length, { timeout: 10_000 }).toBe(0);
  });
});

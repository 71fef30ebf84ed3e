import { makeVerifier } from '@locker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  courierDoc,
  deposit,
  startCabinet,
  TEST_COST,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

const DAY = 86_400_000;

/** C-1001 (company B) deposits in the tests; C-1002 is a colleague, C-2001 works for another company. */
async function couriers() {
  const pin = await makeVerifier('4711', TEST_COST);
  return courierDoc(1, {
    couriers: [
      { courierId: 'C-1001', name: 'Zheng', company: 'B', pin },
      { courierId: 'C-1002', name: 'Li', company: 'B', pin },
      { courierId: 'C-2001', name: 'Wang', company: 'X', pin },
      { courierId: 'C-3001', name: 'Solo', pin },
    ],
  });
}

const as = (courierId: string, pin = '4711') => ({ courierId, pin });

describe('couriers take expired parcels back through the kiosk API', () => {
  let c: TestCabinet;
  /** Moves the cabinet's clock past every parcel's expiry, as the sweep would days later. */
  const expireAll = () => c.daemon.parcels.expireDue(new Date(Date.now() + 4 * DAY).toISOString());

  beforeEach(async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await couriers());
  });
  afterEach(async () => {
    await c.close();
  });

  it('walks the courier through each box with an expired parcel and frees every box', async () => {
    const first = await deposit(c, 'medium');
    const second = await deposit(c, 'medium');
    expireAll();
    expect((await c.call('POST', '/api/recollections/count', as('C-1001'))).body).toEqual({ count: 2 });

    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'recollect',
      state: 'door_open',
      boxNo: '07',
      parcelId: first.parcelId,
      remaining: 1,
    });
    takeParcelAndClose(c, '07');
    await expect
      .poll(async () => (await c.call('GET', `/api/sessions/${res.body.id}`)).body, { timeout: 10_000 })
      .toMatchObject({ state: 'door_open', boxNo: '08', parcelId: second.parcelId, remaining: 0 });
    takeParcelAndClose(c, '08');
    const done = await waitForSession(c, res.body.id, 'completed');
    expect(done.message).toMatch(/2 parcels taken back/);

    expect(c.daemon.boxes.get('07').usage).toBe('free');
    expect(c.daemon.boxes.get('08').usage).toBe('free');
    expect(c.daemon.parcels.get(first.parcelId as string)?.state).toBe('recollected');
    expect(c.daemon.parcels.get(second.parcelId as string)?.state).toBe('recollected');
    expect((await c.call('POST', '/api/recollections/count', as('C-1001'))).body).toEqual({ count: 0 });
  });

  it('keeps the events in order in the outbox, each box change right after its recollection', async () => {
    const first = await deposit(c, 'medium');
    const second = await deposit(c, 'medium');
    expireAll();
    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    takeParcelAndClose(c, '07');
    await expect
      .poll(async () => (await c.call('GET', `/api/sessions/${res.body.id}`)).body.boxNo, { timeout: 10_000 })
      .toBe('08');
    takeParcelAndClose(c, '08');
    await waitForSession(c, res.body.id, 'completed');

    const events = c.daemon.outbox.all();
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const parcels = events.filter((e) => e.type.startsWith('parcel.'));
    expect(parcels.map((e) => [e.type, (e.data as { parcelId: string }).parcelId])).toEqual([
      ['parcel.deposited', first.parcelId],
      ['parcel.deposited', second.parcelId],
      ['parcel.expired', first.parcelId],
      ['parcel.expired', second.parcelId],
      ['parcel.recollected', first.parcelId],
      ['parcel.recollected', second.parcelId],
    ]);
    for (const r of events.filter((e) => e.type === 'parcel.recollected')) {
      expect(r.data).toEqual({
        boxNo: (r.data as { boxNo: string }).boxNo,
        parcelId: (r.data as { parcelId: string }).parcelId,
        courierId: 'C-1001',
      });
      const after = events[events.indexOf(r) + 1];
      expect(after).toMatchObject({ type: 'box.state_changed', data: { usage: 'free', cause: 'flow' } });
    }
  });

  it('keeps answering CODE_EXPIRED for the pickup code of a recollected parcel', async () => {
    const done = await deposit(c, 'small');
    expireAll();
    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    takeParcelAndClose(c, done.boxNo as string);
    await waitForSession(c, res.body.id, 'completed');
    const pickup = await c.call('POST', '/api/pickups', { code: done.pickupCode });
    expect(pickup.status).toBe(410);
    expect(pickup.body.error.code).toBe('CODE_EXPIRED');
  });

  it('refuses a wrong PIN and locks the courier out after repeated tries, as deposits do', async () => {
    await deposit(c, 'medium');
    expireAll();
    for (let i = 0; i < 5; i++) {
      const wrong = await c.call('POST', '/api/recollections', as('C-1001', '0000'));
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('CREDENTIAL_INVALID');
    }
    const locked = await c.call('POST', '/api/recollections', as('C-1001'));
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('CODE_LOCKED_OUT');
    const count = await c.call('POST', '/api/recollections/count', as('C-1001'));
    expect(count.body.error.code).toBe('CODE_LOCKED_OUT');
    expect(c.daemon.boxes.get('07').usage).toBe('occupied');
  });

  it('refuses a body with unknown fields or a missing PIN with VALIDATION_FAILED and opens nothing', async () => {
    await deposit(c, 'medium');
    expireAll();
    for (const body of [{ ...as('C-1001'), size: 'medium' }, { courierId: 'C-1001' }, { pin: '4711' }]) {
      const res = await c.call('POST', '/api/recollections', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect(c.daemon.sessions.active()).toEqual([]);
    expect(c.daemon.boxes.get('07').usage).toBe('occupied');
  });

  it('answers NOTHING_TO_RECOLLECT when no parcel of the courier has expired', async () => {
    await deposit(c, 'medium');
    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOTHING_TO_RECOLLECT');
    expect(res.body.error.message).toMatch(/no expired parcels/);
    expect(c.daemon.sessions.active()).toEqual([]);
  });

  it("refuses another company's courier and a courier without a company, but lets a colleague take it", async () => {
    const done = await deposit(c, 'medium');
    expireAll();
    for (const other of ['C-2001', 'C-3001']) {
      const refused = await c.call('POST', '/api/recollections', as(other));
      expect(refused.status).toBe(404);
      expect(refused.body.error.code).toBe('NOTHING_TO_RECOLLECT');
    }
    expect(c.sim.frames.filter((f) => f.request.op === 'unlock')).toHaveLength(1);

    const colleague = await c.call('POST', '/api/recollections', as('C-1002'));
    expect(colleague.status).toBe(201);
    expect(colleague.body).toMatchObject({ boxNo: done.boxNo, parcelId: done.parcelId });
    takeParcelAndClose(c, done.boxNo as string);
    await waitForSession(c, colleague.body.id, 'completed');
    const event = c.daemon.outbox.all().find((e) => e.type === 'parcel.recollected');
    expect(event?.data).toMatchObject({ parcelId: done.parcelId, courierId: 'C-1002' });
  });

  it('marks a box whose door did not open and moves on to the next expired parcel', async () => {
    const first = await deposit(c, 'medium');
    await deposit(c, 'medium');
    expireAll();
    c.sim.jam(0, 7);
    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ state: 'door_open', boxNo: '08', boxesTried: ['07'] });
    expect(c.daemon.boxes.get('07').usage).toBe('blocked');
    expect(c.daemon.alarms.active().map((a) => a.kind)).toContain('open_not_detected');
    takeParcelAndClose(c, '08');
    const done = await waitForSession(c, res.body.id, 'completed');
    expect(done.message).toMatch(/1 parcel taken back\. Box 07 could not be opened/);
    expect(c.daemon.parcels.get(first.parcelId as string)?.state).toBe('expired');
  });

  it('fails the session with OPEN_NOT_DETECTED when the only box does not open', async () => {
    const done = await deposit(c, 'medium');
    expireAll();
    c.sim.jam(0, 7);
    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    expect(res.body).toMatchObject({ state: 'failed', boxNo: '07', error: { code: 'OPEN_NOT_DETECTED' } });
    expect(c.daemon.parcels.get(done.parcelId as string)?.state).toBe('expired');
  });

  it('moves on to the next box when the courier reports the box broken', async () => {
    const first = await deposit(c, 'medium');
    await deposit(c, 'medium');
    expireAll();
    const res = await c.call('POST', '/api/recollections', as('C-1001'));
    const moved = await c.call('POST', `/api/sessions/${res.body.id}/problem`, { problem: 'box_broken' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ state: 'door_open', boxNo: '08', boxesTried: ['07'] });
    expect(c.daemon.boxes.get('07').usage).toBe('out_of_service');
    expect(c.daemon.parcels.get(first.parcelId as string)?.state).toBe('expired');
  });
});

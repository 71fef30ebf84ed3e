import { makeVerifier } from '@locker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  courierDoc,
  deposit,
  putParcelAndClose,
  startCabinet,
  TEST_COST,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

describe('the patent flow: a reserved box handed on to a grantee is used at the cabinet', () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
  });
  afterEach(async () => {
    await c.close();
  });

  it('lets courier Wang 13466666666 deposit into large box 13 that Zheng 13488888888 reserved and sold to company A', async () => {
    // Zheng reserved the box: both the cloud and the cabinet record it.
    c.daemon.desired.apply({
      kind: 'snapshot',
      version: 1,
      couriers: [],
      grants: [
        {
          grantId: 'G-1',
          kind: 'deposit',
          boxNo: '13',
          userNo: '13488888888',
          holderNo: '13488888888',
          access: await makeVerifier('55554444', TEST_COST),
          expiresAt: inADay(),
        },
      ],
    });
    expect(c.daemon.boxes.get('13').usage).toBe('reserved');
    // Zheng picks authorizer 0001 (company A), which names its courier on duty: the box's user changes.
    c.daemon.desired.apply({
      kind: 'delta',
      version: 2,
      baseVersion: 1,
      grants: [
        {
          grantId: 'G-1',
          kind: 'deposit',
          boxNo: '13',
          userNo: '13466666666',
          holderNo: '13488888888',
          authorizerId: '0001',
          access: await makeVerifier('82731904', TEST_COST),
          expiresAt: inADay(),
        },
      ],
    });
    const zheng = await c.call('POST', '/api/grants/use', { userNo: '13488888888', code: '55554444' });
    expect(zheng.status).toBe(401);

    const res = await c.call('POST', '/api/grants/use', { userNo: '13466666666', code: '82731904' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'grant_deposit', boxNo: '13', state: 'door_open' });
    putParcelAndClose(c, '13');
    const done = await waitForSession(c, res.body.id, 'completed');
    expect(done.pickupCode).toMatch(/^[0-9]{6}$/);
    const events = c.daemon.outbox.all();
    expect(events.find((e) => e.type === 'grant.used')?.data).toMatchObject({
      grantId: 'G-1',
      userNo: '13466666666',
      kind: 'deposit',
    });
    expect(events.find((e) => e.type === 'parcel.deposited')?.data).toMatchObject({
      boxNo: '13',
      grantId: 'G-1',
      depositor: '13466666666',
    });
    expect(c.daemon.boxes.get('13').usage).toBe('occupied');

    const reuse = await c.call('POST', '/api/grants/use', { userNo: '13466666666', code: '82731904' });
    expect(reuse.status).toBe(401);
  });

  it('lets a grantee take out a parcel with a pickup grant', async () => {
    c.daemon.desired.apply(await courierDoc());
    const dep = await deposit(c, 'medium');
    c.daemon.desired.apply({
      kind: 'delta',
      version: 2,
      baseVersion: 1,
      grants: [
        {
          grantId: 'G-P',
          kind: 'pickup',
          boxNo: dep.boxNo as string,
          userNo: '13455555555',
          access: await makeVerifier('1234', TEST_COST),
          expiresAt: inADay(),
        },
      ],
    });
    const res = await c.call('POST', '/api/grants/use', { userNo: '13455555555', code: '1234' });
    expect(res.body).toMatchObject({ kind: 'grant_pickup', state: 'door_open' });
    takeParcelAndClose(c, dep.boxNo as string);
    await waitForSession(c, res.body.id, 'completed');
    expect(c.daemon.parcels.get(dep.parcelId as string)?.state).toBe('picked_up');
    expect(c.daemon.boxes.get(dep.boxNo as string).usage).toBe('free');
  });

  it('refuses an expired grant with CREDENTIAL_EXPIRED', async () => {
    c.daemon.desired.apply({
      kind: 'snapshot',
      version: 1,
      couriers: [],
      grants: [
        {
          grantId: 'G-X',
          kind: 'deposit',
          boxNo: '02',
          userNo: '139',
          access: await makeVerifier('9999', TEST_COST),
          expiresAt: new Date(Date.now() - 1000).toISOString(),
        },
      ],
    });
    const res = await c.call('POST', '/api/grants/use', { userNo: '139', code: '9999' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('CREDENTIAL_EXPIRED');
  });
});

import { rmSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EdgeDaemon } from '../src/daemon.js';
import {
  courierDoc,
  deposit,
  startCabinet,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

const outOfService = (version: number, on: boolean) => ({
  kind: 'delta' as const,
  version,
  baseVersion: version - 1,
  cabinet: { outOfService: on },
});

describe('a whole cabinet out of service (issue 13)', () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
  });
  afterEach(async () => {
    await c.close();
  });

  it('refuses new deposits with CABINET_OUT_OF_SERVICE, before the PIN is checked, and still lets parcels out', async () => {
    const before = await deposit(c, 'medium');
    expect(c.daemon.desired.apply(outOfService(2, true))).toEqual({ applied: true, version: 2 });
    expect((await c.call('GET', '/api/cabinet')).body.outOfService).toBe(true);

    const refused = await c.call('POST', '/api/deposits', {
      courierId: 'C-1001',
      pin: '4711',
      size: 'small',
    });
    expect([refused.status, refused.body.error.code]).toEqual([503, 'CABINET_OUT_OF_SERVICE']);
    // A wrong PIN gets the same answer and costs the courier no attempt.
    const wrongPin = await c.call('POST', '/api/deposits', {
      courierId: 'C-1001',
      pin: '0000',
      size: 'small',
    });
    expect(wrongPin.body.error.code).toBe('CABINET_OUT_OF_SERVICE');

    const pickup = await c.call('POST', '/api/pickups', { code: before.pickupCode });
    expect(pickup.status).toBe(201);
    takeParcelAndClose(c, before.boxNo as string);
    await waitForSession(c, pickup.body.id, 'completed');

    c.daemon.desired.apply(outOfService(3, false));
    expect((await c.call('GET', '/api/cabinet')).body.outOfService).toBe(false);
    await deposit(c, 'small');
  });

  it('keeps the setting across a restart, and a snapshot without it puts the cabinet back in service', async () => {
    c.daemon.desired.apply(outOfService(2, true));
    await c.daemon.stop();
    const dir = c.dir;
    c = { ...c, close: async () => rmSync(dir, { recursive: true, force: true }) };
    const again = new EdgeDaemon(c.daemon.config, { logger: pino({ level: 'silent' }) });
    await again.start();
    try {
      const res = await again.kioskApp.inject({ method: 'GET', url: '/api/cabinet' });
      expect(res.json().outOfService).toBe(true);
      again.desired.apply(await courierDoc(4));
      expect((await again.kioskApp.inject({ method: 'GET', url: '/api/cabinet' })).json().outOfService).toBe(
        false,
      );
      again.desired.apply(await courierDoc(5, { cabinet: { outOfService: true } }));
      expect((await again.kioskApp.inject({ method: 'GET', url: '/api/cabinet' })).json().outOfService).toBe(
        true,
      );
    } finally {
      await again.stop();
    }
  });
});

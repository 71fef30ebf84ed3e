import { makeVerifier } from '@locker/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCabinet, TEST_COST, type TestCabinet } from './support/cabinet.js';

describe("the cabinet's own expiry of reservations", () => {
  let c: TestCabinet;
  beforeEach(async () => {
    c = await startCabinet();
  });
  afterEach(async () => {
    await c.close();
  });

  it('frees a reserved box once its deposit right has expired, without the cloud', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    c.daemon.desired.apply({
      kind: 'snapshot',
      version: 1,
      couriers: [],
      grants: [
        {
          grantId: 'Rexpiring',
          kind: 'deposit',
          boxNo: '02',
          userNo: '13455555555',
          access: await makeVerifier('12345678', TEST_COST),
          expiresAt,
        },
      ],
    });
    expect(c.daemon.boxes.get('02').usage).toBe('reserved');
    c.daemon.flows.sweep(Date.now());
    expect(c.daemon.boxes.get('02').usage).toBe('reserved');
    c.daemon.flows.sweep(Date.parse(expiresAt) + 1000);
    expect(c.daemon.boxes.get('02').usage).toBe('free');
  });
});

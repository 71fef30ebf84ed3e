import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { siteWithBoxes, userWithTel } from './rights-helpers.js';

describe("the cloud's expiry sweep as a background worker", () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud({ rights: { sweepIntervalMs: 100 } });
  });
  afterAll(() => cloud?.close());

  it('releases a reservation soon after its window ends, with no request to trigger it', async () => {
    const app = cloud.server.app;
    await siteWithBoxes(app, 'TICK01', { '01': 'small' });
    const user = await userWithTel(app, '13409000001');
    const res = await app.inject({
      method: 'POST',
      url: '/v1/reservations',
      headers: user.auth,
      payload: { siteNo: 'TICK01', size: 'small', endsAt: new Date(Date.now() + 1500).toISOString() },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().reservation.id as string;
    const state = async () =>
      (await app.inject({ method: 'GET', url: `/v1/reservations/${id}`, headers: user.auth })).json().state;
    expect(await state()).toBe('active');
    await expect.poll(state, { timeout: 10_000, interval: 100 }).toBe('expired');
  });
});

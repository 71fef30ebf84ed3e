import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { admin, inHours, siteWithBoxes, userWithTel } from './rights-helpers.js';

describe('operators and the rights at a site', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud({});
  });
  afterAll(() => cloud?.close());

  it('lists what is reserved and granted, revokes a grant and cancels a reservation, both on the timeline', async () => {
    const app = cloud.server.app;
    await siteWithBoxes(app, 'OPS001', { '01': 'large', '02': 'small' });
    const holder = await userWithTel(app, '13410000001');
    const grantee = await userWithTel(app, '13410000002');
    const reserve = (size: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/reservations',
        headers: holder.auth,
        payload: { siteNo: 'OPS001', size, endsAt: inHours(2) },
      });
    const large = (await reserve('large')).json().reservation;
    const small = (await reserve('small')).json().reservation;
    const g = await app.inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: holder.auth,
      payload: { siteNo: 'OPS001', boxNo: large.boxNo, grantee: grantee.tel },
    });
    const rights = await app.inject({ method: 'GET', url: '/v1/admin/sites/OPS001/rights', headers: admin });
    expect(rights.json().reservations.map((r: { id: string; state: string }) => [r.id, r.state])).toEqual([
      [large.id, 'handed_on'],
      [small.id, 'active'],
    ]);
    expect(rights.json().grants.map((x: { id: string }) => x.id)).toEqual([g.json().id]);

    const refused = await app.inject({
      method: 'POST',
      url: `/v1/admin/reservations/${large.id}/cancel`,
      headers: admin,
      payload: { reason: 'dispute' },
    });
    expect(refused.json().error.code).toBe('INVALID_TRANSITION');
    const revoked = await app.inject({
      method: 'POST',
      url: `/v1/admin/authorizations/${g.json().id}/revoke`,
      headers: admin,
      payload: { reason: 'lost phone' },
    });
    expect(revoked.json()).toMatchObject({ state: 'revoked' });
    const cancelled = await app.inject({
      method: 'POST',
      url: `/v1/admin/reservations/${small.id}/cancel`,
      headers: admin,
      payload: {},
    });
    expect(cancelled.json()).toMatchObject({ state: 'cancelled' });
    const after = await app.inject({ method: 'GET', url: '/v1/admin/sites/OPS001/rights', headers: admin });
    expect(after.json()).toMatchObject({ reservations: [{ id: large.id, state: 'active' }], grants: [] });

    const steps = await app.inject({
      method: 'GET',
      url: `/v1/admin/timeline/grant/${g.json().id}`,
      headers: admin,
    });
    expect(steps.json().entries.at(-1)).toMatchObject({
      event: 'revoked',
      actor: expect.stringMatching(/^operator:/),
    });
    const notes = await app.inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.auth });
    expect(notes.json().notifications.map((n: { kind: string }) => n.kind)).toEqual(
      expect.arrayContaining(['grant.revoked', 'reservation.cancelled']),
    );
  });
});

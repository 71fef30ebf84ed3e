import { checkAccess, type GrantDoc } from '@locker/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRights } from '../src/rights-module.js';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { admin, inHours, siteWithBoxes, userWithTel } from './rights-helpers.js';

let cloud: TestCloud;
const SITE = '610091A01';
const app = () => cloud.server.app;

beforeAll(async () => {
  cloud = await startAccountsCloud({ rights: { maxActiveReservationsPerUser: 2 } });
  await siteWithBoxes(app(), SITE, { '01': 'large', '02': 'small', '03': 'small', '04': 'medium' });
});
afterAll(() => cloud.close());

function reserve(auth: Record<string, string>, size: string, endsAt = inHours(2), siteNo = SITE) {
  return app().inject({
    method: 'POST',
    url: '/v1/reservations',
    headers: auth,
    payload: { siteNo, size, endsAt },
  });
}

async function boxOf(boxNo: string, siteNo = SITE) {
  const res = await app().inject({ method: 'GET', url: `/v1/admin/sites/${siteNo}/boxes`, headers: admin });
  return (res.json() as { boxes: Array<Record<string, unknown>> }).boxes.find((b) => b.boxNo === boxNo);
}

const sources = () => cloud.server.rights.records.grantSources;
async function grantsAt(siteNo = SITE) {
  const now = new Date().toISOString();
  return (await Promise.all(sources().map((s) => s.liveGrants(siteNo, now)))).flat();
}

async function notifications(auth: Record<string, string>) {
  const res = await app().inject({ method: 'GET', url: '/v1/me/notifications', headers: auth });
  return (res.json() as { notifications: Array<{ kind: string; payload: Record<string, unknown> }> })
    .notifications;
}

describe('reservations', () => {
  it('reserving a large box makes the user its holder and puts their deposit right in desired state', async () => {
    const li = await userWithTel(app(), '13455555555', 'li_mou');
    const res = await reserve(li.auth, 'large');
    expect(res.statusCode).toBe(201);
    const body = res.json() as {
      reservation: { id: string; boxNo: string; state: string };
      accessCode: string;
    };
    expect(body.reservation).toMatchObject({ boxNo: '01', state: 'active', siteNo: SITE });
    expect(body.accessCode).toMatch(/^\d{8}$/);
    expect(await boxOf('01')).toMatchObject({ status: 'reserved', holderId: li.id });
    const grant = (await grantsAt()).find((g) => g.grantId === body.reservation.id);
    expect(grant).toMatchObject({ kind: 'deposit', boxNo: '01', userNo: '13455555555' });
    expect(grant?.access.alg).toBe('hmac-sha256');
    expect(grant && (await opensAt(SITE, body.accessCode, grant))).toBe('match');
    // Bound to its grant and to its cabinet: the same code checks false elsewhere.
    expect(grant && (await opensAt(SITE, body.accessCode, { ...grant, grantId: 'R-other' }))).toBe(
      'mismatch',
    );
    expect(grant && (await opensAt('OTHER1', body.accessCode, grant))).toBe('mismatch');
    const again = await reserve(li.auth, 'large');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('NO_BOX_AVAILABLE');
  });

  it('shows anyone a site with its free boxes by size', async () => {
    const res = await app().inject({ method: 'GET', url: '/v1/sites/RACE99' });
    expect(res.json().error.code).toBe('SITE_NOT_FOUND');
    await siteWithBoxes(app(), 'SHOW01', { '01': 'large', '02': 'small', '03': 'small' });
    const site = await app().inject({ method: 'GET', url: '/v1/sites/SHOW01' });
    expect(site.json()).toEqual({
      siteNo: 'SHOW01',
      name: 'Site SHOW01',
      address: '1 Gate Road',
      location: { lat: 34.2, lon: 108.9 },
      free: { large: 1, small: 2 },
    });
  });

  it('refuses a window in the past, an unknown site, and a user past their quota', async () => {
    const u = await userWithTel(app(), '13400000001');
    expect(
      (await reserve(u.auth, 'small', new Date(Date.now() - 1000).toISOString())).json().error.code,
    ).toBe('RESERVATION_WINDOW_INVALID');
    expect((await reserve(u.auth, 'small', inHours(1000))).json().error.code).toBe(
      'RESERVATION_WINDOW_INVALID',
    );
    expect((await reserve(u.auth, 'small', inHours(1), 'NOSUCHSITE')).json().error.code).toBe(
      'SITE_NOT_FOUND',
    );
    expect((await reserve(u.auth, 'small')).statusCode).toBe(201);
    expect((await reserve(u.auth, 'medium')).statusCode).toBe(201);
    const third = await reserve(u.auth, 'small');
    expect(third.statusCode).toBe(409);
    expect(third.json().error.code).toBe('RESERVATION_QUOTA_EXCEEDED');
    const mine = await app().inject({ method: 'GET', url: '/v1/reservations', headers: u.auth });
    const list = (mine.json() as { reservations: Array<{ id: string; boxNo: string }> }).reservations;
    expect(list).toHaveLength(2);
    // Giving one back frees its box and its place in the quota.
    const small = list.find((r) => r.boxNo === '02' || r.boxNo === '03');
    const del = await app().inject({
      method: 'DELETE',
      url: `/v1/reservations/${small?.id}`,
      headers: u.auth,
    });
    expect(del.json()).toMatchObject({ state: 'cancelled' });
    expect(await boxOf(small?.boxNo ?? '')).toMatchObject({ status: 'free', holderId: null });
    expect((await grantsAt()).some((g) => g.grantId === small?.id)).toBe(false);
  });

  it('parallel requests for the last boxes never get one box twice, and one user never passes the quota', async () => {
    await siteWithBoxes(app(), 'RACE01', { '01': 'large', '02': 'large', '03': 'large' });
    const users = await Promise.all(
      Array.from({ length: 8 }, (_, i) => userWithTel(app(), `1340100000${i}`)),
    );
    const results = await Promise.all(users.map((u) => reserve(u.auth, 'large', inHours(1), 'RACE01')));
    const won = results.filter((r) => r.statusCode === 201).map((r) => r.json().reservation.boxNo as string);
    expect(won.sort()).toEqual(['01', '02', '03']);
    expect(
      results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'NO_BOX_AVAILABLE'),
    ).toBe(true);

    await siteWithBoxes(
      app(),
      'RACE02',
      Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`0${i + 1}`, 'small'])),
    );
    const greedy = await userWithTel(app(), '13401000099');
    const mine = await Promise.all(
      Array.from({ length: 6 }, () => reserve(greedy.auth, 'small', inHours(1), 'RACE02')),
    );
    expect(mine.filter((r) => r.statusCode === 201)).toHaveLength(2);
    expect(mine.filter((r) => r.statusCode === 409).map((r) => r.json().error.code)).toEqual(
      Array(4).fill('RESERVATION_QUOTA_EXCEEDED'),
    );
  });

  it('the sweep releases a reservation whose window has ended and takes it off the cabinet', async () => {
    await siteWithBoxes(app(), 'SWEEP1', { '01': 'medium' });
    const u = await userWithTel(app(), '13402000001');
    const r = (await reserve(u.auth, 'medium', inHours(1), 'SWEEP1')).json().reservation as { id: string };
    const later = createRights(cloud.server.rightsRecords, {
      config: cloud.server.config,
      cabinets: cloud.server.cabinets,
      desired: cloud.server.desired,
      notify: (userId: string, kind: string, payload: unknown) =>
        cloud.server.notifications.publish(userId, kind, payload),
      accessKeys: cloud.server.accessKeys,
      grantTokens: cloud.server.grantTokens,
      notifyIn: (trx, commit, userId, kind, payload) =>
        cloud.server.notifications.publishIn(trx, commit, userId, kind, payload),
      logger: cloud.server.logger,
      now: () => new Date(Date.now() + 2 * 3_600_000),
    });
    expect(await later.sweep()).toBeGreaterThanOrEqual(1);
    const after = await app().inject({ method: 'GET', url: `/v1/reservations/${r.id}`, headers: u.auth });
    expect(after.json()).toMatchObject({ state: 'expired' });
    expect(await boxOf('01', 'SWEEP1')).toMatchObject({ status: 'free', holderId: null });
    expect(await grantsAt('SWEEP1')).toEqual([]);
    const notes = await app().inject({ method: 'GET', url: '/v1/me/notifications', headers: u.auth });
    expect(notes.json().notifications.map((n: { kind: string }) => n.kind)).toEqual([
      'reservation.confirmed',
      'reservation.expired',
    ]);
    expect((await reserve(u.auth, 'medium', inHours(1), 'SWEEP1')).statusCode).toBe(201);
  });
});

describe('direct authorization (method 1)', () => {
  it('steps B-E: the holder lists the box, names a grantee, the grantee gets a code that the cabinet will accept', async () => {
    await siteWithBoxes(app(), 'AUTH01', { '01': 'large' });
    const holder = await userWithTel(app(), '13403000001');
    const grantee = await userWithTel(app(), '13403000002');
    const outsider = await userWithTel(app(), '13403000003');
    const r = (await reserve(holder.auth, 'large', inHours(3), 'AUTH01')).json().reservation as {
      id: string;
    };

    const listed = await app().inject({ method: 'GET', url: '/v1/me/boxes', headers: holder.auth });
    expect(listed.json().boxes).toContainEqual(
      expect.objectContaining({ siteNo: 'AUTH01', boxNo: '01', right: 'deposit', reservationId: r.id }),
    );

    const authorize = (who: typeof holder, granteeNo: string) =>
      app().inject({
        method: 'POST',
        url: '/v1/authorizations',
        headers: who.auth,
        payload: { siteNo: 'AUTH01', boxNo: '01', grantee: granteeNo },
      });
    expect((await authorize(outsider, grantee.tel)).json().error.code).toBe('NOT_THE_HOLDER');
    expect((await authorize(holder, '13499999999')).json().error.code).toBe('GRANTEE_UNKNOWN');

    const res = await authorize(holder, grantee.tel);
    expect(res.statusCode).toBe(201);
    const grant = res.json() as { id: string; state: string; kind: string };
    expect(grant).toMatchObject({ state: 'active', kind: 'deposit', grantee: { id: grantee.id } });
    expect(await boxOf('01', 'AUTH01')).toMatchObject({ holderId: grantee.id });
    expect((await authorize(holder, outsider.tel)).json().error.code).toBe('BOX_ALREADY_GRANTED');

    // Step E for the holder; the grantee's notification carries the code sealed only.
    expect((await notifications(holder.auth)).map((n) => n.kind)).toContain('grant.confirmed');
    const received = (await notifications(grantee.auth)).find((n) => n.kind === 'grant.received');
    const sealed = received?.payload.accessCodeSealed as string;
    expect(sealed).toMatch(/^v1\./);
    expect(JSON.stringify(received)).not.toMatch(/"accessCode"/);
    const stolen = await app().inject({
      method: 'POST',
      url: `/v1/me/grants/${grant.id}/access-code`,
      headers: outsider.auth,
      payload: { accessCodeSealed: sealed },
    });
    expect(stolen.json().error.code).toBe('GRANT_NOT_FOUND');
    const opened = await app().inject({
      method: 'POST',
      url: `/v1/me/grants/${grant.id}/access-code`,
      headers: grantee.auth,
      payload: { accessCodeSealed: sealed },
    });
    const code = opened.json().accessCode as string;
    expect(code).toMatch(/^\d{8}$/);

    // The cabinet now holds the grantee's right in place of the holder's.
    const docs = await grantsAt('AUTH01');
    expect(docs.map((d) => d.grantId)).toEqual([grant.id]);
    expect(docs[0]).toMatchObject({ userNo: grantee.tel, holderNo: holder.tel, boxNo: '01' });
    expect(docs[0] && (await opensAt('AUTH01', code, docs[0]))).toBe('match');
    expect(
      (await app().inject({ method: 'GET', url: '/v1/me/boxes', headers: holder.auth })).json().boxes,
    ).toEqual([]);

    // Revocation gives the holder the box (and their own code) back.
    const byGrantee = await app().inject({
      method: 'POST',
      url: `/v1/authorizations/${grant.id}/revoke`,
      headers: grantee.auth,
    });
    expect(byGrantee.json().error.code).toBe('NOT_THE_HOLDER');
    const revoked = await app().inject({
      method: 'POST',
      url: `/v1/authorizations/${grant.id}/revoke`,
      headers: holder.auth,
    });
    expect(revoked.json()).toMatchObject({ state: 'revoked' });
    expect((await grantsAt('AUTH01')).map((d) => d.grantId)).toEqual([r.id]);
    expect(await boxOf('01', 'AUTH01')).toMatchObject({ holderId: holder.id, status: 'reserved' });
    const reopen = await app().inject({
      method: 'POST',
      url: `/v1/me/grants/${grant.id}/access-code`,
      headers: grantee.auth,
      payload: { accessCodeSealed: sealed },
    });
    expect(reopen.json().error.code).toBe('GRANT_CLOSED');
    expect((await notifications(grantee.auth)).map((n) => n.kind)).toContain('grant.revoked');
  });

  it('refuses a disabled grantee, and a disabled holder is logged out and cannot log in', async () => {
    await siteWithBoxes(app(), 'AUTH02', { '01': 'large' });
    const holder = await userWithTel(app(), '13404000001');
    const grantee = await userWithTel(app(), '13404000002');
    expect((await reserve(holder.auth, 'large', inHours(1), 'AUTH02')).statusCode).toBe(201);
    const setStatus = (id: string, status: string) =>
      app().inject({
        method: 'PUT',
        url: `/v1/admin/users/${id}/status`,
        headers: admin,
        payload: { status },
      });
    expect((await setStatus(grantee.id, 'disabled')).statusCode).toBe(200);
    const body = { siteNo: 'AUTH02', boxNo: '01', grantee: grantee.tel };
    const refused = await app().inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: holder.auth,
      payload: body,
    });
    expect(refused.json().error.code).toBe('GRANTEE_DISABLED');
    await setStatus(holder.id, 'disabled');
    // Disabling ends the sessions, and the disabled user cannot log in again.
    const disabled = await reserve(holder.auth, 'small', inHours(1), 'AUTH02');
    expect(disabled.json().error.code).toBe('TOKEN_REVOKED');
    const login = () =>
      app().inject({
        method: 'POST',
        url: '/v1/sessions',
        payload: { login: holder.name, password: holder.password },
      });
    expect((await login()).json().error.code).toBe('USER_DISABLED');
    await setStatus(holder.id, 'normal');
    expect((await login()).statusCode).toBe(201);
  });

  it('the cabinet reporting the grant used closes grant and reservation, and each party sees the timeline', async () => {
    await siteWithBoxes(app(), 'AUTH03', { '01': 'large' });
    const holder = await userWithTel(app(), '13405000001');
    const grantee = await userWithTel(app(), '13405000002');
    const outsider = await userWithTel(app(), '13405000003');
    const r = (await reserve(holder.auth, 'large', inHours(3), 'AUTH03')).json().reservation as {
      id: string;
    };
    const g = (
      await app().inject({
        method: 'POST',
        url: '/v1/authorizations',
        headers: holder.auth,
        payload: { siteNo: 'AUTH03', boxNo: '01', grantee: grantee.id },
      })
    ).json() as { id: string };
    const at = new Date().toISOString();
    const base = { cabinetId: 'AUTH03', at };
    const rights = cloud.server.rights;
    rights.onEvent({
      ...base,
      id: 'e1',
      seq: 1,
      type: 'box.unlocked',
      data: { boxNo: '01', confirmed: true, purpose: 'grant' },
    });
    rights.onEvent({
      ...base,
      id: 'e2',
      seq: 2,
      type: 'grant.used',
      data: { grantId: g.id, boxNo: '01', userNo: grantee.tel, kind: 'deposit' },
    });
    rights.onEvent({
      ...base,
      id: 'e3',
      seq: 3,
      type: 'parcel.deposited',
      data: { boxNo: '01', parcelId: 'P1', grantId: g.id, depositor: grantee.tel },
    });
    await rights.settle();
    const grant = await app().inject({
      method: 'GET',
      url: `/v1/authorizations/${g.id}`,
      headers: holder.auth,
    });
    expect(grant.json()).toMatchObject({ state: 'used' });
    const res = await app().inject({ method: 'GET', url: `/v1/reservations/${r.id}`, headers: holder.auth });
    expect(res.json()).toMatchObject({ state: 'used' });
    expect(await boxOf('01', 'AUTH03')).toMatchObject({
      status: 'occupied',
      depositor: grantee.tel,
      parcelNo: 'P1',
    });
    expect(await grantsAt('AUTH03')).toEqual([]);

    const events = async (auth: Record<string, string>, url: string) =>
      (
        (await app().inject({ method: 'GET', url, headers: auth })).json() as {
          entries?: Array<{ event: string }>;
        }
      ).entries?.map((e) => e.event);
    const boxUrl = '/v1/sites/AUTH03/boxes/01/timeline';
    expect(await events(holder.auth, boxUrl)).toEqual([
      'reserved',
      'authorized',
      'notified',
      'opened',
      'used',
      'used',
      'deposited',
    ]);
    expect(await events(grantee.auth, boxUrl)).toEqual([
      'authorized',
      'notified',
      'opened',
      'used',
      'used',
      'deposited',
    ]);
    expect(await events(outsider.auth, boxUrl)).toEqual([]);
    expect(await events(grantee.auth, `/v1/authorizations/${g.id}/timeline`)).toEqual([
      'authorized',
      'notified',
      'opened',
      'used',
      'used',
      'deposited',
    ]);
    expect(await events(outsider.auth, `/v1/authorizations/${g.id}/timeline`)).toBeUndefined();
    expect(await events(admin, '/v1/admin/sites/AUTH03/boxes/01/timeline')).toEqual([
      'reserved',
      'authorized',
      'notified',
      'opened',
      'used',
      'used',
      'deposited',
    ]);
  });
});

/** What the cabinet `siteNo` answers for a typed code, holding only its own access key. */
function opensAt(siteNo: string, code: string, grant: GrantDoc) {
  const { kid, key } = cloud.server.accessKeys.keyFor(siteNo);
  return checkAccess(code, grant.grantId, grant.access, new Map([[kid, key]]));
}

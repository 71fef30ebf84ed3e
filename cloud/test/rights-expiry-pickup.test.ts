import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRights } from '../src/rights-module.js';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { admin, inHours, siteWithBoxes, userWithTel } from './rights-helpers.js';

let cloud: TestCloud;
const app = () => cloud.server.app;

beforeAll(async () => {
  cloud = await startAccountsCloud({ rights: { maxActiveReservationsPerUser: 1 } });
});
afterAll(() => cloud.close());

async function grantsAt(siteNo: string) {
  const now = new Date().toISOString();
  const sources = cloud.server.rights.records.grantSources;
  return (await Promise.all(sources.map((s) => s.liveGrants(siteNo, now)))).flat();
}

async function boxOf(siteNo: string, boxNo: string) {
  const res = await app().inject({ method: 'GET', url: `/v1/admin/sites/${siteNo}/boxes`, headers: admin });
  return (res.json() as { boxes: Array<Record<string, unknown>> }).boxes.find((b) => b.boxNo === boxNo);
}

const rightsAt = (hoursAhead: number) =>
  createRights(cloud.server.rightsRecords, {
    config: cloud.server.config,
    cabinets: cloud.server.cabinets,
    desired: cloud.server.desired,
    accessKeys: cloud.server.accessKeys,
    grantTokens: cloud.server.grantTokens,
    notifyIn: (trx, commit, userId, kind, payload) =>
      cloud.server.notifications.publishIn(trx, commit, userId, kind, payload),
    notify: (userId: string, kind: string, payload: unknown) =>
      cloud.server.notifications.publish(userId, kind, payload),
    logger: cloud.server.logger,
    now: () => new Date(Date.now() + hoursAhead * 3_600_000),
  });

describe('expiry of handed-on rights, and pickup rights', () => {
  it('a grant that runs out ends its reservation too: the box is free, the quota back, the cabinet told', async () => {
    await siteWithBoxes(app(), 'EXP001', { '01': 'large' });
    const holder = await userWithTel(app(), '13408000001');
    const grantee = await userWithTel(app(), '13408000002');
    const r = await app().inject({
      method: 'POST',
      url: '/v1/reservations',
      headers: holder.auth,
      payload: { siteNo: 'EXP001', size: 'large', endsAt: inHours(2) },
    });
    const g = await app().inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: holder.auth,
      payload: { siteNo: 'EXP001', boxNo: '01', grantee: grantee.tel, expiresAt: inHours(1) },
    });
    expect(g.json()).toMatchObject({ state: 'active' });
    expect(await rightsAt(1.5).sweep()).toBe(1);
    const grant = await app().inject({
      method: 'GET',
      url: `/v1/authorizations/${g.json().id}`,
      headers: grantee.auth,
    });
    expect(grant.json()).toMatchObject({ state: 'expired' });
    const res = await app().inject({
      method: 'GET',
      url: `/v1/reservations/${r.json().reservation.id}`,
      headers: holder.auth,
    });
    expect(res.json()).toMatchObject({ state: 'expired' });
    expect(await boxOf('EXP001', '01')).toMatchObject({ status: 'free', holderId: null });
    const kinds = async (auth: Record<string, string>) =>
      (await app().inject({ method: 'GET', url: '/v1/me/notifications', headers: auth }))
        .json()
        .notifications.map((n: { kind: string }) => n.kind);
    expect(await kinds(holder.auth)).toContain('grant.expired');
    expect(await kinds(grantee.auth)).toContain('grant.expired');
    expect(await grantsAt('EXP001')).toEqual([]);
    // The quota of one is free again.
    const again = await app().inject({
      method: 'POST',
      url: '/v1/reservations',
      headers: holder.auth,
      payload: { siteNo: 'EXP001', size: 'large', endsAt: inHours(2) },
    });
    expect(again.statusCode).toBe(201);
  });

  it('refuses to hand on a right whose window has ended, even before the sweep has run', async () => {
    await siteWithBoxes(app(), 'EXP002', { '01': 'large' });
    const holder = await userWithTel(app(), '13408000011');
    const grantee = await userWithTel(app(), '13408000012');
    const r = await app().inject({
      method: 'POST',
      url: '/v1/reservations',
      headers: holder.auth,
      payload: { siteNo: 'EXP002', size: 'large', endsAt: inHours(1) },
    });
    expect(r.statusCode).toBe(201);
    const late = rightsAt(2).authorizations.authorize(holder.id, {
      siteNo: 'EXP002',
      boxNo: '01',
      grantee: grantee.tel,
    });
    await expect(late).rejects.toMatchObject({ code: 'GRANT_EXPIRED' });
    expect(await grantsAt('EXP002')).toEqual([expect.objectContaining({ grantId: r.json().reservation.id })]);
  });

  it('the holder of a box with their parcel hands on a pickup right; the pickup frees the box and lands on the parcel timeline', async () => {
    await siteWithBoxes(app(), 'PICK01', { '01': 'medium' });
    const recipient = await userWithTel(app(), '13408000003');
    const friend = await userWithTel(app(), '13408000004');
    const sites = cloud.server.rightsRecords.sites;
    // What the parcels module records when a parcel for the recipient is deposited.
    await sites.patch(sites.db, 'PICK01', '01', {
      status: 'occupied',
      holderId: recipient.id,
      parcelNo: 'P-9',
    });
    const listed = await app().inject({ method: 'GET', url: '/v1/me/boxes', headers: recipient.auth });
    expect(listed.json().boxes).toEqual([
      expect.objectContaining({ boxNo: '01', right: 'pickup', parcelNo: 'P-9' }),
    ]);
    const g = await app().inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: recipient.auth,
      payload: { siteNo: 'PICK01', boxNo: '01', grantee: friend.tel },
    });
    expect(g.json()).toMatchObject({ kind: 'pickup', state: 'active' });
    expect(await grantsAt('PICK01')).toEqual([
      expect.objectContaining({ kind: 'pickup', userNo: friend.tel }),
    ]);
    const rights = cloud.server.rights;
    const base = { cabinetId: 'PICK01', at: new Date().toISOString() };
    rights.onEvent({
      ...base,
      id: 'p1',
      seq: 1,
      type: 'grant.used',
      data: { grantId: g.json().id, boxNo: '01', userNo: friend.tel, kind: 'pickup' },
    });
    rights.onEvent({
      ...base,
      id: 'p2',
      seq: 2,
      type: 'parcel.picked_up',
      data: { boxNo: '01', parcelId: 'P-9', via: 'grant', grantId: g.json().id },
    });
    await rights.settle();
    const grant = await app().inject({
      method: 'GET',
      url: `/v1/authorizations/${g.json().id}`,
      headers: friend.auth,
    });
    expect(grant.json()).toMatchObject({ state: 'used' });
    const holderNotes = await app().inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: recipient.auth,
    });
    expect(holderNotes.json().notifications.map((n: { kind: string }) => n.kind)).toContain('grant.used');
    expect(await boxOf('PICK01', '01')).toMatchObject({ status: 'free', holderId: null, parcelNo: null });
    const steps = await app().inject({
      method: 'GET',
      url: '/v1/sites/PICK01/boxes/01/timeline',
      headers: recipient.auth,
    });
    expect(steps.json().entries.map((e: { event: string }) => e.event)).toEqual([
      'authorized',
      'notified',
      'used',
      'picked_up',
    ]);
    // The parcel's own timeline, for operators.
    const parcel = await app().inject({
      method: 'GET',
      url: '/v1/admin/timeline/parcel/P-9',
      headers: admin,
    });
    expect(parcel.json().entries).toEqual([
      expect.objectContaining({
        event: 'picked_up',
        subject: 'parcel',
        subjectId: 'P-9',
        siteNo: 'PICK01',
        boxNo: '01',
      }),
    ]);
  });
});

describe('a parcel addressed to the account is a pickup right the recipient may hand on', () => {
  it('lists the box of a deposited parcel under /v1/me/boxes and grants its pickup; others cannot', async () => {
    await siteWithBoxes(app(), 'PARC01', { '01': 'small' });
    const recipient = await userWithTel(app(), '13408000021');
    const friend = await userWithTel(app(), '13408000022');
    const stranger = await userWithTel(app(), '13408000023');
    // What the parcels module holds once a courier's deposit for the recipient has been notified.
    const parcel = await cloud.server.rightsRecords.parcels.create(
      {
        state: 'notified',
        waybill: 'WB1',
        size: 'small',
        recipientUserId: recipient.id,
        recipientTel: null,
        announcedBy: null,
      },
      { cabinet_id: 'PARC01', box_no: '01', expires_at: inHours(24), deposited_at: new Date().toISOString() },
    );
    const sites = cloud.server.rightsRecords.sites;
    await sites.patch(sites.db, 'PARC01', '01', { status: 'occupied', parcelNo: 'cab-parcel-1' });
    const listed = await app().inject({ method: 'GET', url: '/v1/me/boxes', headers: recipient.auth });
    expect(listed.json().boxes).toEqual([
      expect.objectContaining({ siteNo: 'PARC01', boxNo: '01', right: 'pickup', parcelNo: parcel.id }),
    ]);
    const body = { siteNo: 'PARC01', boxNo: '01', grantee: friend.tel };
    const notMine = await app().inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: stranger.auth,
      payload: body,
    });
    expect(notMine.json().error.code).toBe('NOT_THE_HOLDER');
    const g = await app().inject({
      method: 'POST',
      url: '/v1/authorizations',
      headers: recipient.auth,
      payload: body,
    });
    expect(g.statusCode).toBe(201);
    expect(g.json()).toMatchObject({ kind: 'pickup', expiresAt: parcel.expires_at });
    expect(await grantsAt('PARC01')).toEqual([
      expect.objectContaining({ kind: 'pickup', userNo: friend.tel, boxNo: '01' }),
    ]);
    const again = await app().inject({ method: 'GET', url: '/v1/me/boxes', headers: recipient.auth });
    expect(again.json().boxes).toEqual([]);
  });
});

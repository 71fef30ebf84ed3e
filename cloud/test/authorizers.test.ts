import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../src/authorizers/webhook-signature.js';
import { startAccountsCloud } from './accounts-helpers.js';
import {
  askAuthorizer,
  boxOf,
  callback,
  FakeAuthorizer,
  holderWithBox,
  registerAuthorizer,
} from './authorizer-helpers.js';
import { admin, userWithTel } from './rights-helpers.js';

type Cloud = Awaited<ReturnType<typeof startAccountsCloud>>;

describe('third-party authorizers (method 2): registry, request, answer and confirmations', () => {
  let cloud: Cloud;
  let fake: FakeAuthorizer;
  beforeAll(async () => {
    fake = await FakeAuthorizer.start();
    // The worker is driven by the test (runOnce / pass), never by its timer.
    cloud = await startAccountsCloud({ authorizers: { workerIntervalMs: 600_000, sendAtOnce: false } });
  });
  afterAll(async () => {
    await cloud?.close();
    await fake?.close();
  });
  const app = () => cloud.server.app;
  const pass = () => cloud.server.authorizers.sender.pass();

  it('lets admins register, list, disable and rotate authorizers; the secret is shown once, stored only sealed, and audited nowhere', async () => {
    const secret = await registerAuthorizer(app(), '0101', '快递公司A', fake.url);
    expect(secret).toMatch(/^las_[A-Za-z0-9_-]{43}$/);
    const dup = await app().inject({
      method: 'POST',
      url: '/v1/admin/authorizers',
      headers: admin,
      payload: { no: '0101', name: 'again', url: fake.url },
    });
    expect(dup.json().error.code).toBe('AUTHORIZER_NUMBER_TAKEN');
    const one = await app().inject({ method: 'GET', url: '/v1/admin/authorizers/0101', headers: admin });
    expect(one.json()).toMatchObject({ no: '0101', name: '快递公司A', status: 'normal', url: fake.url });
    expect(JSON.stringify(one.json())).not.toContain(secret);

    await registerAuthorizer(app(), '0102', '快递公司B', fake.url);
    const off = await app().inject({
      method: 'PATCH',
      url: '/v1/admin/authorizers/0102',
      headers: admin,
      payload: { status: 'disabled', reason: 'contract ended' },
    });
    expect(off.json().status).toBe('disabled');
    const user = await userWithTel(app(), '13400000101');
    const listed = await app().inject({ method: 'GET', url: '/v1/authorizers', headers: user.auth });
    const nos = (listed.json().authorizers as Array<{ no: string }>).map((a) => a.no);
    expect(nos).toContain('0101');
    expect(nos).not.toContain('0102');

    const rotated = await app().inject({
      method: 'POST',
      url: '/v1/admin/authorizers/0101/secret',
      headers: admin,
      payload: {},
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const fresh = rotated.json().secret as string;
    expect(fresh).not.toBe(secret);
    const previous = await cloud.server.db
      .selectFrom('authorizers')
      .select(['previous_secret_sealed', 'previous_until'])
      .where('no', '=', '0101')
      .executeTakeFirstOrThrow();
    // The old secret still verifies for the default hour, sealed like the new one.
    expect(previous.previous_secret_sealed?.startsWith('v1.')).toBe(true);
    expect(Date.parse(previous.previous_until ?? '') - Date.now()).toBeGreaterThan(3500_000);

    const audit = await app().inject({ method: 'GET', url: '/v1/admin/audit?limit=50', headers: admin });
    const actions = (audit.json().entries as Array<{ action: string }>).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'POST /v1/admin/authorizers',
        'PATCH /v1/admin/authorizers/:authorizerNo',
        'POST /v1/admin/authorizers/:authorizerNo/secret',
      ]),
    );
    expect(audit.body).not.toContain(secret);
    expect(audit.body).not.toContain(fresh);
    await cloud.server.units.run(async () => undefined);
    const raw = new Database(join(cloud.dir, 'cloud.db'), { readonly: true });
    try {
      const dump = JSON.stringify(raw.prepare('SELECT * FROM authorizers').all());
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(fresh);
      expect(dump).toContain('v1.');
    } finally {
      raw.close();
    }
  });

  it('sends the box to the authorizer signed, applies its immediate answer as a method-1 grant, and confirms to both sides', async () => {
    const secret = await registerAuthorizer(app(), '0001', '快递公司A', fake.url);
    fake.secret = secret;
    const { holder } = await holderWithBox(app(), 'TP0001', '13488888888');
    const wang = await userWithTel(app(), '13466666666');
    fake.respond = (m) =>
      m.json.type === 'authorization_request'
        ? {
            status: 200,
            signed: true,
            body: {
              requestId: m.json.requestId,
              siteNo: m.json.siteNo,
              boxNo: m.json.boxNo,
              grantee: wang.tel,
              authorizerNo: '0001',
            },
          }
        : { status: 200, body: { ok: true } };
    const asked = await askAuthorizer(app(), holder.auth, {
      siteNo: 'TP0001',
      boxNo: '01',
      authorizerNo: '0001',
    });
    expect(asked.statusCode).toBe(202);
    const request = asked.json();
    expect(request).toMatchObject({ state: 'requested', siteNo: 'TP0001', boxNo: '01', size: 'large' });
    expect(request.authorizer).toEqual({ no: '0001', name: '快递公司A' });

    await pass();
    const sent = fake.ofType('authorization_request').find((m) => m.json.requestId === request.id);
    expect(sent?.json).toMatchObject({
      siteNo: 'TP0001',
      boxNo: '01',
      size: 'large',
      holder: '13488888888',
      authorizerNo: '0001',
      expiresAt: request.expiresAt,
    });
    expect(sent?.headers['idempotency-key']).toBe(request.id);
    expect(sent?.headers['x-locker-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    // The cloud's signature checks out with the authorizer's copy of the secret.
    expect(() =>
      verifySignature(
        secret,
        {
          body: sent?.body ?? '',
          timestamp: String(sent?.headers['x-locker-timestamp']),
          signature: String(sent?.headers['x-locker-signature']),
        },
        new Date(),
        300,
      ),
    ).not.toThrow();

    const view = (
      await app().inject({
        method: 'GET',
        url: `/v1/authorizations/third-party/${request.id}`,
        headers: holder.auth,
      })
    ).json();
    expect(view).toMatchObject({ state: 'granted', grantee: { id: wang.id, userNo: wang.tel } });
    expect(await boxOf(app(), 'TP0001', '01')).toMatchObject({ holderId: wang.id, status: 'reserved' });
    const grant = (
      await app().inject({ method: 'GET', url: `/v1/authorizations/${view.grantId}`, headers: holder.auth })
    ).json();
    expect(grant).toMatchObject({ grantee: { id: wang.id }, authorizerNo: '0001', kind: 'deposit' });
    // The grantee is notified as in method 1 and can open the sealed code.
    const wangNotes = (
      await app().inject({ method: 'GET', url: '/v1/me/notifications', headers: wang.auth })
    ).json().notifications as Array<{ kind: string; payload: Record<string, unknown> }>;
    const received = wangNotes.find((n) => n.kind === 'grant.received');
    const opened = await app().inject({
      method: 'POST',
      url: `/v1/me/grants/${view.grantId}/access-code`,
      headers: wang.auth,
      payload: { accessCodeSealed: received?.payload.accessCodeSealed },
    });
    expect(opened.json().accessCode).toMatch(/^\d{8}$/);
    const holderNotes = (
      await app().inject({ method: 'GET', url: '/v1/me/notifications', headers: holder.auth })
    ).json().notifications as Array<{ kind: string; payload: Record<string, unknown> }>;
    expect(holderNotes.find((n) => n.kind === 'grant.confirmed')?.payload).toMatchObject({
      authorizerNo: '0001',
    });
    // The cabinet learns the grant with the authorizer's number.
    const docs = await cloud.server.rightsRecords.grants.liveGrants('TP0001', new Date().toISOString());
    expect(docs.find((g) => g.grantId === view.grantId)).toMatchObject({
      userNo: wang.tel,
      authorizerId: '0001',
    });

    // The confirmation to the authorizer goes out through the queue on the next pass.
    await pass();
    const confirmations = fake.ofType('confirmation').filter((m) => m.json.requestId === request.id);
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]?.json).toMatchObject({
      grantee: wang.tel,
      grantId: view.grantId,
      siteNo: 'TP0001',
    });
    expect(confirmations[0]?.headers['idempotency-key']).toBe(`${request.id}.confirmation`);
    await pass();
    expect(fake.ofType('confirmation').filter((m) => m.json.requestId === request.id)).toHaveLength(1);

    const steps = (
      await app().inject({
        method: 'GET',
        url: `/v1/authorizations/third-party/${request.id}/timeline`,
        headers: holder.auth,
      })
    ).json().entries as Array<{ event: string; subject: string }>;
    expect(steps.map((s) => `${s.subject}:${s.event}`)).toEqual([
      'request:requested',
      'request:sent',
      'grant:authorized',
      'grant:notified',
      'request:answered',
      'request:confirmed',
      'request:confirmed',
    ]);
    const forOperators = await app().inject({
      method: 'GET',
      url: `/v1/admin/timeline/request/${request.id}`,
      headers: admin,
    });
    expect((forOperators.json().entries as Array<{ event: string }>).map((e) => e.event)).toEqual([
      'requested',
      'sent',
      'answered',
      'confirmed',
      'confirmed',
    ]);
  });

  it('takes a later answer by signed callback after a 202, once', async () => {
    const secret = await registerAuthorizer(app(), '0002', '快递公司B', fake.url);
    fake.secret = secret;
    fake.respond = () => ({ status: 202, body: { accepted: true } });
    const { holder } = await holderWithBox(app(), 'TP0002', '13488880002');
    const courier = await userWithTel(app(), '13466660002');
    const request = (
      await askAuthorizer(app(), holder.auth, { siteNo: 'TP0002', boxNo: '01', authorizerNo: '0002' })
    ).json();
    await pass();
    const state = async () =>
      (
        await app().inject({
          method: 'GET',
          url: `/v1/authorizations/third-party/${request.id}`,
          headers: holder.auth,
        })
      ).json().state;
    expect(await state()).toBe('sent');
    const answer = {
      requestId: request.id,
      siteNo: 'TP0002',
      boxNo: '01',
      grantee: courier.tel,
      authorizerNo: '0002',
    };
    const ok = await callback(app(), secret, answer, { headers: { 'x-locker-authorizer': '0002' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ requestId: request.id, state: 'granted' });
    expect(await state()).toBe('granted');
    expect(await boxOf(app(), 'TP0002', '01')).toMatchObject({ holderId: courier.id });
    // Signed anew (another second): the same bytes and timestamp would be refused as a replay.
    const again = await callback(app(), secret, answer, { at: new Date(Date.now() + 1000) });
    expect(again.json().error.code).toBe('AUTHORIZATION_REQUEST_ANSWERED');
    const dup = await askAuthorizer(app(), holder.auth, {
      siteNo: 'TP0002',
      boxNo: '01',
      authorizerNo: '0002',
    });
    expect(dup.json().error.code).toBe('BOX_ALREADY_GRANTED');
  });

  it('takes a callback 25 minutes after the request, inside its 30-minute life, from nothing held in memory', async () => {
    const secret = await registerAuthorizer(app(), '0003', '快递公司C', fake.url);
    fake.secret = secret;
    fake.respond = () => ({ status: 202 });
    const { holder } = await holderWithBox(app(), 'TP0004', '13488880004');
    const courier = await userWithTel(app(), '13466660004');
    const request = (
      await askAuthorizer(app(), holder.auth, { siteNo: 'TP0004', boxNo: '01', authorizerNo: '0003' })
    ).json() as { id: string; expiresAt: string };
    await pass();
    expect(Date.parse(request.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);
    // Twenty-five minutes pass: the request is as old as that in the database, five minutes are left.
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    await cloud.server.db
      .updateTable('authorization_requests')
      .set({ created_at: ago(25 * 60_000), updated_at: ago(25 * 60_000), expires_at: ago(-5 * 60_000) })
      .where('id', '=', request.id)
      .execute();
    const answer = {
      requestId: request.id,
      siteNo: 'TP0004',
      boxNo: '01',
      grantee: courier.tel,
      authorizerNo: '0003',
    };
    const ok = await callback(app(), secret, answer);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await boxOf(app(), 'TP0004', '01')).toMatchObject({ holderId: courier.id });
  });

  it('refuses a request for a box the caller does not hold, a disabled or unknown authorizer, and a second open request', async () => {
    fake.respond = () => ({ status: 202 });
    const { holder } = await holderWithBox(app(), 'TP0003', '13488880003');
    const other = await userWithTel(app(), '13400000003');
    const code = async (
      auth: Record<string, string>,
      body: { siteNo: string; boxNo: string; authorizerNo: string },
    ) => (await askAuthorizer(app(), auth, body)).json().error?.code;
    expect(await code(other.auth, { siteNo: 'TP0003', boxNo: '01', authorizerNo: '0001' })).toBe(
      'NOT_THE_HOLDER',
    );
    expect(await code(holder.auth, { siteNo: 'TP0003', boxNo: '01', authorizerNo: '0102' })).toBe(
      'AUTHORIZER_DISABLED',
    );
    expect(await code(holder.auth, { siteNo: 'TP0003', boxNo: '01', authorizerNo: '0999' })).toBe(
      'AUTHORIZER_NOT_FOUND',
    );
    expect(
      (await askAuthorizer(app(), holder.auth, { siteNo: 'TP0003', boxNo: '01', authorizerNo: '0001' }))
        .statusCode,
    ).toBe(202);
    expect(await code(holder.auth, { siteNo: 'TP0003', boxNo: '01', authorizerNo: '0001' })).toBe(
      'AUTHORIZATION_REQUEST_OPEN',
    );
    expect(await boxOf(app(), 'TP0003', '01')).toMatchObject({ holderId: holder.id });
  });
});

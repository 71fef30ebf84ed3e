import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../src/authorizers/webhook-signature.js';
import { startAccountsCloud } from './accounts-helpers.js';
import {
  askAuthorizer,
  boxOf,
  callback,
  FakeAuthorizer,
  holderWithBox,
  notesOf,
  registerAuthorizer,
  requestOf,
} from './authorizer-helpers.js';
import { admin, userWithTel } from './rights-helpers.js';

type Cloud = Awaited<ReturnType<typeof startAccountsCloud>>;

/** Each coded refusal of an authorizer's answer, and that none of them touches the box. */
describe("refusals of an authorizer's answer", () => {
  let cloud: Cloud;
  let fake: FakeAuthorizer;
  let secret: string;
  let site = 0;
  beforeAll(async () => {
    fake = await FakeAuthorizer.start();
    cloud = await startAccountsCloud({ authorizers: { workerIntervalMs: 600_000, sendAtOnce: false } });
    secret = await registerAuthorizer(cloud.server.app, '0001', '快递公司A', fake.url);
    await registerAuthorizer(cloud.server.app, '0002', '快递公司B', fake.url);
    fake.secret = secret;
  });
  afterAll(async () => {
    await cloud?.close();
    await fake?.close();
  });
  const app = () => cloud.server.app;

  /** A request sent to authorizer 0001, which took it (202) and owes a callback. */
  async function openRequest() {
    const siteNo = `RF${String(++site).padStart(4, '0')}`;
    const { holder } = await holderWithBox(app(), siteNo, `1348800${String(site).padStart(4, '0')}`);
    const courier = await userWithTel(app(), `1346600${String(site).padStart(4, '0')}`);
    const asked = await askAuthorizer(app(), holder.auth, { siteNo, boxNo: '01', authorizerNo: '0001' });
    expect(asked.statusCode).toBe(202);
    fake.respond = () => ({ status: 202 });
    await cloud.server.authorizers.sender.pass();
    const request = asked.json() as { id: string };
    expect((await requestOf(app(), holder.auth, request.id)).state).toBe('sent');
    const answer = { requestId: request.id, siteNo, boxNo: '01', grantee: courier.tel, authorizerNo: '0001' };
    const unchanged = async (state = 'sent') => {
      expect(await boxOf(app(), siteNo, '01')).toMatchObject({ holderId: holder.id, status: 'reserved' });
      expect((await requestOf(app(), holder.auth, request.id)).state).toBe(state);
      const grants = await cloud.server.rightsRecords.grants.activeForBox(siteNo, '01');
      expect(grants).toBeUndefined();
    };
    return { siteNo, holder, courier, request, answer, unchanged };
  }

  it('refuses a signature made with another secret, or none, as SIGNATURE_INVALID', async () => {
    const { answer, unchanged } = await openRequest();
    const wrong = await callback(app(), 'las_not-the-secret', answer);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('SIGNATURE_INVALID');
    const none = await app().inject({
      method: 'POST',
      url: '/v1/authorizers/callback',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(answer),
    });
    expect(none.json().error.code).toBe('SIGNATURE_INVALID');
    // A signature over other bytes than those sent (a re-serialized body) does not match either.
    const spaced = await callback(app(), secret, answer, {
      raw: JSON.stringify(answer, null, 1),
      headers: signedHeaders(secret, JSON.stringify(answer)),
    });
    expect(spaced.json().error.code).toBe('SIGNATURE_INVALID');
    const otherHeader = await callback(app(), secret, answer, { headers: { 'x-locker-authorizer': '0002' } });
    expect(otherHeader.json().error.code).toBe('SIGNATURE_INVALID');
    // An authorizer number that does not exist gets the same answer: nobody learns which exist.
    const unknown = await callback(app(), secret, { ...answer, authorizerNo: '0999' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('SIGNATURE_INVALID');
    await unchanged();
  });

  it('refuses a timestamp outside the ±5 min window, either way, as TIMESTAMP_OUT_OF_WINDOW', async () => {
    const { answer, unchanged } = await openRequest();
    for (const skew of [-301_000, 301_000]) {
      const res = await callback(app(), secret, answer, { at: new Date(Date.now() + skew) });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('TIMESTAMP_OUT_OF_WINDOW');
    }
    await unchanged();
  });

  it('refuses a message replayed inside the window as SIGNATURE_REPLAYED', async () => {
    const { siteNo, answer, unchanged } = await openRequest();
    const body = JSON.stringify({ ...answer, boxNo: '02' });
    const headers = { 'content-type': 'application/json', ...signedHeaders(secret, body) };
    const first = await app().inject({
      method: 'POST',
      url: '/v1/authorizers/callback',
      headers,
      payload: body,
    });
    expect(first.json().error.code).toBe('ANSWER_MISMATCH');
    const again = await app().inject({
      method: 'POST',
      url: '/v1/authorizers/callback',
      headers,
      payload: body,
    });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('SIGNATURE_REPLAYED');
    expect(siteNo).toMatch(/^RF/);
    await unchanged();
  });

  it('refuses an answer naming another site or box than the request as ANSWER_MISMATCH', async () => {
    const { answer, unchanged } = await openRequest();
    const res = await callback(app(), secret, { ...answer, siteNo: 'RF9999' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('ANSWER_MISMATCH');
    await unchanged();
  });

  it('refuses an unknown grantee as GRANTEE_UNKNOWN', async () => {
    const { answer, unchanged } = await openRequest();
    const res = await callback(app(), secret, { ...answer, grantee: '13400009999' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('GRANTEE_UNKNOWN');
    await unchanged();
  });

  it('refuses the answer of a disabled authorizer as AUTHORIZER_DISABLED', async () => {
    const { answer, unchanged } = await openRequest();
    const patch = (status: string) =>
      app().inject({
        method: 'PATCH',
        url: '/v1/admin/authorizers/0001',
        headers: admin,
        payload: { status },
      });
    await patch('disabled');
    try {
      const res = await callback(app(), secret, answer);
      expect(res.statusCode).toBe(409);
      expect(res.json().error.code).toBe('AUTHORIZER_DISABLED');
      await unchanged();
    } finally {
      await patch('normal');
    }
  });

  it("refuses an answer for another authorizer's request as AUTHORIZATION_REQUEST_NOT_FOUND", async () => {
    const { answer, unchanged } = await openRequest();
    const res = await callback(app(), secret, { ...answer, requestId: `Q${'0'.repeat(24)}` });
    expect(res.json().error.code).toBe('AUTHORIZATION_REQUEST_NOT_FOUND');
    await unchanged();
  });

  it('refuses an answer after the request expired as AUTHORIZATION_REQUEST_EXPIRED, fails it and tells the holder', async () => {
    const { holder, request, answer, unchanged } = await openRequest();
    await cloud.server.db
      .updateTable('authorization_requests')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', request.id)
      .execute();
    const res = await callback(app(), secret, answer);
    expect(res.statusCode).toBe(410);
    expect(res.json().error.code).toBe('AUTHORIZATION_REQUEST_EXPIRED');
    await unchanged('failed');
    const failed = (await notesOf(app(), holder.auth)).find((n) => n.kind === 'authorization.failed');
    expect(failed?.payload).toMatchObject({ requestId: request.id, code: 'AUTHORIZATION_REQUEST_EXPIRED' });
    const again = await callback(app(), secret, answer, { at: new Date(Date.now() + 1000) });
    expect(again.json().error.code).toBe('AUTHORIZATION_REQUEST_EXPIRED');
  });

  it('applies the first of two answers and refuses the second as AUTHORIZATION_REQUEST_ANSWERED, also when they race', async () => {
    const { siteNo, courier, answer } = await openRequest();
    const other = await userWithTel(app(), `1346700${String(site).padStart(4, '0')}`);
    const [a, b] = await Promise.all([
      callback(app(), secret, answer),
      callback(app(), secret, { ...answer, grantee: other.tel }),
    ]);
    const codes = [a, b].map((r) => (r.statusCode === 200 ? 'ok' : r.json().error.code)).sort();
    expect(codes).toEqual(['AUTHORIZATION_REQUEST_ANSWERED', 'ok']);
    const winner = a.statusCode === 200 ? courier.id : other.id;
    expect(await boxOf(app(), siteNo, '01')).toMatchObject({ holderId: winner });
  });

  it('refuses a callback body that is not an answer as VALIDATION_FAILED', async () => {
    const { answer, unchanged } = await openRequest();
    const res = await callback(app(), secret, { ...answer, grantee: undefined });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
    await unchanged();
  });

  it("fails the request when the authorizer's immediate answer is badly signed; the holder is told, the box unchanged", async () => {
    const siteNo = 'RF8000';
    const { holder } = await holderWithBox(app(), siteNo, '13488808000');
    const courier = await userWithTel(app(), '13466608000');
    const asked = (
      await askAuthorizer(app(), holder.auth, { siteNo, boxNo: '01', authorizerNo: '0001' })
    ).json();
    const saved = fake.secret;
    fake.secret = 'las_someone-else';
    fake.respond = (m) => ({
      status: 200,
      signed: true,
      body: { requestId: m.json.requestId, siteNo, boxNo: '01', grantee: courier.tel, authorizerNo: '0001' },
    });
    try {
      await cloud.server.authorizers.sender.pass();
    } finally {
      fake.secret = saved;
    }
    const view = await requestOf(app(), holder.auth, asked.id);
    expect(view).toMatchObject({ state: 'failed', failureCode: 'SIGNATURE_INVALID', grantee: null });
    expect(await boxOf(app(), siteNo, '01')).toMatchObject({ holderId: holder.id });
    const failed = (await notesOf(app(), holder.auth)).find((n) => n.kind === 'authorization.failed');
    expect(failed?.payload).toMatchObject({ requestId: asked.id, code: 'SIGNATURE_INVALID' });
  });

  it('fails the request when the immediate answer names another request, and leaves that other request alone', async () => {
    const other = await openRequest();
    const siteNo = 'RF8001';
    const { holder } = await holderWithBox(app(), siteNo, '13488808001');
    const asked = (
      await askAuthorizer(app(), holder.auth, { siteNo, boxNo: '01', authorizerNo: '0001' })
    ).json();
    fake.respond = () => ({ status: 200, signed: true, body: other.answer });
    await cloud.server.authorizers.sender.pass();
    expect(await requestOf(app(), holder.auth, asked.id)).toMatchObject({
      state: 'failed',
      failureCode: 'ANSWER_MISMATCH',
    });
    expect(await boxOf(app(), siteNo, '01')).toMatchObject({ holderId: holder.id });
    await other.unchanged();
  });

  it('takes a callback signed with the old secret during the grace after a rotation, and refuses it once a rotation gave none', async () => {
    const first = await openRequest();
    const rotate = (graceSeconds?: number) =>
      app().inject({
        method: 'POST',
        url: '/v1/admin/authorizers/0001/secret',
        headers: admin,
        payload: graceSeconds === undefined ? {} : { graceSeconds },
      });
    const rotated = await rotate();
    expect(rotated.statusCode).toBe(200);
    const fresh = rotated.json().secret as string;
    // The authorizer has not switched yet: its callback is still signed with the old secret.
    const late = await callback(app(), secret, first.answer);
    expect(late.statusCode).toBe(200);
    fake.secret = fresh;
    const second = await openRequest();
    const cut = await rotate(0);
    const newest = cut.json().secret as string;
    const stale = await callback(app(), fresh, second.answer);
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe('SIGNATURE_INVALID');
    await second.unchanged();
    expect((await callback(app(), newest, second.answer)).statusCode).toBe(200);
    secret = newest;
    fake.secret = newest;
  });
});

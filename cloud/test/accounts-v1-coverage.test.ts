import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/accounts/session-tokens.js';
import {
  JPEG,
  loginV1,
  PNG,
  registerV1,
  startAccountsCloud,
  type TestCloud,
  uniqueTel,
  userWithToken,
  VALID_PRC_ID,
} from './accounts-helpers.js';
import { ADMIN_TOKEN } from './helpers.js';

type Res = { statusCode: number; json: () => unknown };
const failure = (res: Res) => [res.statusCode, (res.json() as { error: { code: string } }).error.code];
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const SOME_USER = `U2016-06-01${'0'.repeat(40)}`;
const SOME_RIGHT = `R${'0'.repeat(24)}`;
const SOME_GRANT = `G${'0'.repeat(24)}`;
const SOME_REQUEST = `Q${'0'.repeat(24)}`;
const SOME_ADDRESS = `A2016-06-01${'0'.repeat(64)}`;
const SOME_TASK = `T2016-06-01${'0'.repeat(40)}`;
const SOME_AGENT = `D2016-06-01${'0'.repeat(40)}`;
const A_TASK = { ew: 108.94, ns: 34.26, r: 3000, wei: 1.5, size: { x: 30, y: 20, z: 10 }, cost: 500 };
const AN_AGENT = { dd: 'at the gate', ew: 108.94, ns: 34.26, r: 500 };

/**
 * One request per bearer-authenticated /v1 route whose body and parameters pass validation, so
 * only the token decides the answer. A test checks that it names every such route of the OpenAPI
 * document, so a new route cannot skip the token checks.
 */
const AUTHENTICATED: Record<string, Omit<InjectOptions, 'headers'>> = {
  'DELETE /v1/sessions/current': { method: 'DELETE', url: '/v1/sessions/current' },
  'GET /v1/me': { method: 'GET', url: '/v1/me' },
  'PATCH /v1/me': { method: 'PATCH', url: '/v1/me', payload: { email: 'x@y.cn' } },
  'PUT /v1/me/password': {
    method: 'PUT',
    url: '/v1/me/password',
    payload: { currentPassword: 'whatever', newPassword: 'long-enough-1' },
  },
  'GET /v1/me/verification': { method: 'GET', url: '/v1/me/verification' },
  'PUT /v1/me/verification': {
    method: 'PUT',
    url: '/v1/me/verification',
    payload: { tel: '13900000000', realName: '王五', prcId: VALID_PRC_ID, address: 'x' },
  },
  'PUT /v1/me/avatar': { method: 'PUT', url: '/v1/me/avatar', payload: { photo: JPEG.toString('base64') } },
  'GET /v1/users/{userId}': { method: 'GET', url: `/v1/users/${SOME_USER}` },
  'GET /v1/users/{userId}/avatar': { method: 'GET', url: `/v1/users/${SOME_USER}/avatar` },
  'GET /v1/me/addresses': { method: 'GET', url: '/v1/me/addresses' },
  'POST /v1/me/addresses': { method: 'POST', url: '/v1/me/addresses', payload: { addr: 'x', zip: '710061' } },
  'PUT /v1/me/addresses/{addressId}': {
    method: 'PUT',
    url: `/v1/me/addresses/${SOME_ADDRESS}`,
    payload: { addr: 'x', zip: '710061' },
  },
  'DELETE /v1/me/addresses/{addressId}': { method: 'DELETE', url: `/v1/me/addresses/${SOME_ADDRESS}` },
  'GET /v1/me/notifications': { method: 'GET', url: '/v1/me/notifications' },
  'POST /v1/me/notifications/ack': {
    method: 'POST',
    url: '/v1/me/notifications/ack',
    payload: { ids: ['N1'] },
  },
  'POST /v1/tasks': { method: 'POST', url: '/v1/tasks', payload: A_TASK },
  'GET /v1/tasks': { method: 'GET', url: '/v1/tasks?ew=108.94&ns=34.26&r=1000' },
  'GET /v1/me/tasks': { method: 'GET', url: '/v1/me/tasks' },
  'GET /v1/tasks/{taskId}': { method: 'GET', url: `/v1/tasks/${SOME_TASK}` },
  'PUT /v1/tasks/{taskId}': { method: 'PUT', url: `/v1/tasks/${SOME_TASK}`, payload: A_TASK },
  'DELETE /v1/tasks/{taskId}': { method: 'DELETE', url: `/v1/tasks/${SOME_TASK}` },
  'POST /v1/tasks/{taskId}/claim': { method: 'POST', url: `/v1/tasks/${SOME_TASK}/claim` },
  'POST /v1/tasks/{taskId}/handover': { method: 'POST', url: `/v1/tasks/${SOME_TASK}/handover` },
  'POST /v1/tasks/{taskId}/offers': {
    method: 'POST',
    url: `/v1/tasks/${SOME_TASK}/offers`,
    payload: { delta: 100 },
  },
  'POST /v1/tasks/{taskId}/acceptance': { method: 'POST', url: `/v1/tasks/${SOME_TASK}/acceptance` },
  'POST /v1/tasks/{taskId}/abandonment': { method: 'POST', url: `/v1/tasks/${SOME_TASK}/abandonment` },
  'POST /v1/tasks/{taskId}/payment': { method: 'POST', url: `/v1/tasks/${SOME_TASK}/payment` },
  'POST /v1/tasks/{taskId}/confirmation': { method: 'POST', url: `/v1/tasks/${SOME_TASK}/confirmation` },
  'POST /v1/me/agents': { method: 'POST', url: '/v1/me/agents', payload: AN_AGENT },
  'GET /v1/me/agents': { method: 'GET', url: '/v1/me/agents' },
  'PUT /v1/me/agents/{agentId}': { method: 'PUT', url: `/v1/me/agents/${SOME_AGENT}`, payload: AN_AGENT },
  'DELETE /v1/me/agents/{agentId}': { method: 'DELETE', url: `/v1/me/agents/${SOME_AGENT}` },
  'POST /v1/me/agents/{agentId}/finish': { method: 'POST', url: `/v1/me/agents/${SOME_AGENT}/finish` },
  'GET /v1/agents': { method: 'GET', url: '/v1/agents?ew=108.94&ns=34.26&r=1000' },
  'GET /v1/me/wallet': { method: 'GET', url: '/v1/me/wallet' },
  'POST /v1/parcels': {
    method: 'POST',
    url: '/v1/parcels',
    payload: { waybill: 'COVER-1', recipientTel: '13900000000' },
  },
  'GET /v1/parcels/{parcelId}': { method: 'GET', url: `/v1/parcels/PC0000000${'0'.repeat(16)}` },
  'GET /v1/me/parcels': { method: 'GET', url: '/v1/me/parcels' },
  'GET /v1/parcels/{parcelId}/timeline': {
    method: 'GET',
    url: `/v1/parcels/PC0000000${'0'.repeat(16)}/timeline`,
  },
  'POST /v1/reservations': {
    method: 'POST',
    url: '/v1/reservations',
    payload: { siteNo: '610091A01', size: 'large', endsAt: '2030-01-01T00:00:00Z' },
  },
  'GET /v1/reservations': { method: 'GET', url: '/v1/reservations' },
  'GET /v1/reservations/{reservationId}': { method: 'GET', url: `/v1/reservations/${SOME_RIGHT}` },
  'DELETE /v1/reservations/{reservationId}': { method: 'DELETE', url: `/v1/reservations/${SOME_RIGHT}` },
  'GET /v1/reservations/{reservationId}/timeline': {
    method: 'GET',
    url: `/v1/reservations/${SOME_RIGHT}/timeline`,
  },
  'GET /v1/me/boxes': { method: 'GET', url: '/v1/me/boxes' },
  'POST /v1/authorizations': {
    method: 'POST',
    url: '/v1/authorizations',
    payload: { siteNo: '610091A01', boxNo: '01', grantee: '13499996666' },
  },
  'GET /v1/authorizations': { method: 'GET', url: '/v1/authorizations' },
  'GET /v1/authorizations/{grantId}': { method: 'GET', url: `/v1/authorizations/${SOME_GRANT}` },
  'POST /v1/authorizations/{grantId}/revoke': {
    method: 'POST',
    url: `/v1/authorizations/${SOME_GRANT}/revoke`,
  },
  'POST /v1/authorizations/{grantId}/token': {
    method: 'POST',
    url: `/v1/authorizations/${SOME_GRANT}/token`,
  },
  'GET /v1/authorizations/{grantId}/timeline': {
    method: 'GET',
    url: `/v1/authorizations/${SOME_GRANT}/timeline`,
  },
  'POST /v1/me/grants/{grantId}/access-code': {
    method: 'POST',
    url: `/v1/me/grants/${SOME_GRANT}/access-code`,
    payload: { accessCodeSealed: 'v1.sealed.value' },
  },
  'GET /v1/sites/{siteNo}/boxes/{boxNo}/timeline': {
    method: 'GET',
    url: '/v1/sites/610091A01/boxes/01/timeline',
  },
  'GET /v1/authorizers': { method: 'GET', url: '/v1/authorizers' },
  'POST /v1/authorizations/third-party': {
    method: 'POST',
    url: '/v1/authorizations/third-party',
    payload: { siteNo: '610091A01', boxNo: '01', authorizerNo: '0001' },
  },
  'GET /v1/authorizations/third-party': { method: 'GET', url: '/v1/authorizations/third-party' },
  'GET /v1/authorizations/third-party/{requestId}': {
    method: 'GET',
    url: `/v1/authorizations/third-party/${SOME_REQUEST}`,
  },
  'GET /v1/authorizations/third-party/{requestId}/timeline': {
    method: 'GET',
    url: `/v1/authorizations/third-party/${SOME_REQUEST}/timeline`,
  },
};

describe('every /v1 route: token failures and the failure codes not shown elsewhere', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    app = cloud.server.app;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('lists every bearer-authenticated route of the OpenAPI document in the token table', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
    };
    const bearerRoutes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security?.some((s) => 'bearer' in s))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(bearerRoutes.sort()).toEqual(Object.keys(AUTHENTICATED).sort());
  });

  it('answers a missing, unknown, expired and revoked token on every authenticated route with 401', async () => {
    const u = await userWithToken(app);
    const expired = await loginV1(app, u.name, u.password);
    await cloud.server.db
      .updateTable('user_sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('token_hash', '=', hashToken(expired))
      .execute();
    const revoked = await loginV1(app, u.name, u.password);
    await app.inject({
      method: 'DELETE',
      url: '/v1/sessions/current',
      headers: { authorization: `Bearer ${revoked}` },
    });
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'UNAUTHORIZED'],
      [{ authorization: 'Bearer lk1_never-issued' }, 'UNAUTHORIZED'],
      [{ authorization: 'Basic abc' }, 'UNAUTHORIZED'],
      [{ authorization: `Bearer ${expired}` }, 'TOKEN_EXPIRED'],
      [{ authorization: `Bearer ${revoked}` }, 'TOKEN_REVOKED'],
    ];
    for (const [route, request] of Object.entries(AUTHENTICATED)) {
      for (const [headers, expected] of cases) {
        const res = await app.inject({ ...request, headers });
        expect([route, ...failure(res)]).toEqual([route, 401, expected]);
      }
    }
    // None of these requests changed anything: the account still answers with its first token.
    expect((await app.inject({ method: 'GET', url: '/v1/me', headers: u.auth })).statusCode).toBe(200);
  });

  it('POST /v1/sessions refuses a body without a password with VALIDATION_FAILED', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { login: 'someone' } });
    expect(failure(res)).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('PATCH /v1/me refuses a malformed tel and a tel of another account', async () => {
    const me = await userWithToken(app);
    const other = await userWithToken(app);
    const tel = uniqueTel();
    await app.inject({ method: 'PATCH', url: '/v1/me', headers: other.auth, payload: { tel } });
    const bad = await app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: me.auth,
      payload: { tel: '12' },
    });
    expect(failure(bad)).toEqual([400, 'VALIDATION_FAILED']);
    const taken = await app.inject({ method: 'PATCH', url: '/v1/me', headers: me.auth, payload: { tel } });
    expect(failure(taken)).toEqual([409, 'TEL_TAKEN']);
  });

  it('PUT /v1/me/password refuses a too short new password and keeps the old one', async () => {
    const me = await userWithToken(app);
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/me/password',
      headers: me.auth,
      payload: { currentPassword: me.password, newPassword: 'short' },
    });
    expect(failure(res)).toEqual([400, 'VALIDATION_FAILED']);
    expect((await app.inject({ method: 'GET', url: '/v1/me', headers: me.auth })).statusCode).toBe(200);
  });

  it('PUT /v1/me/verification refuses the phone number of another account with TEL_TAKEN', async () => {
    const me = await userWithToken(app);
    const other = await userWithToken(app);
    const tel = uniqueTel();
    await app.inject({ method: 'PATCH', url: '/v1/me', headers: other.auth, payload: { tel } });
    const res = await app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: { tel, realName: '王五', prcId: VALID_PRC_ID, address: 'x', photo: PNG.toString('base64') },
    });
    expect(failure(res)).toEqual([409, 'TEL_TAKEN']);
  });

  it('PUT /v1/me/avatar refuses a photo over 512 KB and text that is not base64', async () => {
    const me = await userWithToken(app);
    const big = Buffer.concat([JPEG, Buffer.alloc(512 * 1024)]).toString('base64');
    const tooBig = await app.inject({
      method: 'PUT',
      url: '/v1/me/avatar',
      headers: me.auth,
      payload: { photo: big },
    });
    expect(failure(tooBig)).toEqual([413, 'PHOTO_TOO_LARGE']);
    const notBase64 = await app.inject({
      method: 'PUT',
      url: '/v1/me/avatar',
      headers: me.auth,
      payload: { photo: '***' },
    });
    expect(failure(notBase64)).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('GET /v1/users/{userId}/avatar refuses an unknown user and a malformed id', async () => {
    const me = await userWithToken(app);
    const unknown = await app.inject({
      method: 'GET',
      url: `/v1/users/${SOME_USER}/avatar`,
      headers: me.auth,
    });
    expect(failure(unknown)).toEqual([404, 'USER_NOT_FOUND']);
    const malformed = await app.inject({ method: 'GET', url: '/v1/users/bob/avatar', headers: me.auth });
    expect(failure(malformed)).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('PUT and DELETE /v1/me/addresses/{addressId} refuse a malformed id; POST a missing zip', async () => {
    const me = await userWithToken(app);
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/me/addresses/A1',
      headers: me.auth,
      payload: { addr: 'x', zip: '710061' },
    });
    expect(failure(put)).toEqual([400, 'VALIDATION_FAILED']);
    const del = await app.inject({ method: 'DELETE', url: '/v1/me/addresses/A1', headers: me.auth });
    expect(failure(del)).toEqual([400, 'VALIDATION_FAILED']);
    const post = await app.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: me.auth,
      payload: { addr: 'x' },
    });
    expect(failure(post)).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('POST /v1/me/notifications/ack refuses an empty list of ids', async () => {
    const me = await userWithToken(app);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/me/notifications/ack',
      headers: me.auth,
      payload: { ids: [] },
    });
    expect(failure(res)).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('the operator routes refuse a missing admin token, a bad query or body and an unknown user', async () => {
    const list = await app.inject({ method: 'GET', url: '/v1/admin/verifications' });
    expect(failure(list)).toEqual([401, 'UNAUTHORIZED']);
    const badStatus = await app.inject({
      method: 'GET',
      url: '/v1/admin/verifications?status=maybe',
      headers: admin,
    });
    expect(failure(badStatus)).toEqual([400, 'VALIDATION_FAILED']);
    const user = await registerV1(app);
    const noToken = await app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${user.id}`,
      payload: { decision: 'pass' },
    });
    expect(failure(noToken)).toEqual([401, 'UNAUTHORIZED']);
    const badDecision = await app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${user.id}`,
      headers: admin,
      payload: { decision: 'maybe' },
    });
    expect(failure(badDecision)).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${SOME_USER}`,
      headers: admin,
      payload: { decision: 'pass' },
    });
    expect(failure(unknown)).toEqual([404, 'USER_NOT_FOUND']);
    const notPending = await app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${user.id}`,
      headers: admin,
      payload: { decision: 'pass' },
    });
    expect(failure(notPending)).toEqual([409, 'INVALID_TRANSITION']);
  });
});

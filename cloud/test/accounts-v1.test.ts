import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JPEG,
  loginV1,
  PNG,
  registerV1,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
  uniqueTel,
  userWithToken,
  VALID_PRC_ID,
} from './accounts-helpers.js';
import { ADMIN_TOKEN } from './helpers.js';

type Res = { statusCode: number; json: () => unknown };
const code = (res: Res) => (res.json() as { error: { code: string } }).error.code;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('the /v1 accounts API', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    app = cloud.server.app;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('registers an account and refuses a taken name, a taken tel and a bad body', async () => {
    const tel = uniqueTel();
    const name = uniqueName();
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name, password: 'longenough', tel },
    });
    expect(ok.statusCode).toBe(201);
    expect((ok.json() as { id: string }).id).toMatch(/^U\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/);
    const again = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name, password: 'longenough' },
    });
    expect([again.statusCode, code(again)]).toEqual([409, 'NAME_TAKEN']);
    const telAgain = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name: uniqueName(), password: 'longenough', tel },
    });
    expect([telAgain.statusCode, code(telAgain)]).toEqual([409, 'TEL_TAKEN']);
    for (const payload of [
      { name: '1abc', password: 'longenough' },
      { name: uniqueName(), password: 'short' },
    ]) {
      const bad = await app.inject({ method: 'POST', url: '/v1/accounts', payload });
      expect([bad.statusCode, code(bad)]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });

  it('logs in by name, tel or id and refuses a wrong password with LOGIN_FAILED', async () => {
    const tel = uniqueTel();
    const name = uniqueName();
    const reg = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name, password: 'pass-word-1', tel },
    });
    const { id } = reg.json() as { id: string };
    for (const login of [name, tel, id]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        payload: { login, password: 'pass-word-1' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ userId: id, token: expect.stringMatching(/^lk1_/) });
    }
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { login: name, password: 'nope' },
    });
    expect([bad.statusCode, code(bad)]).toEqual([401, 'LOGIN_FAILED']);
    const nobody = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { login: 'ghost', password: 'x' },
    });
    expect([nobody.statusCode, code(nobody)]).toEqual([401, 'LOGIN_FAILED']);
  });

  it('refuses a missing, wrong, expired and revoked token on authenticated routes', async () => {
    const u = await userWithToken(app);
    expect(code(await app.inject({ method: 'GET', url: '/v1/me' }))).toBe('UNAUTHORIZED');
    const wrong = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: 'Bearer lk1_nope' },
    });
    expect([wrong.statusCode, code(wrong)]).toEqual([401, 'UNAUTHORIZED']);
    const expiring = await loginV1(app, u.name, u.password);
    await cloud.server.db
      .updateTable('user_sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('user_id', '=', u.id)
      .where('token_hash', '!=', (await import('../src/accounts/session-tokens.js')).hashToken(u.token))
      .execute();
    const expired = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${expiring}` },
    });
    expect([expired.statusCode, code(expired)]).toEqual([401, 'TOKEN_EXPIRED']);
    const out = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: u.auth });
    expect(out.statusCode).toBe(204);
    const revoked = await app.inject({ method: 'GET', url: '/v1/me', headers: u.auth });
    expect([revoked.statusCode, code(revoked)]).toEqual([401, 'TOKEN_REVOKED']);
    const outAgain = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: u.auth });
    expect(code(outAgain)).toBe('TOKEN_REVOKED');
  });

  it('shows your own info in full and another user only by id and name', async () => {
    const me = await userWithToken(app);
    const other = await registerV1(app);
    const own = await app.inject({ method: 'GET', url: '/v1/me', headers: me.auth });
    expect(own.json()).toEqual({ id: me.id, name: me.name, tel: null, email: null });
    const theirs = await app.inject({ method: 'GET', url: `/v1/users/${other.id}`, headers: me.auth });
    expect(theirs.json()).toEqual({ id: other.id, name: other.name });
    const missing = await app.inject({
      method: 'GET',
      url: `/v1/users/U2016-06-01${'0'.repeat(40)}`,
      headers: me.auth,
    });
    expect([missing.statusCode, code(missing)]).toEqual([404, 'USER_NOT_FOUND']);
    const malformed = await app.inject({ method: 'GET', url: '/v1/users/bob', headers: me.auth });
    expect(code(malformed)).toBe('VALIDATION_FAILED');
  });

  it('changes name, tel and email and refuses a taken name', async () => {
    const me = await userWithToken(app);
    const other = await registerV1(app);
    const tel = uniqueTel();
    const res = await app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: me.auth,
      payload: { tel, email: 'a@b.cn' },
    });
    expect(res.json()).toMatchObject({ tel, email: 'a@b.cn' });
    const taken = await app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: me.auth,
      payload: { name: other.name },
    });
    expect([taken.statusCode, code(taken)]).toEqual([409, 'NAME_TAKEN']);
  });

  it('changes the password: wrong current password refused, old tokens revoked, new token returned', async () => {
    const me = await userWithToken(app);
    const wrong = await app.inject({
      method: 'PUT',
      url: '/v1/me/password',
      headers: me.auth,
      payload: { currentPassword: 'not it', newPassword: 'another-password' },
    });
    expect([wrong.statusCode, code(wrong)]).toEqual([403, 'PASSWORD_MISMATCH']);
    const ok = await app.inject({
      method: 'PUT',
      url: '/v1/me/password',
      headers: me.auth,
      payload: { currentPassword: me.password, newPassword: 'another-password' },
    });
    expect(ok.statusCode).toBe(200);
    const fresh = (ok.json() as { token: string }).token;
    expect(code(await app.inject({ method: 'GET', url: '/v1/me', headers: me.auth }))).toBe('TOKEN_REVOKED');
    const meNow = await app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { authorization: `Bearer ${fresh}` },
    });
    expect(meNow.statusCode).toBe(200);
    await expect(loginV1(app, me.name, me.password)).rejects.toThrow();
    await loginV1(app, me.name, 'another-password');
  });

  it('runs identity verification: submit, pending, operator passes, photo served as avatar', async () => {
    const me = await userWithToken(app);
    const body = {
      tel: uniqueTel(),
      realName: '王五',
      prcId: VALID_PRC_ID,
      address: '陕西省西安市',
      photo: PNG.toString('base64'),
    };
    const before = await app.inject({ method: 'GET', url: '/v1/me/verification', headers: me.auth });
    expect((before.json() as { status: string }).status).toBe('none');
    const sub = await app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: body,
    });
    expect(sub.statusCode).toBe(202);
    expect((sub.json() as { status: string }).status).toBe('pending');
    const list = await app.inject({ method: 'GET', url: '/v1/admin/verifications', headers: admin });
    const cases = (list.json() as { cases: Array<{ userId: string; prcId: string }> }).cases;
    expect(cases.find((c) => c.userId === me.id)?.prcId).toBe(VALID_PRC_ID);
    const noAdmin = await app.inject({ method: 'GET', url: '/v1/admin/verifications', headers: me.auth });
    expect(code(noAdmin)).toBe('UNAUTHORIZED');
    const pass = await app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${me.id}`,
      headers: admin,
      payload: { decision: 'reject', note: 'photo unclear' },
    });
    expect((pass.json() as { status: string; note: string }).status).toBe('rejected');
    const twice = await app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${me.id}`,
      headers: admin,
      payload: { decision: 'pass' },
    });
    expect([twice.statusCode, code(twice)]).toEqual([409, 'INVALID_TRANSITION']);
    const avatar = await app.inject({ method: 'GET', url: `/v1/users/${me.id}/avatar`, headers: me.auth });
    expect(avatar.headers['content-type']).toBe('image/png');
    expect(avatar.rawPayload.equals(PNG)).toBe(true);
  });

  it('refuses a photo over 512 KB, a non-image and a malformed identity number', async () => {
    const me = await userWithToken(app);
    const base = { tel: uniqueTel(), realName: '王五', prcId: VALID_PRC_ID, address: 'x' };
    const big = Buffer.concat([JPEG, Buffer.alloc(512 * 1024)]).toString('base64');
    const tooBig = await app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: { ...base, photo: big },
    });
    expect([tooBig.statusCode, code(tooBig)]).toEqual([413, 'PHOTO_TOO_LARGE']);
    const html = Buffer.from('<script>alert(1)</script>').toString('base64');
    const notImage = await app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: { ...base, photo: html },
    });
    expect([notImage.statusCode, code(notImage)]).toEqual([415, 'NOT_AN_IMAGE']);
    for (const prcId of [
      '11010519491231002Y',
      '110105194913310028',
      '11010519491231002x',
      '1101051949123100',
    ]) {
      const res = await app.inject({
        method: 'PUT',
        url: '/v1/me/verification',
        headers: me.auth,
        payload: { ...base, prcId, photo: JPEG.toString('base64') },
      });
      expect([res.statusCode, code(res)]).toEqual([400, 'ID_NUMBER_INVALID']);
    }
    const noPhoto = await app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: base,
    });
    expect(code(noPhoto)).toBe('VALIDATION_FAILED');
    const state = await app.inject({ method: 'GET', url: '/v1/me/verification', headers: me.auth });
    expect((state.json() as { status: string }).status).toBe('none');
    const noAvatar = await app.inject({ method: 'GET', url: `/v1/users/${me.id}/avatar`, headers: me.auth });
    expect([noAvatar.statusCode, code(noAvatar)]).toEqual([404, 'AVATAR_NOT_FOUND']);
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/me/avatar',
      headers: me.auth,
      payload: { photo: html },
    });
    expect(code(put)).toBe('NOT_AN_IMAGE');
    const putOk = await app.inject({
      method: 'PUT',
      url: '/v1/me/avatar',
      headers: me.auth,
      payload: { photo: JPEG.toString('base64') },
    });
    expect(putOk.statusCode).toBe(204);
  });

  it('adds, changes, lists and deletes delivery addresses, only your own', async () => {
    const me = await userWithToken(app);
    const other = await userWithToken(app);
    const add = await app.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: me.auth,
      payload: {
        addr: '雁塔路1号',
        zip: '710061',
        p: '陕西省',
        c: '西安市',
        d: '雁塔区',
        b: '小寨街道',
        v: '某小区',
      },
    });
    expect(add.statusCode).toBe(201);
    const { id } = add.json() as { id: string };
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/me/addresses/${id}`,
      headers: me.auth,
      payload: { addr: '雁塔路2号', zip: '710061' },
    });
    expect(put.statusCode).toBe(200);
    const list = await app.inject({ method: 'GET', url: '/v1/me/addresses', headers: me.auth });
    expect((list.json() as { addresses: unknown[] }).addresses).toEqual([
      expect.objectContaining({ id, addr: '雁塔路2号', p: null }),
    ]);
    const theirs = await app.inject({ method: 'DELETE', url: `/v1/me/addresses/${id}`, headers: other.auth });
    expect([theirs.statusCode, code(theirs)]).toEqual([404, 'ADDRESS_NOT_FOUND']);
    const badZip = await app.inject({
      method: 'POST',
      url: '/v1/me/addresses',
      headers: me.auth,
      payload: { addr: 'x', zip: '71' },
    });
    expect(code(badZip)).toBe('VALIDATION_FAILED');
    expect(
      (await app.inject({ method: 'DELETE', url: `/v1/me/addresses/${id}`, headers: me.auth })).statusCode,
    ).toBe(204);
    const gone = await app.inject({
      method: 'PUT',
      url: `/v1/me/addresses/${id}`,
      headers: me.auth,
      payload: { addr: 'x', zip: '710061' },
    });
    expect(code(gone)).toBe('ADDRESS_NOT_FOUND');
  });

  it('serves the OpenAPI document with the /v1 account routes at /openapi.json', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = res.json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/accounts', '/v1/sessions', '/v1/me/addresses/{addressId}']),
    );
  });
});

describe('abuse limits on login and registration', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud({
      accounts: {
        limits: { loginFailuresPerAccount: 3, loginAttemptsPerAddress: 8, registrationsPerAddress: 3 },
      },
    });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('throttles an account after repeated failures even with the right password, from any address', async () => {
    const app = cloud.server.app;
    const u = await registerV1(app, uniqueName(), 'right-password');
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        remoteAddress: `10.0.0.${i + 1}`,
        payload: { login: u.name, password: 'wrong' },
      });
      expect(code(res)).toBe('LOGIN_FAILED');
    }
    const locked = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      remoteAddress: '10.0.0.99',
      payload: { login: u.name, password: 'right-password' },
    });
    expect([locked.statusCode, code(locked)]).toEqual([429, 'RATE_LIMITED']);
  });

  it('limits login attempts and registrations per client address', async () => {
    const app = cloud.server.app;
    const codes: string[] = [];
    for (let i = 0; i < 9; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        remoteAddress: '10.1.1.1',
        payload: { login: `ghost_${i}`, password: 'x' },
      });
      codes.push(code(res));
    }
    expect(codes.slice(0, 8).every((c) => c === 'LOGIN_FAILED')).toBe(true);
    expect(codes[8]).toBe('RATE_LIMITED');
    const regs: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/accounts',
        remoteAddress: '10.2.2.2',
        payload: { name: uniqueName(), password: 'longenough' },
      });
      regs.push(res.statusCode);
    }
    expect(regs).toEqual([201, 201, 201, 429]);
  });
});

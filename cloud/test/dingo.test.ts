import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import {
  DingoClient,
  JPEG,
  PNG,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
  uniqueTel,
  VALID_PRC_ID,
} from './accounts-helpers.js';
import { ADMIN_TOKEN } from './helpers.js';

const PASSWORD = 'dingo-password-2016';

describe('the Dingo API through its compatibility layer', () => {
  let cloud: TestCloud;
  let client: DingoClient;
  let userId: string;
  let name: string;
  let tel: string;

  const expectFailure = (res: { headers: Record<string, unknown>; body: string }, code: string) => {
    expect(res.headers.status).toBe('FAILED');
    expect(res.headers['context-where']).toBe('BODY');
    // reason codes are upper-case letters and digits only (appendix B)
    expect(res.body).toBe(code.replaceAll('_', ''));
    expect(res.body).toMatch(/^[A-Z0-9]+$/);
  };

  beforeAll(async () => {
    cloud = await startAccountsCloud();
    client = new DingoClient(cloud.server.app);
    name = uniqueName('dingo');
    tel = uniqueTel();
    const res = await client.post('/regist', { name, pash: sha256hex(PASSWORD), tel });
    expect(res.headers.status).toBe('SUCCESS');
    userId = res.body;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('answers GET / with the server time as Haskell shows a UTCTime', async () => {
    const res = await cloud.server.app.inject({ method: 'GET', url: '/dingo/' });
    expect(res.headers.status).toBe('SUCCESS');
    expect(res.headers['context-where']).toBe('BODY');
    expect(res.body).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})? UTC$/);
  });

  it('registers with name and pash and returns an id of U, the date and 40 hex digits', () => {
    expect(userId).toMatch(/^U\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/);
  });

  it('refuses a second registration of the same name with NAME_TAKEN', async () => {
    expectFailure(await client.post('/regist', { name, pash: sha256hex('x') }), 'NAME_TAKEN');
  });

  it('refuses a pash that is not 64 lower-case hex digits with VALIDATION_FAILED in the envelope', async () => {
    const res = await client.post('/regist', { name: uniqueName(), pash: 'ABC' });
    expectFailure(res, 'VALIDATION_FAILED');
    expect(res.statusCode).toBe(400);
  });

  it('gives two users registered the same day different ids', async () => {
    const a = await client.post('/regist', { name: uniqueName(), pash: sha256hex('a') });
    const b = await client.post('/regist', { name: uniqueName(), pash: sha256hex('a') });
    expect(a.body).not.toBe(b.body);
  });

  it('logs in by name, tel and id with a Haskell timestamp and returns a 150-character token', async () => {
    for (const [field, value] of [
      ['name', name],
      ['tel', tel],
      ['id', userId],
    ] as const) {
      const c = new DingoClient(cloud.server.app);
      const res = await c.login(field, value, PASSWORD);
      expect(res.headers.status).toBe('SUCCESS');
      expect(res.body).toHaveLength(150);
    }
  });

  it('logs in with an ISO 8601 timestamp and with the SHA-384 hash of appendix A.2', async () => {
    const iso = new Date().toISOString();
    expect((await new DingoClient(cloud.server.app).login('name', name, PASSWORD, iso)).headers.status).toBe(
      'SUCCESS',
    );
    const ts = formatHaskellUtc(new Date());
    const { createHash } = await import('node:crypto');
    const pash384 = createHash('sha384')
      .update(`nnnn${sha256hex(PASSWORD)}${ts}`)
      .digest('hex');
    const res = await client.post('/login', { name, pash: pash384 }, { 'time-stamp': ts });
    expect(res.headers.status).toBe('SUCCESS');
  });

  it('refuses a login hash that was already used with HASH_REPLAYED', async () => {
    const ts = formatHaskellUtc(new Date());
    const pash = DingoClient.loginHash('nnnn', PASSWORD, ts);
    const first = await client.post('/login', { name, pash }, { 'time-stamp': ts });
    expect(first.headers.status).toBe('SUCCESS');
    expectFailure(await client.post('/login', { name, pash }, { 'time-stamp': ts }), 'HASH_REPLAYED');
  });

  it('refuses timestamps more than 12 seconds from server time, in the past or the future', async () => {
    for (const offset of [-60_000, 60_000]) {
      const ts = formatHaskellUtc(new Date(Date.now() + offset));
      const res = await new DingoClient(cloud.server.app).login('name', name, PASSWORD, ts);
      expectFailure(res, 'TIMESTAMP_OUT_OF_WINDOW');
    }
  });

  it('refuses a missing or unreadable TIME-STAMP and a wrong password', async () => {
    const pash = DingoClient.loginHash('nnnn', PASSWORD, 'x');
    expectFailure(await client.post('/login', { name, pash }), 'VALIDATION_FAILED');
    expectFailure(
      await client.post('/login', { name, pash }, { 'time-stamp': 'yesterday' }),
      'VALIDATION_FAILED',
    );
    expectFailure(await new DingoClient(cloud.server.app).login('name', name, 'wrong'), 'LOGIN_FAILED');
    expectFailure(
      await new DingoClient(cloud.server.app).login('name', 'nobody_here', PASSWORD),
      'LOGIN_FAILED',
    );
  });

  it('refuses requests without a TMP-TOKEN or with an unknown one', async () => {
    const anon = new DingoClient(cloud.server.app);
    expectFailure(await anon.post('/usrinfo'), 'UNAUTHORIZED');
    anon.token = 'x'.repeat(150);
    expectFailure(await anon.post('/usrinfo'), 'UNAUTHORIZED');
  });

  it('submits identity with a multipart photo, then reports PENDING and after review PASSED', async () => {
    await client.login('name', name, PASSWORD);
    const res = await client.postMultipart(
      '/identify',
      { tel, email: 'dingo@example.com', rname: '张三', prcid: VALID_PRC_ID, addr: '西安市雁塔区' },
      { pic: JPEG },
    );
    expect(res.headers.status).toBe('SUCCESS');
    expect((await client.post('/identified')).body).toBe('PENDING');
    const review = await cloud.server.app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${userId}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { decision: 'pass' },
    });
    expect(review.statusCode).toBe(200);
    expect((await client.post('/identified')).body).toBe('PASSED');
  });

  it('refuses a photo over 512 KB, a photo that is not an image and a malformed identity number', async () => {
    const fields = { tel, rname: '张三', prcid: VALID_PRC_ID, addr: 'x' };
    const big = Buffer.concat([JPEG, Buffer.alloc(512 * 1024)]);
    expectFailure(await client.postMultipart('/identify', fields, { pic: big }), 'PHOTO_TOO_LARGE');
    expectFailure(
      await client.postMultipart('/identify', fields, { pic: Buffer.from('<html>not an image</html>') }),
      'NOT_AN_IMAGE',
    );
    for (const prcid of ['11010519491231002', '110105194912310021', VALID_PRC_ID.replace('X', 'x')]) {
      expectFailure(
        await client.postMultipart('/identify', { ...fields, prcid }, { pic: JPEG }),
        'ID_NUMBER_INVALID',
      );
    }
    expect((await client.post('/identified')).body).toBe('PASSED');
  });

  it('shows full info to the user and only id and name of another user', async () => {
    const own = await client.post('/usrinfo');
    expect(own.headers['content-type']).toMatch(/application\/json/);
    expect(own.json()).toEqual({ id: userId, name, tel, email: 'dingo@example.com' });
    const other = await client.post('/regist', { name: uniqueName(), pash: sha256hex('other') });
    expect((await client.post('/usrinfo', { id: other.body })).json()).toEqual({
      id: other.body,
      name: expect.any(String),
    });
    expectFailure(await client.post('/usrinfo', { id: `U2016-06-01${'0'.repeat(40)}` }), 'USER_NOT_FOUND');
  });

  it('returns the avatar as the body with its image type', async () => {
    const res = await client.post('/usrhimg');
    expect(res.headers.status).toBe('SUCCESS');
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.rawPayload.equals(JPEG)).toBe(true);
  });

  it('changes info, and a new photo or identity sends verification back to PENDING', async () => {
    const res = await client.postMultipart(
      '/usrinfochange',
      { name, tel, email: 'new@example.com', rname: '张三', prcid: VALID_PRC_ID, addr: '西安市雁塔区' },
      { pic: PNG },
    );
    expect(res.headers.status).toBe('SUCCESS');
    expect((await client.post('/usrinfo')).json().email).toBe('new@example.com');
    expect((await client.post('/identified')).body).toBe('PENDING');
    expect((await client.post('/usrhimg')).headers['content-type']).toBe('image/png');
    expectFailure(
      await client.post('/usrinfochange', {
        name,
        tel,
        email: 'a@b.cn',
        rname: 'x',
        prcid: '123',
        addr: 'y',
      }),
      'ID_NUMBER_INVALID',
    );
  });

  it('adds, changes, lists and deletes delivery addresses with aid and opt', async () => {
    const add = await client.post('/upeaddr', {
      opt: 'AF',
      addr: '太白南路2号',
      zip: '710071',
      p: '陕西',
      c: '西安',
    });
    expect(add.headers.status).toBe('SUCCESS');
    const aid = add.body;
    expect(aid).toMatch(/^A\d{4}-\d{2}-\d{2}[0-9a-f]{64}$/);
    const again = await client.post('/upeaddr', { opt: 'AF', addr: '太白南路2号', zip: '710071' });
    expect(again.body).not.toBe(aid);
    const change = await client.post('/upeaddr', { opt: 'AF', aid, addr: '太白南路3号', zip: '710071' });
    expect(change.body).toBe(aid);
    let list = (await client.post('/geteaddr')).json() as Array<{
      aid: string;
      addr: string;
      p: string | null;
    }>;
    expect(list.find((a) => a.aid === aid)).toMatchObject({ addr: '太白南路3号', p: null });
    expect((await client.post('/upeaddr', { opt: 'DEL', aid })).body).toBe(aid);
    list = (await client.post('/geteaddr')).json();
    expect(list.map((a) => a.aid)).not.toContain(aid);
    expectFailure(await client.post('/upeaddr', { opt: 'DEL', aid }), 'ADDRESS_NOT_FOUND');
    expectFailure(await client.post('/upeaddr', { opt: 'AF', addr: 'x', zip: '7100' }), 'VALIDATION_FAILED');
    expectFailure(
      await client.post('/upeaddr', { opt: 'af', addr: 'x', zip: '710071' }),
      'VALIDATION_FAILED',
    );
  });

  it("keeps another user's addresses out of reach", async () => {
    const other = new DingoClient(cloud.server.app);
    const otherName = uniqueName();
    await other.post('/regist', { name: otherName, pash: sha256hex(PASSWORD) });
    await other.login('name', otherName, PASSWORD);
    const aid = (await other.post('/upeaddr', { opt: 'AF', addr: 'secret place', zip: '100000' })).body;
    expectFailure(await client.post('/upeaddr', { opt: 'DEL', aid }), 'ADDRESS_NOT_FOUND');
    expectFailure(
      await client.post('/upeaddr', { opt: 'AF', aid, addr: 'mine now', zip: '100000' }),
      'ADDRESS_NOT_FOUND',
    );
    // another id: the last hex digit changed (never to itself)
    const otherId = userId.replace(/.$/, (d) => (d === '0' ? '1' : '0'));
    expectFailure(await client.post('/geteaddr', { uid: otherId }), 'FORBIDDEN');
  });

  it('changes the password, revokes every token and accepts only the new password', async () => {
    const second = new DingoClient(cloud.server.app);
    await second.login('name', name, PASSWORD);
    expect((await client.post('/changpash', { pash: sha256hex('brand-new-2016') })).headers.status).toBe(
      'SUCCESS',
    );
    expectFailure(await client.post('/usrinfo'), 'TOKEN_REVOKED');
    expectFailure(await second.post('/usrinfo'), 'TOKEN_REVOKED');
    expectFailure(await new DingoClient(cloud.server.app).login('name', name, PASSWORD), 'LOGIN_FAILED');
    expect((await client.login('name', name, 'brand-new-2016')).headers.status).toBe('SUCCESS');
  });

  it('logs out by revoking the TMP-TOKEN', async () => {
    expect((await client.post('/logout')).headers.status).toBe('SUCCESS');
    expectFailure(await client.post('/usrinfo'), 'TOKEN_REVOKED');
  });

  it('answers unknown routes under the prefix with the envelope, not the /v1 error body', async () => {
    const res = await client.post('/upload-nothing');
    expectFailure(res, 'NOT_FOUND');
    expect(res.statusCode).toBe(404);
  });
});

describe('the Dingo layer configured like the 2016 server', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud({ dingo: { prefix: '/legacy', failuresAsHttp200: true } });
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('serves under the configured prefix and answers failures with HTTP 200 and STATUS FAILED', async () => {
    const client = new DingoClient(cloud.server.app, '/legacy');
    const name = uniqueName();
    expect((await client.post('/regist', { name, pash: sha256hex('pw') })).headers.status).toBe('SUCCESS');
    const res = await client.login('name', name, 'wrong');
    expect(res.statusCode).toBe(200);
    expect(res.headers.status).toBe('FAILED');
    expect(res.body).toBe('LOGINFAILED');
    expect((await cloud.server.app.inject({ method: 'GET', url: '/dingo/' })).statusCode).toBe(404);
  });
});

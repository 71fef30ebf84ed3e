import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/accounts/session-tokens.js';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import {
  DingoClient,
  JPEG,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
  uniqueTel,
  VALID_PRC_ID,
} from './accounts-helpers.js';

type DingoRes = { statusCode: number; headers: Record<string, unknown>; body: string };
/** The envelope of a failure: STATUS FAILED, the reason code in the body, the code's HTTP status. */
const failure = (res: DingoRes) => [res.statusCode, res.headers.status, res.body];
const SOME_USER = `U2016-06-01${'0'.repeat(40)}`;

/** The Dingo routes that need a TMP-TOKEN; every other route of the OpenAPI document must be public. */
const AUTHENTICATED = [
  '/logout',
  '/identify',
  '/identified',
  '/usrinfo',
  '/usrhimg',
  '/usrinfochange',
  '/changpash',
  '/upeaddr',
  '/geteaddr',
  '/upload-task',
  '/change-task',
  '/get-task',
  '/bargain-task',
  '/info-task',
  '/pay-task',
  '/add-agent',
  '/del-agent',
  '/static-agent',
];
const PUBLIC = ['/', '/regist', '/login'];

describe('every Dingo route: token failures and the failure codes not shown elsewhere', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  let me: DingoClient;
  let name: string;
  const password = 'dingo-coverage-pw';

  beforeAll(async () => {
    cloud = await startAccountsCloud();
    app = cloud.server.app;
    me = new DingoClient(app);
    name = uniqueName('dingo');
    await me.post('/regist', { name, pash: sha256hex(password) });
    await me.login('name', name, password);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('knows every Dingo route of the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    const routes = Object.keys(doc.paths)
      .filter((p) => p.startsWith('/dingo/'))
      .map((p) => p.slice('/dingo'.length));
    expect(routes.sort()).toEqual([...AUTHENTICATED, ...PUBLIC].sort());
  });

  it('answers a missing, unknown, expired and revoked TMP-TOKEN on every authenticated route', async () => {
    const expired = new DingoClient(app);
    await expired.login('name', name, password);
    await cloud.server.db
      .updateTable('user_sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('token_hash', '=', hashToken(expired.token as string))
      .execute();
    const revoked = new DingoClient(app);
    await revoked.login('name', name, password);
    await revoked.post('/logout');
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'UNAUTHORIZED'],
      ['0'.repeat(150), 'UNAUTHORIZED'],
      [expired.token, 'TOKENEXPIRED'],
      [revoked.token, 'TOKENREVOKED'],
    ];
    for (const route of AUTHENTICATED) {
      for (const [token, reason] of cases) {
        const client = new DingoClient(app);
        client.token = token;
        const res = await client.post(route, { opt: 'DEL', aid: 'x', pash: sha256hex('x') });
        expect([route, ...failure(res)]).toEqual([route, 401, 'FAILED', reason]);
      }
    }
    expect((await me.post('/identified')).headers.status).toBe('SUCCESS');
  });

  it('/login refuses a form naming no account', async () => {
    const ts = formatHaskellUtc(new Date());
    const res = await new DingoClient(app).post(
      '/login',
      { pash: DingoClient.loginHash('nnnn', password, ts) },
      { 'time-stamp': ts },
    );
    expect(failure(res)).toEqual([400, 'FAILED', 'VALIDATIONFAILED']);
  });

  it('/regist refuses a phone number that has an account with TELTAKEN', async () => {
    const tel = uniqueTel();
    const first = await new DingoClient(app).post('/regist', {
      name: uniqueName(),
      pash: sha256hex('a'),
      tel,
    });
    expect(first.headers.status).toBe('SUCCESS');
    const again = await new DingoClient(app).post('/regist', {
      name: uniqueName(),
      pash: sha256hex('a'),
      tel,
    });
    expect(failure(again)).toEqual([409, 'FAILED', 'TELTAKEN']);
  });

  it('/identify refuses a missing pic, a missing field and a phone number of another account', async () => {
    const fields = { tel: uniqueTel(), rname: '张三', prcid: VALID_PRC_ID, addr: 'x' };
    expect(failure(await me.post('/identify', fields))).toEqual([400, 'FAILED', 'VALIDATIONFAILED']);
    const { rname: _omitted, ...noName } = fields;
    expect(failure(await me.postMultipart('/identify', noName, { pic: JPEG }))).toEqual([
      400,
      'FAILED',
      'VALIDATIONFAILED',
    ]);
    const tel = uniqueTel();
    await new DingoClient(app).post('/regist', { name: uniqueName(), pash: sha256hex('a'), tel });
    expect(failure(await me.postMultipart('/identify', { ...fields, tel }, { pic: JPEG }))).toEqual([
      409,
      'FAILED',
      'TELTAKEN',
    ]);
    expect((await me.post('/identified')).body).toBe('NONE');
  });

  it('/usrinfo and /usrhimg refuse a malformed id; /usrhimg an unknown user and a user without photo', async () => {
    expect(failure(await me.post('/usrinfo', { id: 'bob' }))).toEqual([400, 'FAILED', 'VALIDATIONFAILED']);
    expect(failure(await me.post('/usrhimg', { id: 'bob' }))).toEqual([400, 'FAILED', 'VALIDATIONFAILED']);
    expect(failure(await me.post('/usrhimg', { id: SOME_USER }))).toEqual([404, 'FAILED', 'USERNOTFOUND']);
    expect(failure(await me.post('/usrhimg'))).toEqual([404, 'FAILED', 'AVATARNOTFOUND']);
  });

  it('/usrinfochange refuses missing fields, a taken name, a non-image and a photo over 512 KB', async () => {
    const other = uniqueName();
    await new DingoClient(app).post('/regist', { name: other, pash: sha256hex('a') });
    const fields = {
      name,
      tel: uniqueTel(),
      email: 'c@d.cn',
      rname: '张三',
      prcid: VALID_PRC_ID,
      addr: 'x',
    };
    expect(failure(await me.post('/usrinfochange', { name }))).toEqual([400, 'FAILED', 'VALIDATIONFAILED']);
    expect(failure(await me.post('/usrinfochange', { ...fields, name: other }))).toEqual([
      409,
      'FAILED',
      'NAMETAKEN',
    ]);
    expect(
      failure(await me.postMultipart('/usrinfochange', fields, { pic: Buffer.from('<html></html>') })),
    ).toEqual([415, 'FAILED', 'NOTANIMAGE']);
    const big = Buffer.concat([JPEG, Buffer.alloc(512 * 1024)]);
    expect(failure(await me.postMultipart('/usrinfochange', fields, { pic: big }))).toEqual([
      413,
      'FAILED',
      'PHOTOTOOLARGE',
    ]);
    expect((await me.post('/usrinfo')).json()).toMatchObject({ name, email: null });
  });

  it('/changpash refuses a pash that is not 64 hex digits and keeps the password', async () => {
    expect(failure(await me.post('/changpash', { pash: 'plain-password' }))).toEqual([
      400,
      'FAILED',
      'VALIDATIONFAILED',
    ]);
    expect((await new DingoClient(app).login('name', name, password)).headers.status).toBe('SUCCESS');
  });

  it('/geteaddr refuses a malformed uid', async () => {
    expect(failure(await me.post('/geteaddr', { uid: 'nobody' }))).toEqual([
      400,
      'FAILED',
      'VALIDATIONFAILED',
    ]);
  });
});

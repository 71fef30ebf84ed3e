import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/accounts/session-tokens.js';
import { SESSION_ENDED_CLOSE_CODE } from '../src/http/v1/notification-socket-route.js';
import {
  DingoClient,
  loginV1,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
  userWithToken,
} from './accounts-helpers.js';
import { Phone, waitFor } from './notification-phone.js';

const REVOKED = { code: SESSION_ENDED_CLOSE_CODE, reason: 'TOKEN_REVOKED' };

describe('notification sockets end with their token', () => {
  let cloud: TestCloud;
  let wsUrl: string;
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    wsUrl = `${cloud.server.httpUrl.replace('http', 'ws')}/v1/notifications/ws`;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const connected = (userId: string, n: number) =>
    waitFor(() => cloud.server.notifications.connections(userId) === n);

  it('closes the socket of a token logged out on /v1 at once and keeps the other token’s socket', async () => {
    const me = await userWithToken(cloud.server.app);
    const other = await loginV1(cloud.server.app, me.name, me.password);
    const revoked = await Phone.connect(wsUrl, me.auth);
    const kept = await Phone.connect(wsUrl, { authorization: `Bearer ${other}` });
    await connected(me.id, 2);

    const out = await cloud.server.app.inject({
      method: 'DELETE',
      url: '/v1/sessions/current',
      headers: me.auth,
    });
    expect(out.statusCode).toBe(204);
    const after = await cloud.server.notifications.publish(me.id, 'task.changed', { after: 'logout' });

    expect(await revoked.closed).toEqual(REVOKED);
    expect(revoked.frames.filter((f) => f.notification?.id === after.id)).toEqual([]);
    expect((await kept.next('notification')).notification?.id).toBe(after.id);
    await kept.close();
  });

  it('closes every socket of the user when the password changes on /v1', async () => {
    const me = await userWithToken(cloud.server.app);
    const second = await loginV1(cloud.server.app, me.name, me.password);
    const phones = [await Phone.connect(wsUrl, me.auth), await Phone.connect(wsUrl, { 'tmp-token': second })];
    await connected(me.id, 2);
    const change = await cloud.server.app.inject({
      method: 'PUT',
      url: '/v1/me/password',
      headers: me.auth,
      payload: { currentPassword: me.password, newPassword: 'a-new-password' },
    });
    expect(change.statusCode).toBe(200);
    for (const phone of phones) expect(await phone.closed).toEqual(REVOKED);

    // The token the change returned opens a new socket that works.
    const fresh = (change.json() as { token: string }).token;
    const again = await Phone.connect(wsUrl, { authorization: `Bearer ${fresh}` });
    const n = await cloud.server.notifications.publish(me.id, 'task.changed', { after: 'password' });
    expect((await again.next('notification')).notification?.id).toBe(n.id);
    await again.close();
  });

  it('closes the socket of a TMP-TOKEN on Dingo /logout and every socket on /changpash', async () => {
    const name = uniqueName('dingo');
    const dingo = new DingoClient(cloud.server.app);
    const userId = (await dingo.post('/regist', { name, pash: sha256hex('dingo-pass') })).body;
    const other = new DingoClient(cloud.server.app);
    await dingo.login('name', name, 'dingo-pass');
    await other.login('name', name, 'dingo-pass');
    const third = new DingoClient(cloud.server.app);
    await third.login('name', name, 'dingo-pass');
    const loggedOut = await Phone.connect(wsUrl, { 'tmp-token': dingo.token as string });
    const a = await Phone.connect(wsUrl, { 'tmp-token': other.token as string });
    const b = await Phone.connect(wsUrl, { 'tmp-token': third.token as string });
    await connected(userId, 3);

    expect((await dingo.post('/logout')).headers.status).toBe('SUCCESS');
    expect(await loggedOut.closed).toEqual(REVOKED);
    await connected(userId, 2);

    expect((await other.post('/changpash', { pash: sha256hex('new-dingo-pass') })).headers.status).toBe(
      'SUCCESS',
    );
    expect(await a.closed).toEqual(REVOKED);
    expect(await b.closed).toEqual(REVOKED);
  });

  it('refuses the upgrade with HTTP 401 and the code for an expired or a revoked token', async () => {
    const me = await userWithToken(cloud.server.app);
    const expiring = await loginV1(cloud.server.app, me.name, me.password);
    await cloud.server.db
      .updateTable('user_sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('token_hash', '=', hashToken(expiring))
      .execute();
    await expect(Phone.connect(wsUrl, { authorization: `Bearer ${expiring}` })).rejects.toThrow(
      /HTTP 401 .*TOKEN_EXPIRED/,
    );
    await cloud.server.app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: me.auth });
    await expect(Phone.connect(wsUrl, me.auth)).rejects.toThrow(/HTTP 401 .*TOKEN_REVOKED/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JPEG, startAccountsCloud, type TestCloud, userWithToken } from './accounts-helpers.js';
import { ADMIN_TOKEN } from './helpers.js';
import { Phone, waitFor } from './notification-phone.js';

describe('notifications over WebSocket', () => {
  let cloud: TestCloud;
  let wsUrl: string;
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    wsUrl = `${cloud.server.httpUrl.replace('http', 'ws')}/v1/notifications/ws`;
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('refuses a socket with a wrong token with HTTP 401 before upgrading', async () => {
    await expect(Phone.connect(wsUrl, { authorization: 'Bearer lk1_wrong' })).rejects.toThrow('HTTP 401');
    await expect(Phone.connect(wsUrl, {}, ['locker.bearer', 'lk1_wrong'])).rejects.toThrow('HTTP 401');
  });

  it('closes a socket that opened without a token and whose first frame is no login with 4401 UNAUTHORIZED', async () => {
    const anon = await Phone.connect(wsUrl, {});
    anon.ws.send(JSON.stringify({ type: 'ack', ids: [] }));
    expect(await anon.closed).toEqual({ code: 4401, reason: 'UNAUTHORIZED' });
    const wrong = await Phone.connect(wsUrl, {});
    wrong.ws.send(JSON.stringify({ type: 'auth', token: 'lk1_wrong' }));
    expect((await wrong.closed).code).toBe(4401);
  });

  it('accepts the token as the first frame, for browsers that cannot set headers', async () => {
    const me = await userWithToken(cloud.server.app);
    const sent = await cloud.server.notifications.publish(me.id, 'task.changed', { first: 'frame' });
    const phone = await Phone.connect(wsUrl, {});
    phone.ws.send(JSON.stringify({ type: 'auth', token: me.token }));
    expect(await phone.next('authenticated')).toEqual({ type: 'authenticated', userId: me.id });
    expect((await phone.next('notification')).notification?.id).toBe(sent.id);
    await phone.close();
  });

  it('accepts the token in Sec-WebSocket-Protocol and names only locker.bearer back', async () => {
    const me = await userWithToken(cloud.server.app);
    const sent = await cloud.server.notifications.publish(me.id, 'task.changed', { via: 'subprotocol' });
    const phone = await Phone.connect(wsUrl, {}, ['locker.bearer', me.token]);
    expect(phone.ws.protocol).toBe('locker.bearer');
    expect((await phone.next('notification')).notification?.id).toBe(sent.id);
    await phone.close();
  });

  it('delivers a notification published while the phone was offline exactly once after it reconnects', async () => {
    const me = await userWithToken(cloud.server.app);
    const first = await Phone.connect(wsUrl, me.auth);
    await first.close();
    await waitFor(() => cloud.server.notifications.connections(me.id) === 0);

    const sent = await cloud.server.notifications.publish(me.id, 'parcel.deposited', {
      cabinet: '610091A01',
      box: '01',
    });

    const second = await Phone.connect(wsUrl, me.auth);
    const got = await second.next('notification');
    expect(got.notification).toEqual(expect.objectContaining({ id: sent.id, kind: 'parcel.deposited' }));
    second.ws.send(JSON.stringify({ type: 'ack', ids: [sent.id] }));
    expect((await second.next('acked')).ids).toEqual([sent.id]);
    expect(second.frames.filter((f) => f.type === 'notification')).toEqual([]);
    await second.close();

    const third = await Phone.connect(wsUrl, me.auth);
    // A marker published now must arrive, and nothing acknowledged may arrive before it.
    const marker = await cloud.server.notifications.publish(me.id, 'task.changed', { marker: true });
    const next = await third.next('notification');
    expect(next.notification?.id).toBe(marker.id);
    await third.close();
    expect(third.frames.filter((f) => f.notification?.id === sent.id)).toHaveLength(0);
  });

  it('pushes live notifications to a connected phone and tells it about a verification decision', async () => {
    const me = await userWithToken(cloud.server.app);
    const phone = await Phone.connect(wsUrl, { 'tmp-token': me.token });
    await waitFor(() => cloud.server.notifications.connections(me.id) === 1);
    await cloud.server.app.inject({
      method: 'PUT',
      url: '/v1/me/verification',
      headers: me.auth,
      payload: {
        tel: '13912345678',
        realName: '李四',
        prcId: '11010519491231002X',
        address: 'x',
        // A photo must decode as an image now (issue 13, defect 7), not only start like a JPEG.
        photo: JPEG.toString('base64'),
      },
    });
    await cloud.server.app.inject({
      method: 'POST',
      url: `/v1/admin/verifications/${me.id}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { decision: 'pass' },
    });
    const frame = await phone.next('notification');
    expect(frame.notification).toMatchObject({ kind: 'verification.decided', payload: { status: 'passed' } });
    await phone.close();
  });

  it('lists and acknowledges notifications over REST for clients without a socket', async () => {
    const me = await userWithToken(cloud.server.app);
    const n = await cloud.server.notifications.publish(me.id, 'authorization.granted', { box: '02' });
    const list = await cloud.server.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: me.auth,
    });
    expect((list.json() as { notifications: Array<{ id: string }> }).notifications.map((x) => x.id)).toEqual([
      n.id,
    ]);
    const ack = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/me/notifications/ack',
      headers: me.auth,
      payload: { ids: [n.id] },
    });
    expect(ack.json()).toEqual({ count: 1 });
    const after = await cloud.server.app.inject({
      method: 'GET',
      url: '/v1/me/notifications',
      headers: me.auth,
    });
    expect((after.json() as { notifications: unknown[] }).notifications).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import { DingoClient, sha256hex, startAccountsCloud, type TestCloud, uniqueTel } from './accounts-helpers.js';
import { freshDatabase } from './postgres-database.js';

describe('accounts on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cloud: TestCloud;
  beforeAll(async () => {
    db = await freshDatabase('accounts');
    cloud = await startAccountsCloud({ database: { dialect: 'postgres', url: db.url } });
  });
  afterAll(async () => {
    await cloud?.close();
    await db?.drop();
  });

  it('registers, refuses a taken tel, logs in on both APIs and refuses a replayed hash', async () => {
    const app = cloud.server.app;
    const tel = uniqueTel();
    const reg = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name: 'pg_user', password: 'pg-password', tel },
    });
    expect(reg.statusCode).toBe(201);
    const dup = await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name: 'pg_other', password: 'pg-password', tel },
    });
    expect((dup.json() as { error: { code: string } }).error.code).toBe('TEL_TAKEN');
    const login = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { login: tel, password: 'pg-password' },
    });
    expect(login.statusCode).toBe(201);

    const client = new DingoClient(app);
    const ts = formatHaskellUtc(new Date());
    const pash = DingoClient.loginHash('+86', 'pg-password', ts);
    expect((await client.post('/login', { tel, pash }, { 'time-stamp': ts })).headers.status).toBe('SUCCESS');
    const replay = await client.post('/login', { tel, pash }, { 'time-stamp': ts });
    expect(replay.body).toBe('HASHREPLAYED');
    client.token = (await client.login('tel', tel, 'pg-password')).body;
    const aid = (await client.post('/upeaddr', { opt: 'AF', addr: 'PG road 1', zip: '710000' })).body;
    expect((await client.post('/geteaddr')).json()).toEqual([
      expect.objectContaining({ aid, addr: 'PG road 1' }),
    ]);
    expect((await client.post('/changpash', { pash: sha256hex('pg-new-password') })).headers.status).toBe(
      'SUCCESS',
    );
  });

  it('stores notifications and returns the pending ones in order', async () => {
    const { id } = (
      await cloud.server.app.inject({
        method: 'POST',
        url: '/v1/accounts',
        payload: { name: 'pg_notify', password: 'pg-password' },
      })
    ).json() as { id: string };
    const a = await cloud.server.notifications.publish(id, 'task.changed', { n: 1 });
    const b = await cloud.server.notifications.publish(id, 'task.changed', { n: 2 });
    expect((await cloud.server.notifications.pending(id)).map((n) => n.id)).toEqual([a.id, b.id]);
    expect(await cloud.server.notifications.ack(id, [a.id])).toBe(1);
    expect((await cloud.server.notifications.pending(id)).map((n) => n.payload)).toEqual([{ n: 2 }]);
  });
});

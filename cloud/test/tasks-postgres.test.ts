import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsCloud, type TestCloud, userWithToken } from './accounts-helpers.js';
import { freshDatabase } from './postgres-database.js';
import { aTask } from './tasks-helpers.js';

type User = Awaited<ReturnType<typeof userWithToken>>;

describe('tasks, the nearby index and the ledger on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cloud: TestCloud;
  let a: User;
  let b: User;
  const call = (user: User, method: 'GET' | 'POST', url: string, payload?: object) =>
    cloud.server.app.inject({ method, url, headers: user.auth, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    db = await freshDatabase('locker_tasks');
    cloud = await startAccountsCloud({ database: { dialect: 'postgres', url: db.url } });
    a = await userWithToken(cloud.server.app);
    b = await userWithToken(cloud.server.app);
  });
  afterAll(async () => {
    await cloud?.close();
    await db?.drop();
  });

  it('finds a task across the antimeridian and near the pole with the same SQL as on SQLite', async () => {
    const east = (await call(a, 'POST', '/v1/tasks', aTask({ ew: 179.9999, ns: -16.5, r: 2000 }))).json();
    const polar = (await call(a, 'POST', '/v1/tasks', aTask({ ew: 45, ns: 89.9995, r: 2000 }))).json();
    const west = await call(b, 'GET', '/v1/tasks?ew=-179.9999&ns=-16.5&r=1000');
    expect(west.json()).toEqual({ total: 1, tasks: [{ id: east.id, distanceM: expect.any(Number) }] });
    const pole = await call(b, 'GET', '/v1/tasks?ew=-135&ns=89.9995&r=1000');
    expect(pole.json().tasks.map((t: { id: string }) => t.id)).toEqual([polar.id]);
  });

  it('lets one of two parallel payments through, releases once after both confirm; balances sum to zero', async () => {
    const credit = await cloud.server.app.inject({
      method: 'POST',
      url: `/v1/admin/wallets/${a.id}/credits`,
      headers: cloud.admin,
      payload: { amount: 1_000, idempotencyKey: `pg-${a.id}`, reference: 'pg test' },
    });
    expect(credit.json()).toEqual({ available: 1_000 });
    const task = (await call(a, 'POST', '/v1/tasks', aTask({ linked: b.id }))).json();
    const url = `/v1/tasks/${task.id}`;
    expect((await call(b, 'POST', `${url}/acceptance`)).statusCode).toBe(200);
    const pays = await Promise.all([call(a, 'POST', `${url}/payment`), call(a, 'POST', `${url}/payment`)]);
    expect(pays.map((p) => p.statusCode).sort()).toEqual([200, 409]);
    expect((await call(a, 'POST', `${url}/confirmation`)).statusCode).toBe(200);
    expect((await call(b, 'POST', `${url}/confirmation`)).json()).toMatchObject({ state: 'done' });
    expect((await call(a, 'GET', '/v1/me/wallet')).json()).toEqual({ available: 500 });
    expect((await call(b, 'GET', '/v1/me/wallet')).json()).toEqual({ available: 500 });
    const { balances, entrySums } = await cloud.server.tasks.ledger.audit();
    expect(Object.values(balances).reduce((s, v) => s + v, 0)).toBe(0);
    expect(balances).toEqual(entrySums);
  });

  it('gives an open task to one of two collectors claiming it at once', async () => {
    const c = await userWithToken(cloud.server.app);
    const task = (await call(a, 'POST', '/v1/tasks', aTask())).json();
    const claims = await Promise.all([b, c].map((u) => call(u, 'POST', `/v1/tasks/${task.id}/claim`)));
    expect(claims.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const loser = claims.find((r) => r.statusCode === 409);
    expect(['CONFLICT', 'TASK_STATE_INVALID']).toContain(loser?.json().error.code);
    const winner = claims.find((r) => r.statusCode === 200)?.json().collectorId;
    expect((await call(a, 'GET', `/v1/tasks/${task.id}`)).json()).toMatchObject({
      state: 'linked',
      collectorId: winner,
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_NOTIFICATION } from '../src/tasks/task-service.js';
import { startAccountsCloud, type TestCloud, userWithToken } from './accounts-helpers.js';
import { aTask } from './tasks-helpers.js';

type User = Awaited<ReturnType<typeof userWithToken>>;
type Res = { statusCode: number; json: () => unknown };
const failure = (res: Res) => [res.statusCode, (res.json() as { error: { code: string } }).error.code];
const BAD = [400, 'VALIDATION_FAILED'];

describe('tasks, collectors and wallets on /v1', () => {
  let cloud: TestCloud;
  let app: TestCloud['server']['app'];
  let a: User;
  let b: User;
  let outsider: User;

  const call = (
    user: User | undefined,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: object,
  ) => app.inject({ method, url, ...(user ? { headers: user.auth } : {}), ...(payload ? { payload } : {}) });
  const okJson = <T = Record<string, unknown>>(res: Res & { body: string }, status = 200): T => {
    expect([res.statusCode, res.body]).toEqual([status, expect.any(String)]);
    return res.json() as T;
  };
  const publish = async (over: Record<string, unknown> = {}) =>
    okJson<{ id: string; state: string }>(await call(a, 'POST', '/v1/tasks', aTask(over)), 201);
  const credit = (userId: string, amount: number, idempotencyKey: string) =>
    app.inject({
      method: 'POST',
      url: `/v1/admin/wallets/${userId}/credits`,
      headers: cloud.admin,
      payload: { amount, idempotencyKey, reference: 'counter receipt 1' },
    });

  beforeAll(async () => {
    cloud = await startAccountsCloud();
    app = cloud.server.app;
    a = await userWithToken(app);
    b = await userWithToken(app);
    outsider = await userWithToken(app);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('publishes a task and refuses bad coordinates, a negative price or radius and a malformed size', async () => {
    const task = await publish();
    expect(task).toMatchObject({
      state: 'open',
      cost: 500,
      price: 500,
      costA: [],
      costB: [],
      collectorId: null,
    });
    for (const over of [
      { ew: 181 },
      { ns: -90.5 },
      { cost: -1 },
      { cost: 0.5 },
      { r: -1 },
      { r: 0 },
      { size: { x: 1, y: 2 } },
      { size: { x: 1, y: 2, z: -3 } },
      { size: '(1,2,3)' },
      { cabinet: 'C1' },
      { extra: true },
    ]) {
      expect([over, ...failure(await call(a, 'POST', '/v1/tasks', aTask(over)))]).toEqual([over, ...BAD]);
    }
  });

  it('lives a whole life: publish, claim, bargain, accept, pay, both confirm; money moves once', async () => {
    expect((await credit(a.id, 5_000, `v1-life-${a.id}`)).json()).toEqual({ available: 5_000 });
    const task = await publish({ ew: 179.9995, ns: 0, r: 500 });
    // Found from across the antimeridian.
    const near = okJson<{ total: number; tasks: Array<{ id: string }> }>(
      await call(b, 'GET', '/v1/tasks?ew=-179.9995&ns=0&r=1000'),
    );
    expect(near.tasks.map((t) => t.id)).toContain(task.id);
    const url = `/v1/tasks/${task.id}`;
    expect(okJson(await call(b, 'POST', `${url}/claim`))).toMatchObject({
      state: 'linked',
      collectorId: b.id,
    });
    okJson(await call(b, 'POST', `${url}/offers`, { delta: 300 }));
    okJson(await call(a, 'POST', `${url}/offers`, { delta: -100 }));
    expect(okJson(await call(b, 'POST', `${url}/acceptance`))).toMatchObject({
      state: 'agreed',
      price: 700,
      costA: [-100],
      costB: [300],
    });
    expect(okJson(await call(a, 'POST', `${url}/payment`))).toMatchObject({ state: 'paid' });
    expect(failure(await call(a, 'POST', `${url}/payment`))).toEqual([409, 'TASK_ALREADY_PAID']);
    expect(okJson(await call(a, 'GET', '/v1/me/wallet'))).toEqual({ available: 4_300 });
    okJson(await call(a, 'POST', `${url}/confirmation`));
    expect(failure(await call(a, 'POST', `${url}/confirmation`))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(okJson(await call(b, 'POST', `${url}/confirmation`))).toMatchObject({ state: 'done' });
    expect(okJson(await call(b, 'GET', '/v1/me/wallet'))).toEqual({ available: 700 });
    expect(okJson(await call(a, 'GET', '/v1/me/wallet'))).toEqual({ available: 4_300 });
    const mine = okJson<{ tasks: Array<{ id: string; state: string }> }>(
      await call(b, 'GET', '/v1/me/tasks'),
    );
    expect(mine.tasks).toEqual([expect.objectContaining({ id: task.id, state: 'done' })]);
    const events = (await cloud.server.notifications.pending(b.id))
      .filter((n) => n.kind === TASK_NOTIFICATION)
      .map((n) => (n.payload as { event: string }).event);
    expect(events).toEqual(['claimed', 'offered', 'offered', 'accepted', 'paid', 'confirmed', 'done']);
    const { balances } = await cloud.server.tasks.ledger.audit();
    expect(Object.values(balances).reduce((s, v) => s + v, 0)).toBe(0);
  });

  it('refuses anyone but the parties, and moves the state does not allow', async () => {
    const task = await publish({ linked: b.id });
    const url = `/v1/tasks/${task.id}`;
    expect(failure(await call(outsider, 'GET', url))).toEqual([403, 'NOT_A_PARTY']);
    expect(failure(await call(outsider, 'PUT', url, aTask()))).toEqual([403, 'NOT_A_PARTY']);
    expect(failure(await call(outsider, 'DELETE', url))).toEqual([403, 'NOT_A_PARTY']);
    expect(failure(await call(outsider, 'POST', `${url}/offers`, { delta: 1 }))).toEqual([
      403,
      'NOT_A_PARTY',
    ]);
    expect(failure(await call(outsider, 'POST', `${url}/claim`))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(failure(await call(b, 'PUT', url, aTask()))).toEqual([403, 'FORBIDDEN']);
    expect(failure(await call(b, 'POST', `${url}/payment`))).toEqual([403, 'FORBIDDEN']);
    expect(failure(await call(a, 'POST', `${url}/payment`))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(failure(await call(a, 'POST', `${url}/abandonment`))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(failure(await call(a, 'POST', `${url}/confirmation`))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(failure(await call(a, 'POST', `${url}/offers`, { delta: -501 }))).toEqual([409, 'PRICE_NEGATIVE']);
    expect(failure(await call(a, 'POST', `${url}/offers`, { delta: 0 }))).toEqual(BAD);
    // Offers add up, but never past the largest price (1,000,000 yuan).
    okJson(await call(a, 'POST', `${url}/offers`, { delta: 100_000_000 - 500 }));
    expect(failure(await call(b, 'POST', `${url}/offers`, { delta: 1 }))).toEqual(BAD);
    okJson(await call(b, 'POST', `${url}/abandonment`));
    expect(failure(await call(a, 'POST', `${url}/offers`, { delta: 1.5 }))).toEqual(BAD);
    expect(failure(await call(a, 'POST', `/v1/tasks/${task.id}x/claim`))).toEqual(BAD);
    expect(failure(await call(a, 'GET', `/v1/tasks/T2016-06-01${'0'.repeat(40)}`))).toEqual([
      404,
      'TASK_NOT_FOUND',
    ]);
    okJson(await call(b, 'POST', `${url}/acceptance`));
    const before = okJson<{ available: number }>(await call(a, 'GET', '/v1/me/wallet')).available;
    okJson(await call(a, 'POST', `${url}/payment`));
    // Paid: the publisher can no longer delete; the collector cancelling refunds the hold.
    expect(failure(await call(a, 'DELETE', url))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(failure(await call(a, 'PUT', url, aTask()))).toEqual([409, 'TASK_STATE_INVALID']);
    expect(okJson(await call(b, 'DELETE', url))).toMatchObject({ state: 'cancelled' });
    expect(okJson(await call(a, 'GET', '/v1/me/wallet'))).toEqual({ available: before });
    expect(failure(await call(a, 'DELETE', url))).toEqual([409, 'TASK_STATE_INVALID']);
  });

  it('refuses a payment without the money and lets the publisher delete before paying', async () => {
    const poor = await userWithToken(app);
    const created = await call(poor, 'POST', '/v1/tasks', aTask({ linked: b.id }));
    const url = `/v1/tasks/${okJson<{ id: string }>(created, 201).id}`;
    okJson(await call(b, 'POST', `${url}/acceptance`));
    expect(failure(await call(poor, 'POST', `${url}/payment`))).toEqual([402, 'INSUFFICIENT_FUNDS']);
    expect(okJson(await call(poor, 'GET', url))).toMatchObject({ state: 'agreed', paidAt: null });
    expect(okJson(await call(poor, 'DELETE', url))).toMatchObject({ state: 'deleted' });
    expect(failure(await call(poor, 'GET', url))).toEqual([404, 'TASK_NOT_FOUND']);
  });

  it('refuses a nearby query out of range or not a number', async () => {
    for (const q of [
      'ew=181&ns=0&r=1',
      'ew=0&ns=91&r=1',
      'ew=0&ns=0&r=-1',
      'ew=0&ns=0&r=',
      'ew=x&ns=0&r=1',
      'ew=0&ns=0',
    ]) {
      expect([q, ...failure(await call(a, 'GET', `/v1/tasks?${q}`))]).toEqual([q, ...BAD]);
    }
    expect(failure(await call(a, 'GET', '/v1/agents?ew=0&ns=0&r=1&limit=0'))).toEqual(BAD);
  });

  it('adds, changes, finds, finishes and deletes a collector status', async () => {
    const agent = okJson<{ id: string }>(
      await call(b, 'POST', '/v1/me/agents', { dd: 'by the pole', ew: 10, ns: 89.999, r: 500 }),
      201,
    );
    // Near the pole every longitude is close.
    const near = okJson<{ agents: Array<{ id: string }> }>(
      await call(a, 'GET', '/v1/agents?ew=-170&ns=89.9995&r=500'),
    );
    expect(near.agents.map((x) => x.id)).toEqual([agent.id]);
    const url = `/v1/me/agents/${agent.id}`;
    expect(failure(await call(a, 'PUT', url, { dd: 'x', ew: 0, ns: 0, r: 1 }))).toEqual([403, 'NOT_A_PARTY']);
    expect(okJson(await call(b, 'PUT', url, { dd: 'moved', ew: 0, ns: 0, r: 100 }))).toMatchObject({
      dd: 'moved',
      ns: 0,
    });
    expect(okJson(await call(b, 'POST', `${url}/finish`))).toMatchObject({ state: 'finished' });
    expect(failure(await call(b, 'POST', `${url}/finish`))).toEqual([409, 'INVALID_TRANSITION']);
    expect(okJson<{ total: number }>(await call(a, 'GET', '/v1/agents?ew=0&ns=0&r=100')).total).toBe(0);
    expect(okJson<{ agents: unknown[] }>(await call(b, 'GET', '/v1/me/agents')).agents).toHaveLength(1);
    expect((await call(b, 'DELETE', url)).statusCode).toBe(204);
    expect(failure(await call(b, 'DELETE', url))).toEqual([404, 'AGENT_NOT_FOUND']);
    expect(failure(await call(b, 'POST', '/v1/me/agents', { dd: '', ew: 0, ns: 0, r: 1 }))).toEqual(BAD);
  });

  it('credits a wallet once per idempotency key and refuses a key reused for another amount', async () => {
    const u = await userWithToken(app);
    expect((await credit(u.id, 300, `credit-${u.id}`)).json()).toEqual({ available: 300 });
    expect((await credit(u.id, 300, `credit-${u.id}`)).json()).toEqual({ available: 300 });
    expect(failure(await credit(u.id, 301, `credit-${u.id}`))).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(failure(await credit(`U2016-06-01${'0'.repeat(40)}`, 1, 'credit-nobody'))).toEqual([
      404,
      'USER_NOT_FOUND',
    ]);
    expect(failure(await credit(u.id, 0, `credit-zero-${u.id}`))).toEqual(BAD);
    const noAdmin = await app.inject({
      method: 'POST',
      url: `/v1/admin/wallets/${u.id}/credits`,
      headers: u.auth,
      payload: { amount: 1, idempotencyKey: 'credit-as-user', reference: 'x' },
    });
    expect(failure(noAdmin)).toEqual([401, 'UNAUTHORIZED']);
  });

  it('records the locker hand-over box of a task and refuses an unknown cabinet or a box without one', async () => {
    const cab = await app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: '610091A01', name: 'North gate' },
    });
    expect(cab.statusCode).toBe(201);
    const task = await publish({ cabinet: '610091A01', box: '01', handover: 'deposit', linked: b.id });
    expect(task).toMatchObject({ handover: { cabinetId: '610091A01', boxNo: '01', kind: 'deposit' } });
    expect(okJson(await call(b, 'GET', `/v1/tasks/${task.id}`))).toMatchObject({
      handover: { cabinetId: '610091A01', boxNo: '01', kind: 'deposit' },
    });
    expect(failure(await call(a, 'POST', '/v1/tasks', aTask({ cabinet: '610091A09', box: '01' })))).toEqual([
      404,
      'CABINET_NOT_FOUND',
    ]);
    expect(failure(await call(a, 'POST', '/v1/tasks', aTask({ box: '01' })))).toEqual(BAD);
  });
});

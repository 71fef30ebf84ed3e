import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletAccount } from '../src/ledger/payment-provider.js';
import { TASK_NOTIFICATION } from '../src/tasks/task-service.js';
import { type DingoClient, loginV1, startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { dingoUser, dingoFailure as failure, taskForm } from './task-http-helpers.js';

const ok = (res: { headers: Record<string, unknown>; body: string }) => {
  expect([res.headers.status, res.headers['context-where'], res.body]).toEqual([
    'SUCCESS',
    'BODY',
    expect.any(String),
  ]);
  return res;
};
const BAD = [400, 'FAILED', 'VALIDATIONFAILED'];
const UNKNOWN_TASK = `T2016-06-01${'0'.repeat(40)}`;

describe('Dingo §2 tasks through the compatibility layer', () => {
  let cloud: TestCloud;
  let a: { client: DingoClient; id: string };
  let b: { client: DingoClient; id: string };
  let outsider: { client: DingoClient; id: string };

  const publish = async (over: Record<string, string> = {}) =>
    ok(await a.client.post('/upload-task', taskForm(over))).body;
  const info = async (client: DingoClient, tid: string) =>
    JSON.parse(ok(await client.post('/info-task', { tid })).body) as Record<string, unknown>;
  const fund = (userId: string, amount: number, key: string) =>
    cloud.server.tasks.payments.credit({ userId, amount, idempotencyKey: key, reference: 'test top-up' });

  beforeAll(async () => {
    cloud = await startAccountsCloud();
    a = await dingoUser(cloud.server.app);
    b = await dingoUser(cloud.server.app);
    outsider = await dingoUser(cloud.server.app);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('publishes a task and answers its id: T, the date and 40 hex digits', async () => {
    expect(await publish()).toMatch(/^T\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/);
  });

  it('refuses coordinates out of range, a negative price or radius, a malformed size or number', async () => {
    for (const over of [
      { ew: '180.5' },
      { ew: '-181' },
      { ns: '90.01' },
      { ns: '-91' },
      { cost: '-1' },
      { cost: '1.5' },
      { cost: '' },
      { r: '-5' },
      { r: '0' },
      { wei: '0' },
      { wei: '1e3' },
      { size: '(30,20)' },
      { size: '(30,20,-1)' },
      { size: '30x20x10' },
      { linked: 'bob' },
    ] as Record<string, string>[]) {
      expect([over, ...failure(await a.client.post('/upload-task', taskForm(over)))]).toEqual([over, ...BAD]);
    }
    const { size: _size, ...noSize } = taskForm();
    expect(failure(await a.client.post('/upload-task', noSize))).toEqual(BAD);
  });

  it('records a locker hand-over box, and refuses an unknown cabinet or a box without a cabinet', async () => {
    const cab = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: '610091A02', name: 'South gate' },
    });
    expect(cab.statusCode).toBe(201);
    const tid = await publish({ cabinet: '610091A02', box: '07', handover: 'pickup' });
    expect(await info(a.client, tid)).toMatchObject({
      handover: { cabinetId: '610091A02', boxNo: '07', kind: 'pickup' },
    });
    expect(
      failure(await a.client.post('/upload-task', taskForm({ cabinet: '610091A99', box: '01' }))),
    ).toEqual([404, 'FAILED', 'CABINETNOTFOUND']);
    expect(failure(await a.client.post('/upload-task', taskForm({ box: '01' })))).toEqual(BAD);
    expect(
      failure(await a.client.post('/upload-task', taskForm({ cabinet: '610091A02', box: '1' }))),
    ).toEqual(BAD);
  });

  it('refuses to link an unknown user, or yourself', async () => {
    const unknown = `U2016-06-01${'0'.repeat(40)}`;
    expect(failure(await a.client.post('/upload-task', taskForm({ linked: unknown })))).toEqual([
      404,
      'FAILED',
      'USERNOTFOUND',
    ]);
    expect(failure(await a.client.post('/upload-task', taskForm({ linked: a.id })))).toEqual(BAD);
  });

  it('finds an open task near a point as { count, data } and not from outside either radius', async () => {
    const tid = await publish({ ew: '-72.1', ns: '-45.3', r: '2000' });
    const near = JSON.parse(
      ok(await b.client.post('/get-task', { ew: '-72.1', ns: '-45.31', r: '5000' })).body,
    );
    expect(near).toEqual({ count: 1, data: [tid] });
    // 2.2 km away: within the searcher's 5 km but outside the task's own 2 km.
    const outside = await b.client.post('/get-task', { ew: '-72.1', ns: '-45.32', r: '5000' });
    expect(JSON.parse(outside.body)).toEqual({ count: 0, data: [] });
    expect(failure(await b.client.post('/get-task', { ew: '200', ns: '0', r: '1' }))).toEqual(BAD);
    expect(failure(await b.client.post('/get-task', { ew: '0', ns: '0', r: '-1' }))).toEqual(BAD);
  });

  it('shows task info with the document names, and only to the parties once linked', async () => {
    const tid = await publish({ linked: b.id });
    expect(await info(b.client, tid)).toMatchObject({
      tid,
      ew: 108.94,
      ns: 34.26,
      r: 3000,
      wei: 1.5,
      size: '(30,20,10)',
      note: 'fragile',
      cost: 500,
      costA: [],
      costB: [],
      intr: 'a parcel at the north gate',
      linkedA: a.id,
      linkedB: b.id,
      state: 'linked',
    });
    expect(failure(await outsider.client.post('/info-task', { tid }))).toEqual([403, 'FAILED', 'NOTAPARTY']);
    expect(failure(await a.client.post('/info-task', { tid: UNKNOWN_TASK }))).toEqual([
      404,
      'FAILED',
      'TASKNOTFOUND',
    ]);
    expect(failure(await a.client.post('/info-task', { tid: 'T1' }))).toEqual(BAD);
  });

  it('lets the publisher change (FIX) and delete (DEL), and refuses anyone who is not a party', async () => {
    const tid = await publish();
    ok(await a.client.post('/change-task', { ct: 'FIX', tid, ...taskForm({ cost: '800', linked: b.id }) }));
    expect(await info(b.client, tid)).toMatchObject({ cost: 800, linkedB: b.id, state: 'linked' });
    const notParty = [403, 'FAILED', 'NOTAPARTY'];
    expect(failure(await outsider.client.post('/change-task', { ct: 'FIX', tid, ...taskForm() }))).toEqual(
      notParty,
    );
    expect(failure(await outsider.client.post('/change-task', { ct: 'DEL', tid }))).toEqual(notParty);
    // The collector may not rewrite the publisher's task.
    expect(failure(await b.client.post('/change-task', { ct: 'FIX', tid, ...taskForm() }))).toEqual([
      403,
      'FAILED',
      'FORBIDDEN',
    ]);
    expect(
      failure(await a.client.post('/change-task', { ct: 'FIX', tid, ...taskForm({ ns: '95' }) })),
    ).toEqual(BAD);
    expect(failure(await a.client.post('/change-task', { ct: 'fix', tid }))).toEqual(BAD);
    ok(await a.client.post('/change-task', { ct: 'DEL', tid }));
    expect(failure(await a.client.post('/info-task', { tid }))).toEqual([404, 'FAILED', 'TASKNOTFOUND']);
  });

  it('lets the collector step back with DEL: the task is open again', async () => {
    const tid = await publish({ linked: b.id });
    ok(await b.client.post('/change-task', { ct: 'DEL', tid }));
    expect(await info(a.client, tid)).toMatchObject({ state: 'open', linkedB: '' });
  });

  it('bargains with c exactly True or False, records each side and never goes below zero', async () => {
    const tid = await publish({ linked: b.id });
    for (const c of ['true', 'TRUE', 'false', '1', '', 'True ']) {
      expect([c, ...failure(await a.client.post('/bargain-task', { tid, c, d: '10' }))]).toEqual([c, ...BAD]);
    }
    expect(failure(await a.client.post('/bargain-task', { tid, c: 'True' }))).toEqual(BAD);
    expect(failure(await a.client.post('/bargain-task', { tid, c: 'True', d: '1.5' }))).toEqual(BAD);
    expect(failure(await a.client.post('/bargain-task', { tid, d: '10' }))).toEqual(BAD);
    // Abandoning needs a negotiation under way.
    expect(failure(await a.client.post('/bargain-task', { tid, c: 'False' }))).toEqual([
      409,
      'FAILED',
      'TASKSTATEINVALID',
    ]);

    ok(await b.client.post('/bargain-task', { tid, c: 'True', d: '+200' }));
    ok(await a.client.post('/bargain-task', { tid, c: 'True', d: '-50' }));
    expect(await info(a.client, tid)).toMatchObject({
      state: 'bargaining',
      cost: 500,
      price: 650,
      costA: [-50],
      costB: [200],
    });
    expect(failure(await a.client.post('/bargain-task', { tid, c: 'True', d: '-651' }))).toEqual([
      409,
      'FAILED',
      'PRICENEGATIVE',
    ]);
    expect(failure(await outsider.client.post('/bargain-task', { tid, c: 'True', d: '5' }))).toEqual([
      403,
      'FAILED',
      'NOTAPARTY',
    ]);
    ok(await b.client.post('/bargain-task', { tid, c: 'False' }));
    expect(await info(a.client, tid)).toMatchObject({ state: 'linked', price: 500, costA: [], costB: [] });
    // A whole price can go to exactly zero, no lower.
    ok(await b.client.post('/bargain-task', { tid, c: 'True', d: '-500' }));
    expect(await info(a.client, tid)).toMatchObject({ price: 0 });
  });

  it('refuses moves the state does not allow: changing a paid task, paying before agreeing', async () => {
    await fund(a.id, 1_000, `wrong-state-${a.id}`);
    const tid = await publish({ linked: b.id });
    expect(failure(await a.client.post('/pay-task', { tid }))).toEqual([409, 'FAILED', 'TASKSTATEINVALID']);
    ok(await b.client.post('/bargain-task', { tid, c: 'True', d: '0' }));
    ok(await a.client.post('/pay-task', { tid }));
    expect(failure(await a.client.post('/change-task', { ct: 'FIX', tid, ...taskForm() }))).toEqual([
      409,
      'FAILED',
      'TASKSTATEINVALID',
    ]);
    expect(failure(await a.client.post('/change-task', { ct: 'DEL', tid }))).toEqual([
      409,
      'FAILED',
      'TASKSTATEINVALID',
    ]);
    expect(failure(await a.client.post('/bargain-task', { tid, c: 'True', d: '5' }))).toEqual([
      409,
      'FAILED',
      'TASKSTATEINVALID',
    ]);
  });

  it('refuses to pay without the money, and to pay twice', async () => {
    const poor = await dingoUser(cloud.server.app);
    const tid = ok(await poor.client.post('/upload-task', taskForm({ linked: b.id }))).body;
    ok(await b.client.post('/bargain-task', { tid, c: 'True', d: '0' }));
    expect(failure(await poor.client.post('/pay-task', { tid }))).toEqual([
      402,
      'FAILED',
      'INSUFFICIENTFUNDS',
    ]);
    await fund(poor.id, 500, `pay-twice-${poor.id}`);
    ok(await poor.client.post('/pay-task', { tid }));
    expect(failure(await poor.client.post('/pay-task', { tid }))).toEqual([409, 'FAILED', 'TASKALREADYPAID']);
    expect(await cloud.server.tasks.payments.available(poor.id)).toBe(0);
    expect(failure(await outsider.client.post('/pay-task', { tid }))).toEqual([403, 'FAILED', 'NOTAPARTY']);
  });

  it('lives a whole life: publish, link, bargain, agree, pay, both confirm, done; the money moves once', async () => {
    const publisher = await dingoUser(cloud.server.app);
    const collector = await dingoUser(cloud.server.app);
    await fund(publisher.id, 2_000, `life-${publisher.id}`);
    const tid = ok(await publisher.client.post('/upload-task', taskForm({ cost: '600' }))).body;
    const found = JSON.parse(
      ok(await collector.client.post('/get-task', { ew: '108.94', ns: '34.261', r: '500' })).body,
    );
    expect(found.data).toContain(tid);
    ok(
      await publisher.client.post('/change-task', {
        ct: 'FIX',
        tid,
        ...taskForm({ cost: '600', linked: collector.id }),
      }),
    );
    ok(await collector.client.post('/bargain-task', { tid, c: 'True', d: '150' }));
    ok(await publisher.client.post('/bargain-task', { tid, c: 'True', d: '-50' }));
    ok(await collector.client.post('/bargain-task', { tid, c: 'True', d: '0' }));
    expect(await info(publisher.client, tid)).toMatchObject({ state: 'agreed', price: 700 });
    ok(await publisher.client.post('/pay-task', { tid }));
    expect(await cloud.server.tasks.payments.available(publisher.id)).toBe(1_300);
    ok(await collector.client.post('/pay-task', { tid }));
    expect(failure(await collector.client.post('/pay-task', { tid }))).toEqual([
      409,
      'FAILED',
      'TASKSTATEINVALID',
    ]);
    ok(await publisher.client.post('/pay-task', { tid }));
    expect(await info(collector.client, tid)).toMatchObject({
      state: 'done',
      price: 700,
      costA: [-50],
      costB: [150],
    });
    expect(await cloud.server.tasks.payments.available(collector.id)).toBe(700);
    expect(await cloud.server.tasks.payments.available(publisher.id)).toBe(1_300);
    expect(failure(await publisher.client.post('/pay-task', { tid }))).toEqual([
      409,
      'FAILED',
      'TASKALREADYPAID',
    ]);

    // Both parties heard of every change.
    const events = async (userId: string) =>
      (await cloud.server.notifications.pending(userId))
        .filter((n) => n.kind === TASK_NOTIFICATION && (n.payload as { taskId: string }).taskId === tid)
        .map((n) => (n.payload as { event: string }).event);
    const life = ['published', 'changed', 'offered', 'offered', 'accepted', 'paid', 'confirmed', 'done'];
    expect(await events(publisher.id)).toEqual(life);
    expect(await events(collector.id)).toEqual(life.slice(1));
    const { balances } = await cloud.server.tasks.ledger.audit();
    expect(balances[walletAccount(collector.id)]).toBe(700);
    expect(Object.values(balances).reduce((s, v) => s + v, 0)).toBe(0);
  });
});

describe('one task through both APIs', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud();
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('is published on Dingo, claimed and bargained on /v1, paid on Dingo and confirmed on both', async () => {
    const app = cloud.server.app;
    const a = await dingoUser(app);
    const b = await dingoUser(app);
    // The same account logs in on /v1 with its password.
    const bName = JSON.parse(ok(await b.client.post('/usrinfo')).body).name as string;
    const bAuth = { authorization: `Bearer ${await loginV1(app, bName, `pw-${bName}`)}` };
    await cloud.server.tasks.payments.credit({
      userId: a.id,
      amount: 900,
      idempotencyKey: `both-${a.id}`,
      reference: 't',
    });
    const tid = ok(await a.client.post('/upload-task', taskForm({ cost: '400' }))).body;
    const v1 = (method: 'GET' | 'POST', path: string, payload?: object) =>
      app.inject({ method, url: `/v1/tasks/${tid}${path}`, headers: bAuth, ...(payload ? { payload } : {}) });
    expect((await v1('POST', '/claim')).json()).toMatchObject({ state: 'linked', collectorId: b.id });
    expect((await v1('POST', '/offers', { delta: 100 })).statusCode).toBe(200);
    ok(await a.client.post('/bargain-task', { tid, c: 'True', d: '0' }));
    ok(await a.client.post('/pay-task', { tid }));
    expect((await v1('POST', '/confirmation')).json()).toMatchObject({ state: 'paid' });
    ok(await a.client.post('/pay-task', { tid }));
    expect((await v1('GET', '')).json()).toMatchObject({ state: 'done', price: 500, costB: [100] });
    expect(JSON.parse(ok(await a.client.post('/info-task', { tid })).body)).toMatchObject({
      state: 'done',
      linkedB: b.id,
      costB: [100],
    });
    expect(await cloud.server.tasks.payments.available(a.id)).toBe(400);
    expect(await cloud.server.tasks.payments.available(b.id)).toBe(500);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsCloud, type TestCloud, userWithToken } from './accounts-helpers.js';
import { admin, inHours, siteWithBoxes, userWithTel } from './rights-helpers.js';
import { aTask } from './tasks-helpers.js';

type User = Awaited<ReturnType<typeof userWithTel>>;
type Res = { statusCode: number; body: string; json: () => unknown };
const failure = (res: Res) => [res.statusCode, (res.json() as { error: { code: string } }).error.code];

let cloud: TestCloud;
const app = () => cloud.server.app;
let tels = 0;
const nextTel = () => `1350900${String(++tels).padStart(4, '0')}`;

beforeAll(async () => {
  cloud = await startAccountsCloud({});
});
afterAll(() => cloud?.close());

const call = (user: User, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  app().inject({ method, url, headers: user.auth, ...(payload ? { payload } : {}) });

async function ok<T = Record<string, unknown>>(res: Promise<Res>, status = 200): Promise<T> {
  const r = await res;
  expect([r.statusCode, r.body]).toEqual([status, expect.any(String)]);
  return r.json() as T;
}

/** What the parcels module records when a parcel for `holder` is deposited in the box. */
async function parcelFor(holder: User, siteNo: string, boxNo: string) {
  const sites = cloud.server.rightsRecords.sites;
  await sites.patch(sites.db, siteNo, boxNo, {
    status: 'occupied',
    holderId: holder.id,
    parcelNo: `P-${siteNo}`,
  });
}

async function boxOf(siteNo: string, boxNo: string) {
  const res = await app().inject({ method: 'GET', url: `/v1/admin/sites/${siteNo}/boxes`, headers: admin });
  return (res.json() as { boxes: Array<Record<string, unknown>> }).boxes.find((b) => b.boxNo === boxNo);
}

async function grantsGiven(user: User) {
  return (
    await ok<{ given: Array<{ id: string; state: string; kind: string; grantee: { id: string } }> }>(
      call(user, 'GET', '/v1/authorizations'),
    )
  ).given;
}

async function kinds(user: User) {
  const res = await ok<{ notifications: Array<{ kind: string; payload: { event?: string } }> }>(
    call(user, 'GET', '/v1/me/notifications'),
  );
  return res.notifications.map((n) => (n.kind === 'task.changed' ? `task.${n.payload.event}` : n.kind));
}

describe('the locker hand-over of a task through the authorization service', () => {
  it('the publisher hands a claimed task’s parcel box to the collector as a pickup right; stepping back revokes it', async () => {
    await siteWithBoxes(app(), 'HND001', { '01': 'medium' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    const outsider = await userWithTel(app(), nextTel());
    await parcelFor(a, 'HND001', '01');
    const task = await ok<{ id: string }>(
      call(a, 'POST', '/v1/tasks', aTask({ cabinet: 'HND001', box: '01', handover: 'pickup' })),
      201,
    );
    const url = `/v1/tasks/${task.id}/handover`;
    expect(failure(await call(a, 'POST', url))).toEqual([409, 'TASK_STATE_INVALID']);
    await ok(call(b, 'POST', `/v1/tasks/${task.id}/claim`));
    // A claim alone hands nothing on: the publisher chooses to.
    expect(await grantsGiven(a)).toEqual([]);
    expect(failure(await call(b, 'POST', url))).toEqual([403, 'FORBIDDEN']);
    expect(failure(await call(outsider, 'POST', url))).toEqual([403, 'NOT_A_PARTY']);

    const grant = await ok<{ id: string }>(call(a, 'POST', url), 201);
    expect(grant).toMatchObject({ kind: 'pickup', siteNo: 'HND001', boxNo: '01', state: 'active' });
    expect(grant).toMatchObject({ holder: { id: a.id }, grantee: { id: b.id } });
    expect(await kinds(b)).toEqual(expect.arrayContaining(['grant.received', 'task.handed_over']));
    expect(await kinds(a)).toContain('grant.confirmed');
    expect(failure(await call(a, 'POST', url))).toEqual([409, 'BOX_ALREADY_GRANTED']);
    const seen = await ok<{ handover: unknown }>(call(b, 'GET', `/v1/tasks/${task.id}`));
    expect(seen.handover).toEqual({ cabinetId: 'HND001', boxNo: '01', kind: 'pickup', grantId: grant.id });
    // Bargaining keeps the grant.
    await ok(call(b, 'POST', `/v1/tasks/${task.id}/offers`, { delta: 100 }));
    expect((await grantsGiven(a))[0]).toMatchObject({ id: grant.id, state: 'active' });

    const left = await ok<{ handover: unknown }>(call(b, 'DELETE', `/v1/tasks/${task.id}`));
    expect(left.handover).toMatchObject({ grantId: null });
    expect((await grantsGiven(a))[0]).toMatchObject({ id: grant.id, state: 'revoked' });
    expect(await kinds(b)).toContain('grant.revoked');
    // The parcel box is the publisher's to hand on again.
    const held = await ok<{ boxes: Array<{ boxNo: string }> }>(call(a, 'GET', '/v1/me/boxes'));
    expect(held.boxes).toEqual([expect.objectContaining({ boxNo: '01', right: 'pickup' })]);
  });

  it('refuses a hand-over of a task with no box, of a box the publisher does not hold, or of the wrong kind', async () => {
    await siteWithBoxes(app(), 'HND002', { '01': 'medium', '02': 'medium' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    const other = await userWithTel(app(), nextTel());
    await parcelFor(other, 'HND002', '01');
    await parcelFor(a, 'HND002', '02');
    const claimed = async (over: Record<string, unknown>) => {
      const t = await ok<{ id: string }>(call(a, 'POST', '/v1/tasks', aTask(over)), 201);
      await ok(call(b, 'POST', `/v1/tasks/${t.id}/claim`));
      return `/v1/tasks/${t.id}/handover`;
    };
    expect(failure(await call(a, 'POST', await claimed({})))).toEqual([400, 'VALIDATION_FAILED']);
    expect(failure(await call(a, 'POST', await claimed({ cabinet: 'HND002', box: '01' })))).toEqual([
      403,
      'NOT_THE_HOLDER',
    ]);
    const wrongKind = await claimed({ cabinet: 'HND002', box: '02', handover: 'deposit' });
    expect(failure(await call(a, 'POST', wrongKind))).toEqual([403, 'NOT_THE_HOLDER']);
    expect(await grantsGiven(a)).toEqual([]);
  });

  it('linking a collector to a task with a reserved box hands them the deposit right; deleting the task gives it back', async () => {
    await siteWithBoxes(app(), 'HND003', { '01': 'large' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    await ok(
      call(a, 'POST', '/v1/reservations', { siteNo: 'HND003', size: 'large', endsAt: inHours(4) }),
      201,
    );
    const task = await ok<{ id: string; state: string }>(
      call(
        a,
        'POST',
        '/v1/tasks',
        aTask({ cabinet: 'HND003', box: '01', handover: 'deposit', linked: b.id }),
      ),
      201,
    );
    expect(task.state).toBe('linked');
    expect(await grantsGiven(a)).toEqual([
      expect.objectContaining({
        kind: 'deposit',
        state: 'active',
        grantee: expect.objectContaining({ id: b.id }),
      }),
    ]);
    expect(await boxOf('HND003', '01')).toMatchObject({ status: 'reserved', holderId: b.id });
    expect(await kinds(b)).toEqual(expect.arrayContaining(['grant.received', 'task.handed_over']));

    await ok(call(a, 'DELETE', `/v1/tasks/${task.id}`));
    expect((await grantsGiven(a))[0]).toMatchObject({ state: 'revoked' });
    expect(await boxOf('HND003', '01')).toMatchObject({ status: 'reserved', holderId: a.id });
  });

  it('refuses to link a collector to a box the publisher holds no right to, or one without a phone number, and publishes nothing', async () => {
    await siteWithBoxes(app(), 'HND004', { '01': 'medium' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    const res = await call(a, 'POST', '/v1/tasks', aTask({ cabinet: 'HND004', box: '01', linked: b.id }));
    expect(failure(res)).toEqual([403, 'NOT_THE_HOLDER']);
    // A collector without a phone number could not use the box: they have no user number to type.
    await parcelFor(a, 'HND004', '01');
    const noTel = await userWithToken(app());
    const again = await call(
      a,
      'POST',
      '/v1/tasks',
      aTask({ cabinet: 'HND004', box: '01', linked: noTel.id }),
    );
    expect(failure(again)).toEqual([400, 'VALIDATION_FAILED']);
    expect((await ok<{ tasks: unknown[] }>(call(a, 'GET', '/v1/me/tasks'))).tasks).toEqual([]);
  });

  it('changing the collector revokes the first grant and hands the box to the new one', async () => {
    await siteWithBoxes(app(), 'HND005', { '01': 'medium' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    const c = await userWithTel(app(), nextTel());
    await parcelFor(a, 'HND005', '01');
    const fields = aTask({ cabinet: 'HND005', box: '01' });
    const task = await ok<{ id: string }>(call(a, 'POST', '/v1/tasks', { ...fields, linked: b.id }), 201);
    const [first] = await grantsGiven(a);
    expect(first).toMatchObject({ state: 'active', grantee: expect.objectContaining({ id: b.id }) });
    // A change that keeps the collector and the box keeps the grant.
    await ok(call(a, 'PUT', `/v1/tasks/${task.id}`, { ...fields, note: 'left gate' }));
    expect(await grantsGiven(a)).toEqual([expect.objectContaining({ id: first?.id, state: 'active' })]);

    await ok(call(a, 'PUT', `/v1/tasks/${task.id}`, { ...fields, linked: c.id }));
    const given = await grantsGiven(a);
    expect(given.map((g) => [g.grantee.id, g.state]).sort()).toEqual(
      [
        [b.id, 'revoked'],
        [c.id, 'active'],
      ].sort(),
    );
    expect(await kinds(b)).toContain('grant.revoked');
    expect(await kinds(c)).toContain('grant.received');
  });

  it('cancelling a paid task revokes the collector’s grant', async () => {
    await siteWithBoxes(app(), 'HND006', { '01': 'medium' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    await parcelFor(a, 'HND006', '01');
    await cloud.server.tasks.payments.credit({
      userId: a.id,
      amount: 1000,
      idempotencyKey: `hnd006-${a.id}`,
      reference: 'test top-up',
    });
    const task = await ok<{ id: string }>(
      call(a, 'POST', '/v1/tasks', aTask({ cabinet: 'HND006', box: '01', linked: b.id })),
      201,
    );
    await ok(call(b, 'POST', `/v1/tasks/${task.id}/acceptance`));
    await ok(call(a, 'POST', `/v1/tasks/${task.id}/payment`));
    expect((await grantsGiven(a))[0]).toMatchObject({ state: 'active' });
    await ok(call(b, 'DELETE', `/v1/tasks/${task.id}`));
    expect((await grantsGiven(a))[0]).toMatchObject({ state: 'revoked' });
  });

  it('a task done with its grant unused takes the grant back; the box is the publisher’s again', async () => {
    await siteWithBoxes(app(), 'HND007', { '01': 'medium' });
    const a = await userWithTel(app(), nextTel());
    const b = await userWithTel(app(), nextTel());
    await parcelFor(a, 'HND007', '01');
    await cloud.server.tasks.payments.credit({
      userId: a.id,
      amount: 1000,
      idempotencyKey: `hnd007-${a.id}`,
      reference: 'test top-up',
    });
    const task = await ok<{ id: string }>(
      call(a, 'POST', '/v1/tasks', aTask({ cabinet: 'HND007', box: '01', linked: b.id })),
      201,
    );
    await ok(call(b, 'POST', `/v1/tasks/${task.id}/acceptance`));
    await ok(call(a, 'POST', `/v1/tasks/${task.id}/payment`));
    await ok(call(b, 'POST', `/v1/tasks/${task.id}/confirmation`));
    expect((await grantsGiven(a))[0]).toMatchObject({ state: 'active' });
    const done = await ok<{ state: string }>(call(a, 'POST', `/v1/tasks/${task.id}/confirmation`));
    expect(done.state).toBe('done');
    expect((await grantsGiven(a))[0]).toMatchObject({ state: 'revoked' });
    const held = await ok<{ boxes: Array<{ boxNo: string }> }>(call(a, 'GET', '/v1/me/boxes'));
    expect(held.boxes).toEqual([expect.objectContaining({ boxNo: '01', right: 'pickup' })]);
  });
});

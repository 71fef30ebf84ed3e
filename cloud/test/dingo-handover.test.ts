import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DingoClient,
  loginV1,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
} from './accounts-helpers.js';
import { siteWithBoxes } from './rights-helpers.js';
import { dingoFailure as failure, taskForm } from './task-http-helpers.js';

let cloud: TestCloud;
const app = () => cloud.server.app;

beforeAll(async () => {
  cloud = await startAccountsCloud({});
});
afterAll(() => cloud?.close());

/** A Dingo user registered with a phone number (their user number at the cabinet), logged in on both APIs. */
async function dingoUserWithTel(tel: string) {
  const client = new DingoClient(app());
  const name = uniqueName('dingo_hnd');
  const password = `pw-${name}`;
  const reg = await client.post('/regist', { name, pash: sha256hex(password), tel });
  if (reg.headers.status !== 'SUCCESS') throw new Error(`regist failed: ${reg.body}`);
  const login = await client.login('name', name, password);
  if (login.headers.status !== 'SUCCESS') throw new Error(`login failed: ${login.body}`);
  const auth = { authorization: `Bearer ${await loginV1(app(), name, password)}` };
  return { client, id: reg.body, auth };
}

const given = async (auth: Record<string, string>) =>
  (await app().inject({ method: 'GET', url: '/v1/authorizations', headers: auth })).json().given as Array<{
    state: string;
    kind: string;
    grantee: { id: string };
  }>;

const kinds = async (auth: Record<string, string>) =>
  (await app().inject({ method: 'GET', url: '/v1/me/notifications', headers: auth }))
    .json()
    .notifications.map((n: { kind: string }) => n.kind);

describe('the locker hand-over on the Dingo task routes', () => {
  it('a task uploaded with a box of the publisher and a linked collector hands them the box; ct=DEL takes it back', async () => {
    await siteWithBoxes(app(), 'DHND01', { '01': 'medium' });
    const a = await dingoUserWithTel('13609000001');
    const b = await dingoUserWithTel('13609000002');
    const sites = cloud.server.rightsRecords.sites;
    await sites.patch(sites.db, 'DHND01', '01', { status: 'occupied', holderId: a.id, parcelNo: 'P-D1' });

    const up = await a.client.post('/upload-task', taskForm({ cabinet: 'DHND01', box: '01', linked: b.id }));
    expect(up.headers.status).toBe('SUCCESS');
    const tid = up.body;
    expect(await given(a.auth)).toEqual([
      expect.objectContaining({
        kind: 'pickup',
        state: 'active',
        grantee: expect.objectContaining({ id: b.id }),
      }),
    ]);
    expect(await kinds(b.auth)).toContain('grant.received');
    const info = await b.client.post('/info-task', { tid });
    expect(JSON.parse(info.body)).toMatchObject({
      linkedB: b.id,
      handover: { cabinetId: 'DHND01', boxNo: '01', kind: 'pickup', grantId: expect.any(String) },
    });

    const del = await a.client.post('/change-task', { ct: 'DEL', tid });
    expect(del.headers.status).toBe('SUCCESS');
    expect(await given(a.auth)).toEqual([expect.objectContaining({ state: 'revoked' })]);
    expect(await kinds(b.auth)).toContain('grant.revoked');
  });

  it('refuses to link a collector to a box the publisher does not hold, with the code NOTTHEHOLDER', async () => {
    await siteWithBoxes(app(), 'DHND02', { '01': 'medium' });
    const a = await dingoUserWithTel('13609000003');
    const b = await dingoUserWithTel('13609000004');
    const up = await a.client.post('/upload-task', taskForm({ cabinet: 'DHND02', box: '01', linked: b.id }));
    expect(failure(up)).toEqual([403, 'FAILED', 'NOTTHEHOLDER']);
    // Published unlinked, the task records the box; linking by ct=FIX is refused the same way.
    const open = await a.client.post('/upload-task', taskForm({ cabinet: 'DHND02', box: '01' }));
    expect(open.headers.status).toBe('SUCCESS');
    const fix = await a.client.post(
      '/change-task',
      taskForm({ ct: 'FIX', tid: open.body, cabinet: 'DHND02', box: '01', linked: b.id }),
    );
    expect(failure(fix)).toEqual([403, 'FAILED', 'NOTTHEHOLDER']);
    expect(await given(a.auth)).toEqual([]);
  });
});

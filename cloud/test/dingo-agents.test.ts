import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DingoClient, startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { dingoUser, dingoFailure as failure } from './task-http-helpers.js';

const ok = (res: { headers: Record<string, unknown>; body: string }) => {
  expect([res.headers.status, res.headers['context-where']]).toEqual(['SUCCESS', 'BODY']);
  return res;
};
const BAD = [400, 'FAILED', 'VALIDATIONFAILED'];

describe('Dingo §2.7-2.9 collectors available nearby', () => {
  let cloud: TestCloud;
  let me: { client: DingoClient; id: string };
  let other: { client: DingoClient; id: string };
  beforeAll(async () => {
    cloud = await startAccountsCloud();
    me = await dingoUser(cloud.server.app);
    other = await dingoUser(cloud.server.app);
  });
  afterAll(async () => {
    await cloud?.close();
  });

  const near = async (fields: Record<string, string>) =>
    JSON.parse(ok(await other.client.post('/static-agent', fields)).body) as Array<Record<string, unknown>>;

  it('adds, changes, finds, finishes and deletes a status', async () => {
    const did = ok(
      await me.client.post('/add-agent', { dd: 'at the gate till six', ew: '179.999', ns: '10', r: '3000' }),
    ).body;
    expect(did).toMatch(/^D\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/);
    // Found across the antimeridian.
    expect(await near({ ew: '-179.999', ns: '10', r: '1000' })).toEqual([
      { did, uid: me.id, dd: 'at the gate till six', ew: 179.999, ns: 10, r: 3000 },
    ]);
    expect(
      ok(await me.client.post('/add-agent', { did, dd: 'moved', ew: '20', ns: '10', r: '3000' })).body,
    ).toBe(did);
    expect(await near({ ew: '-179.999', ns: '10', r: '1000' })).toEqual([]);
    expect(await near({ ew: '20.001', ns: '10', r: '1000' })).toMatchObject([{ did, dd: 'moved' }]);

    expect(
      failure(await other.client.post('/add-agent', { did, dd: 'mine now', ew: '20', ns: '10', r: '1' })),
    ).toEqual([403, 'FAILED', 'NOTAPARTY']);
    expect(failure(await other.client.post('/del-agent', { did, opt: 'DEL' }))).toEqual([
      403,
      'FAILED',
      'NOTAPARTY',
    ]);

    ok(await me.client.post('/del-agent', { did, opt: 'FIN' }));
    expect(await near({ ew: '20.001', ns: '10', r: '1000' })).toEqual([]);
    expect(failure(await me.client.post('/del-agent', { did, opt: 'FIN' }))).toEqual([
      409,
      'FAILED',
      'INVALIDTRANSITION',
    ]);
    expect(
      failure(await me.client.post('/add-agent', { did, dd: 'again', ew: '20', ns: '10', r: '1' })),
    ).toEqual([409, 'FAILED', 'INVALIDTRANSITION']);
    ok(await me.client.post('/del-agent', { did, opt: 'DEL' }));
    expect(failure(await me.client.post('/del-agent', { did, opt: 'DEL' }))).toEqual([
      404,
      'FAILED',
      'AGENTNOTFOUND',
    ]);
  });

  it('refuses a bad opt, a malformed did, an empty description and coordinates out of range', async () => {
    const did = ok(await me.client.post('/add-agent', { dd: 'x', ew: '1', ns: '1', r: '10' })).body;
    for (const [route, fields] of [
      ['/del-agent', { did, opt: 'del' }],
      ['/del-agent', { did, opt: 'FINISH' }],
      ['/del-agent', { did: 'D1', opt: 'DEL' }],
      ['/add-agent', { dd: '', ew: '1', ns: '1', r: '10' }],
      ['/add-agent', { dd: 'x', ew: '181', ns: '1', r: '10' }],
      ['/add-agent', { dd: 'x', ew: '1', ns: '-90.5', r: '10' }],
      ['/add-agent', { dd: 'x', ew: '1', ns: '1', r: '-10' }],
      ['/add-agent', { did: 'nope', dd: 'x', ew: '1', ns: '1', r: '10' }],
      ['/static-agent', { ew: '1', ns: '1' }],
    ] as const) {
      expect([route, ...failure(await me.client.post(route, fields))]).toEqual([route, ...BAD]);
    }
  });
});

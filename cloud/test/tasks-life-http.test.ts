import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHaskellUtc } from '../src/accounts/time-stamp.js';
import { TASK_NOTIFICATION } from '../src/tasks/task-service.js';
import {
  DingoClient,
  sha256hex,
  startAccountsCloud,
  type TestCloud,
  uniqueName,
} from './accounts-helpers.js';
import { taskForm } from './task-http-helpers.js';

/** A 2016 client over a real socket: form posts, TMP-TOKEN, the envelope headers. */
class WireDingo {
  token = '';
  constructor(private readonly base: string) {}

  async post(path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}/dingo${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(this.token ? { 'tmp-token': this.token } : {}),
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
    return { http: res.status, status: res.headers.get('status'), body: await res.text() };
  }

  /** Posts and insists on STATUS: SUCCESS; returns the context. */
  async ok(path: string, fields: Record<string, string> = {}): Promise<string> {
    const res = await this.post(path, fields);
    expect([path, res.status]).toEqual([path, 'SUCCESS']);
    return res.body;
  }

  async signUp(): Promise<string> {
    const name = uniqueName('wire');
    const password = `pw-${name}`;
    const id = await this.ok('/regist', { name, pash: sha256hex(password) });
    const ts = formatHaskellUtc(new Date());
    const login = await this.post(
      '/login',
      { name, pash: DingoClient.loginHash('nnnn', password, ts) },
      { 'time-stamp': ts },
    );
    expect(login.status).toBe('SUCCESS');
    this.token = login.body;
    return id;
  }
}

describe('the whole life of a task over real HTTP', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startAccountsCloud();
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('publish, link, bargain, agree, pay, both confirm, done; both parties are told each step', async () => {
    const base = cloud.server.httpUrl;
    const a = new WireDingo(base);
    const b = new WireDingo(base);
    const aId = await a.signUp();
    const bId = await b.signUp();
    const credit = await fetch(`${base}/v1/admin/wallets/${aId}/credits`, {
      method: 'POST',
      headers: { ...cloud.admin, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 1_000, idempotencyKey: `wire-${aId}`, reference: 'counter 7' }),
    });
    expect(await credit.json()).toEqual({ available: 1_000 });

    const did = await b.ok('/add-agent', {
      dd: 'at the north gate',
      ew: '108.9402',
      ns: '34.2601',
      r: '2000',
    });
    const tid = await a.ok('/upload-task', taskForm({ cost: '300' }));
    const agents = JSON.parse(await a.ok('/static-agent', { ew: '108.94', ns: '34.26', r: '1000' }));
    expect(agents).toEqual([expect.objectContaining({ did, uid: bId })]);
    await a.ok('/change-task', { ct: 'FIX', tid, ...taskForm({ cost: '300', linked: bId }) });
    await b.ok('/del-agent', { did, opt: 'FIN' });
    await b.ok('/bargain-task', { tid, c: 'True', d: '120' });
    await a.ok('/bargain-task', { tid, c: 'True', d: '-20' });
    await b.ok('/bargain-task', { tid, c: 'True', d: '0' });
    expect(JSON.parse(await b.ok('/info-task', { tid }))).toMatchObject({ state: 'agreed', price: 400 });
    await a.ok('/pay-task', { tid });
    const twice = await a.post('/pay-task', { tid });
    expect([twice.http, twice.status, twice.body]).toEqual([409, 'FAILED', 'TASKALREADYPAID']);
    await b.ok('/pay-task', { tid });
    await a.ok('/pay-task', { tid });
    expect(JSON.parse(await a.ok('/info-task', { tid }))).toMatchObject({
      state: 'done',
      cost: 300,
      price: 400,
      costA: [-20],
      costB: [120],
      linkedA: aId,
      linkedB: bId,
    });
    expect(await cloud.server.tasks.payments.available(aId)).toBe(600);
    expect(await cloud.server.tasks.payments.available(bId)).toBe(400);
    const told = async (userId: string) =>
      (await cloud.server.notifications.pending(userId))
        .filter((n) => n.kind === TASK_NOTIFICATION)
        .map((n) => (n.payload as { event: string }).event);
    const steps = ['changed', 'offered', 'offered', 'accepted', 'paid', 'confirmed', 'done'];
    expect(await told(aId)).toEqual(['published', ...steps]);
    expect(await told(bId)).toEqual(steps);
  });
});

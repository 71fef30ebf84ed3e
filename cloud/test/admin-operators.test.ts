import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './helpers.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
type Credentials = { password: string; token: string; broker: { password: string } };

describe('operator accounts: login, expiring tokens, audit', () => {
  let cloud: Cloud;
  const call = (opts: InjectOptions) => cloud.server.app.inject(opts);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  async function create(username: string, role: string): Promise<Credentials> {
    const res = await call({
      method: 'POST',
      url: '/v1/admin/operators',
      headers: cloud.admin,
      payload: { username, role },
    });
    expect(res.statusCode).toBe(201);
    return res.json();
  }
  const login = (username: string, password: string) =>
    call({ method: 'POST', url: '/v1/admin/sessions', payload: { username, password } });
  const audit = async (query = '') =>
    (await call({ method: 'GET', url: `/v1/admin/audit?${query}`, headers: cloud.admin })).json() as {
      entries: Array<Record<string, unknown>>;
      nextOffset: number | null;
    };

  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('logs an operator in with the password shown at creation, and refuses a wrong one', async () => {
    const created = await create('alice', 'operator');
    const ok = await login('alice', created.password);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ username: 'alice', role: 'operator' });
    expect(Date.parse(ok.json().tokenExpiresAt)).toBeGreaterThan(Date.now());
    const me = await call({ method: 'GET', url: '/v1/admin/cabinets', headers: bearer(ok.json().token) });
    expect(me.statusCode).toBe(200);
    const wrong = await login('alice', 'not-the-password');
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'LOGIN_FAILED']);
    const unknown = await login('nobody', 'whatever');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'LOGIN_FAILED']);
  });

  it('reserves each login attempt before the password check, so parallel guesses hit the limit', async () => {
    const created = await create('bruteforced', 'viewer');
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 25 ? created.password : `guess-${i}`));
    const answers = await Promise.all(guesses.map((g) => login('bruteforced', g)));
    const statuses = answers.map((a) => a.statusCode);
    // loginFailuresPerAccount is 10: the rest are refused before scrypt runs, the real one too.
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(statuses[25]).toBe(429);
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const created = await create('expiring', 'viewer');
    await cloud.server.db
      .updateTable('operator_tokens')
      .set({ expires_at: '2020-01-01T00:00:00.000Z' })
      .where('username', '=', 'expiring')
      .execute();
    const res = await call({ method: 'GET', url: '/v1/admin/cabinets', headers: bearer(created.token) });
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'TOKEN_EXPIRED']);
  });

  it('ends a token at logout, at rotation and when the account is disabled', async () => {
    const first = await create('carol', 'admin');
    const out = await call({
      method: 'DELETE',
      url: '/v1/admin/sessions/current',
      headers: bearer(first.token),
    });
    expect(out.statusCode).toBe(204);
    const afterLogout = await call({
      method: 'GET',
      url: '/v1/admin/cabinets',
      headers: bearer(first.token),
    });
    expect(afterLogout.json().error.code).toBe('TOKEN_REVOKED');

    const rotated = await call({
      method: 'POST',
      url: '/v1/admin/operators/carol/credentials',
      headers: cloud.admin,
    });
    const second = rotated.json() as Credentials;
    expect((await login('carol', first.password)).statusCode).toBe(401);
    const viaNew = await login('carol', second.password);
    expect(viaNew.statusCode).toBe(201);

    const disabled = await call({
      method: 'PATCH',
      url: '/v1/admin/operators/carol',
      headers: cloud.admin,
      payload: { disabled: true },
    });
    expect(disabled.json().disabledAt).not.toBeNull();
    for (const token of [second.token, viaNew.json().token]) {
      const res = await call({ method: 'GET', url: '/v1/admin/cabinets', headers: bearer(token) });
      expect(res.json().error.code).toBe('TOKEN_REVOKED');
    }
    expect((await login('carol', second.password)).statusCode).toBe(401);
  });

  it("ends an operator's live broker session when the role changes, and refuses it once disabled", async () => {
    const created = (await create('frank', 'operator')) as Credentials & {
      broker: { username: string; password: string };
    };
    const connect = () =>
      mqtt.connectAsync(cloud.server.brokerUrl, { ...created.broker, clientId: 'frank', reconnectPeriod: 0 });
    const live = await connect();
    const closed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    const demoted = await call({
      method: 'PATCH',
      url: '/v1/admin/operators/frank',
      headers: cloud.admin,
      payload: { role: 'viewer' },
    });
    expect(demoted.json().role).toBe('viewer');
    await closed;
    live.end(true);
    // Connected again, it has a viewer's rights: a command closes the connection instead of passing.
    const again = await connect();
    const refused = new Promise<void>((resolve) => again.once('close', () => resolve()));
    again.publish('lockers/ANY01/request/open_box', JSON.stringify({ transaction: 't', params: {} }), {
      qos: 1,
    });
    await refused;
    again.end(true);
    await call({
      method: 'PATCH',
      url: '/v1/admin/operators/frank',
      headers: cloud.admin,
      payload: { disabled: true },
    });
    await expect(connect()).rejects.toThrow(/Bad username or password/);
  });

  it('keeps no plain password or token in the database or its WAL', async () => {
    const created = await create('dave', 'operator');
    const session = (await login('dave', created.password)).json();
    for (const file of ['cloud.db', 'cloud.db-wal']) {
      let bytes: string;
      try {
        bytes = readFileSync(join(cloud.dir, file)).toString('latin1');
      } catch {
        continue;
      }
      for (const secret of [created.password, created.token, created.broker.password, session.token]) {
        expect(bytes.includes(secret), `${file} holds a secret`).toBe(false);
      }
    }
  });

  it('audits every state-changing admin request: who, what, which cabinet and box, why, how it ended', async () => {
    const admin = await create('erin', 'admin');
    const h = bearer(admin.token);
    await call({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: h,
      payload: { id: 'AUD01', name: 'a' },
    });
    await call({
      method: 'PUT',
      url: '/v1/admin/cabinets/AUD01/couriers/C-7',
      headers: h,
      payload: { pin: '80417', name: 'Courier' },
    });
    const open = await call({
      method: 'POST',
      url: '/v1/admin/cabinets/AUD01/boxes/03/open',
      headers: h,
      payload: { reason: 'stuck parcel' },
    });
    expect(open.json().error.code).toBe('CABINET_OFFLINE');
    await call({ method: 'GET', url: '/v1/admin/cabinets/AUD01', headers: h });

    const { entries } = await audit('operator=erin');
    expect(entries.map((e) => e.action)).toEqual([
      'POST /v1/admin/cabinets/:cabinetId/boxes/:boxNo/open',
      'PUT /v1/admin/cabinets/:cabinetId/couriers/:courierId',
      'POST /v1/admin/cabinets',
    ]);
    expect(entries[0]).toMatchObject({
      actor: 'erin',
      channel: 'http',
      cabinetId: 'AUD01',
      boxNo: '03',
      reason: 'stuck parcel',
      result: 'error',
      errorCode: 'CABINET_OFFLINE',
    });
    expect(entries[1]).toMatchObject({ result: 'ok', detail: { body: { pin: '[redacted]' } } });
    expect(JSON.stringify(entries)).not.toContain('80417');
  });

  it('audits the bootstrap token under its own name, and logins with their outcome', async () => {
    const { entries } = await audit('operator=bootstrap&action=POST%20/v1/admin/operators');
    expect(entries.length).toBeGreaterThan(0);
    const logins = await audit('action=POST%20/v1/admin/sessions&operator=alice');
    expect(logins.entries.map((e) => e.result).sort()).toEqual(['error', 'ok']);
  });

  it('pages through the audit newest first', async () => {
    const page1 = await audit('limit=2');
    const page2 = await audit(`limit=2&offset=${page1.nextOffset}`);
    expect(page1.nextOffset).toBe(2);
    const all = await audit('limit=4');
    expect([...page1.entries, ...page2.entries]).toEqual(all.entries);
    const ats = all.entries.map((e) => e.at as string);
    expect([...ats].sort().reverse()).toEqual(ats);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  courierDoc,
  deposit,
  type KioskBody,
  startCabinet,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

/** Everything the cabinet holds, to prove a refused request changed nothing. */
function snapshot(c: TestCabinet): string {
  const db = c.daemon.store.db;
  const tables = ['boxes', 'outbox', 'parcels', 'pickup_codes', 'grants', 'sessions', 'alarms'];
  return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${t}`).all()));
}

describe('bad input to the kiosk API gets a coded 4xx and changes nothing', () => {
  let c: TestCabinet;
  let usedCode: string;
  beforeAll(async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
    const done = await deposit(c, 'small');
    const res = await c.call('POST', '/api/pickups', { code: done.pickupCode });
    takeParcelAndClose(c, done.boxNo as string);
    await waitForSession(c, res.body.id, 'completed');
    usedCode = done.pickupCode as string;
  });
  afterAll(async () => {
    await c.close();
  });

  const cases: Array<[string, () => Promise<{ status: number; body: KioskBody }>, number, string]> = [
    [
      'a code of the wrong type',
      () => c.call('POST', '/api/pickups', { code: 123456 }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a code of the wrong shape',
      () => c.call('POST', '/api/pickups', { code: '12ab56' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'unknown fields',
      () => c.call('POST', '/api/pickups', { code: '123456', admin: true }),
      400,
      'VALIDATION_FAILED',
    ],
    ['an array body', () => c.call('POST', '/api/deposits', [1, 2]), 400, 'VALIDATION_FAILED'],
    [
      'an unknown size',
      () => c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'huge' }),
      400,
      'VALIDATION_FAILED',
    ],
    ['an unknown session', () => c.call('GET', '/api/sessions/AAAAAAAAAAAAAAAA'), 404, 'SESSION_NOT_FOUND'],
    ['a malformed session id', () => c.call('GET', '/api/sessions/..%2F..%2Fetc'), 404, 'SESSION_NOT_FOUND'],
    [
      'an unknown problem',
      () => c.call('POST', '/api/sessions/AAAAAAAAAAAAAAAA/problem', { problem: 'fire' }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a grant on an unknown box',
      () => c.call('POST', '/api/grants/use', { userNo: '13466666666', code: '1234', boxNo: '99' }),
      401,
      'CREDENTIAL_INVALID',
    ],
    ['an unknown route', () => c.call('POST', '/api/boxes/99/open', {}), 404, 'NOT_FOUND'],
  ];

  for (const [what, send, status, code] of cases) {
    it(`refuses ${what} with ${code}`, async () => {
      const before = snapshot(c);
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(snapshot(c)).toBe(before);
    });
  }

  it('refuses a replayed pickup code with CODE_USED and opens nothing', async () => {
    const before = snapshot(c);
    const frames = c.sim.frames.filter((f) => f.request.op === 'unlock').length;
    const res = await c.call('POST', '/api/pickups', { code: usedCode });
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('CODE_USED');
    expect(c.sim.frames.filter((f) => f.request.op === 'unlock').length).toBe(frames);
    expect(snapshot(c)).toBe(before);
  });

  it('refuses a huge body with BODY_TOO_LARGE', async () => {
    const before = snapshot(c);
    const res = await c.daemon.kioskApp.inject({
      method: 'POST',
      url: '/api/pickups',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ code: 'x'.repeat(100_000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('BODY_TOO_LARGE');
    expect(snapshot(c)).toBe(before);
  });

  it('refuses broken JSON and non-JSON bodies with coded errors', async () => {
    const broken = await c.daemon.kioskApp.inject({
      method: 'POST',
      url: '/api/pickups',
      headers: { 'content-type': 'application/json' },
      payload: '{"code": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('VALIDATION_FAILED');
    const text = await c.daemon.kioskApp.inject({
      method: 'POST',
      url: '/api/pickups',
      headers: { 'content-type': 'text/plain' },
      payload: 'code=123456',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('serves health and Prometheus metrics', async () => {
    const health = await c.call('GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', link: 'disabled' });
    const metrics = await c.daemon.kioskApp.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('locker_edge_boxes{usage="free"}');
    expect(metrics.body).toContain('locker_edge_outbox_depth');
    expect(metrics.body).toContain('locker_edge_serial_errors');
  });
});

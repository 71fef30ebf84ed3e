import { makeVerifier } from '@locker/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { courierDoc, deposit, startCabinet, TEST_COST, type TestCabinet } from './support/cabinet.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function tally(statuses: number[]): Record<number, number> {
  const t: Record<number, number> = {};
  for (const s of statuses) t[s] = (t[s] ?? 0) + 1;
  return t;
}
const retryAfter = (e: unknown) =>
  Number((e as { details?: { retryAfterMs?: number } }).details?.retryAfterMs);

describe('attempt limits at the kiosk', () => {
  let c: TestCabinet;
  afterEach(async () => {
    await c.close();
  });

  it('lets only the allowed number of parallel wrong courier PINs reach the check; the rest get 429', async () => {
    c = await startCabinet();
    c.daemon.desired.apply(await courierDoc());
    const tries = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        c.call('POST', '/api/deposits', {
          courierId: 'C-1001',
          pin: `9${String(i).padStart(3, '0')}`,
          size: 'small',
        }),
      ),
    );
    expect(tally(tries.map((t) => t.status))).toEqual({ 401: 5, 429: 15 });
    const refused = tries.find((t) => t.status === 429);
    expect(refused?.body.error).toMatchObject({ code: 'CODE_LOCKED_OUT' });
    expect(retryAfter(refused?.body.error)).toBeGreaterThan(0);
    // The right PIN is refused too now: the courier's own lockout holds.
    const right = await c.call('POST', '/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'small' });
    expect(right.status).toBe(429);
    expect(c.daemon.alarms.active().map((a) => `${a.kind}:${a.subject}`)).toContain(
      'code_lockout:courier:C-1001',
    );
  });

  it('lets only the allowed number of parallel wrong access codes of a grantee reach the check', async () => {
    c = await startCabinet();
    c.daemon.desired.apply({
      kind: 'snapshot',
      version: 1,
      couriers: [],
      grants: [
        {
          grantId: 'G-1',
          kind: 'deposit',
          boxNo: '13',
          userNo: '13466666666',
          holderNo: '13488888888',
          access: await makeVerifier('82731904', TEST_COST),
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      ],
    });
    const tries = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        c.call('POST', '/api/grants/use', {
          userNo: '13466666666',
          code: `1000${String(i).padStart(4, '0')}`,
        }),
      ),
    );
    expect(tally(tries.map((t) => t.status))).toEqual({ 401: 5, 429: 7 });
    expect(tries.filter((t) => t.status === 429).every((t) => t.body.error.code === 'CODE_LOCKED_OUT')).toBe(
      true,
    );
  });

  it('slows the whole cabinet with a rising delay after many wrong codes, even when they come in parallel', async () => {
    c = await startCabinet({
      attempts: { perCabinet: 3, perCredential: 5, windowSec: 600, lockoutSec: 300, cabinetDelayMaxSec: 60 },
    });
    const tries = await Promise.all(
      Array.from({ length: 10 }, (_, i) => c.call('POST', '/api/pickups', { code: `${i}`.repeat(6) })),
    );
    expect(tally(tries.map((t) => t.status))).toEqual({ 401: 3, 429: 7 });
    const slowed = tries.filter((t) => t.status === 429).map((t) => t.body.error);
    expect(slowed.every((e) => e.code === 'CODE_ENTRY_SLOWED')).toBe(true);
    const wait = (slowed[0] as { details?: { retryAfterMs: number } }).details?.retryAfterMs ?? 0;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);
    expect(slowed[0]?.message).toMatch(/wait 1 s/);
    expect(c.daemon.alarms.active().map((a) => `${a.kind}:${a.subject}`)).toContain('code_lockout:cabinet');
    const cabinet = (await c.call('GET', '/api/cabinet')).body as unknown as {
      slowdown: { retryAfterMs: number } | null;
    };
    expect(cabinet.slowdown?.retryAfterMs).toBeGreaterThan(0);
  });

  it('lets a right code through after the short wait, lets couriers log in meanwhile, and caps the delay', async () => {
    c = await startCabinet({
      attempts: { perCabinet: 3, perCredential: 5, windowSec: 600, lockoutSec: 300, cabinetDelayMaxSec: 2 },
    });
    c.daemon.desired.apply(await courierDoc());
    const parcel = await deposit(c, 'small');
    const waits: number[] = [];
    // Wrong codes one after the other, each after the wait the previous answer asked for.
    for (const code of ['111111', '222222', '333333', '444444', '555555']) {
      const res = await c.call('POST', '/api/pickups', { code });
      expect(res.body.error.code).toBe('CODE_INVALID');
      const next = await c.call('POST', '/api/pickups', { code: '666666' });
      const slowedFor = (next.body.error as { details?: { retryAfterMs: number } }).details?.retryAfterMs;
      if (next.status === 429) {
        expect(next.body.error.code).toBe('CODE_ENTRY_SLOWED');
        waits.push(Number(slowedFor));
        await sleep(Number(slowedFor) + 20);
      } else {
        expect(next.body.error.code).toBe('CODE_INVALID');
      }
    }
    // 1 s after the 3rd wrong code, then 2 s (the cap) and no more.
    expect(waits.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...waits)).toBeLessThanOrEqual(2000);
    expect(waits.at(-1)).toBeGreaterThan(1000);

    // Slowed again: a courier is identified and limited on their own, so their login goes through.
    expect((await c.call('POST', '/api/pickups', { code: '888888' })).body.error.code).toBe('CODE_INVALID');
    const slowedNow = await c.call('POST', '/api/pickups', { code: '777777' });
    expect(slowedNow.body.error.code).toBe('CODE_ENTRY_SLOWED');
    const courier = await c.call('POST', '/api/recollections/count', { courierId: 'C-1001', pin: '4711' });
    expect(courier.status).toBe(200);

    // After the wait, the recipient's right code opens the box: nobody is locked out.
    await sleep(
      Number((slowedNow.body.error as { details?: { retryAfterMs: number } }).details?.retryAfterMs) + 20,
    );
    const pick = await c.call('POST', '/api/pickups', { code: parcel.pickupCode });
    expect(pick.status, JSON.stringify(pick.body)).toBe(201);
    expect(pick.body).toMatchObject({ kind: 'pickup', state: 'door_open', boxNo: parcel.boxNo });
  });
});

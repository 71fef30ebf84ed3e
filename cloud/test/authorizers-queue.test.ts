import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelayMs } from '../src/authorizers/authorizer-client.js';
import { DeliveryQueue } from '../src/authorizers/delivery-queue.js';
import type { CloudServer } from '../src/server.js';
import {
  askAuthorizer,
  boxOf,
  callback,
  cloudOn,
  FakeAuthorizer,
  holderWithBox,
  notesOf,
  registerAuthorizer,
  requestOf,
} from './authorizer-helpers.js';
import { userWithTel } from './rights-helpers.js';

const limits = {
  accounts: { limits: { registrationsPerAddress: 1000, loginAttemptsPerAddress: 1000 } },
  authorizers: {
    workerIntervalMs: 600_000,
    sendAtOnce: false,
    maxAttempts: 3,
    retryBaseMs: 1_000,
    retryMaxMs: 4_000,
    leaseMs: 30_000,
  },
};

describe('the durable queue of webhooks to authorizers', () => {
  let dir: string;
  let cloud: CloudServer;
  let fake: FakeAuthorizer;
  let secret: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'locker-authorizers-'));
    fake = await FakeAuthorizer.start();
    cloud = await cloudOn(dir, limits);
    secret = await registerAuthorizer(cloud.app, '0001', '快递公司A', fake.url);
    fake.secret = secret;
  });
  afterAll(async () => {
    await cloud?.stop();
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws each retry delay from the upper half of a doubling, capped backoff', () => {
    expect(retryDelayMs(1, 1000, 4000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 4000, () => 1)).toBe(1000);
    expect(retryDelayMs(2, 1000, 4000, () => 1)).toBe(2000);
    expect(retryDelayMs(3, 1000, 4000, () => 0.5)).toBe(3000);
    expect(retryDelayMs(9, 1000, 4000, () => 1)).toBe(4000);
  });

  it('retries a failing authorizer with backoff, dead-letters after maxAttempts, fails the request and tells the holder; the box is unchanged', async () => {
    const { holder } = await holderWithBox(cloud.app, 'QU0001', '13488881001');
    fake.respond = () => ({ status: 503, body: { error: 'down' } });
    const req = (
      await askAuthorizer(cloud.app, holder.auth, { siteNo: 'QU0001', boxNo: '01', authorizerNo: '0001' })
    ).json();
    const queue = cloud.authorizers.queue;
    const row = async () => (await queue.forRequest(req.id))[0];
    let now = new Date();
    await cloud.authorizers.sender.pass(now);
    let r = await row();
    expect(r).toMatchObject({ attempts: 1, last_error: 'HTTP 503', sent_at: null, failed_at: null });
    const firstDelay = Date.parse(r?.next_attempt_at ?? '') - now.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(500);
    expect(firstDelay).toBeLessThanOrEqual(1000);
    // Not due yet: a pass before the retry time sends nothing.
    await cloud.authorizers.sender.pass(new Date(now.getTime() + 100));
    expect((await row())?.attempts).toBe(1);

    now = new Date(Date.parse(r?.next_attempt_at ?? ''));
    await cloud.authorizers.sender.pass(now);
    r = await row();
    expect(r?.attempts).toBe(2);
    const secondDelay = Date.parse(r?.next_attempt_at ?? '') - now.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(1000);
    expect(secondDelay).toBeLessThanOrEqual(2000);
    expect((await requestOf(cloud.app, holder.auth, req.id)).state).toBe('requested');

    await cloud.authorizers.sender.pass(new Date(Date.parse(r?.next_attempt_at ?? '')));
    r = await row();
    expect(r).toMatchObject({ attempts: 3 });
    expect(r?.failed_at).not.toBeNull();
    expect(fake.ofType('authorization_request').filter((m) => m.json.requestId === req.id)).toHaveLength(3);
    expect(await requestOf(cloud.app, holder.auth, req.id)).toMatchObject({
      state: 'failed',
      failureCode: 'AUTHORIZER_UNREACHABLE',
    });
    expect(await boxOf(cloud.app, 'QU0001', '01')).toMatchObject({ holderId: holder.id, status: 'reserved' });
    const failed = (await notesOf(cloud.app, holder.auth)).find((n) => n.kind === 'authorization.failed');
    expect(failed?.payload).toMatchObject({
      requestId: req.id,
      siteNo: 'QU0001',
      code: 'AUTHORIZER_UNREACHABLE',
    });
    // Dead: later passes leave it alone, and the box can be asked about again.
    await cloud.authorizers.sender.pass(new Date(Date.now() + 86_400_000));
    expect(fake.ofType('authorization_request').filter((m) => m.json.requestId === req.id)).toHaveLength(3);
    const again = await askAuthorizer(cloud.app, holder.auth, {
      siteNo: 'QU0001',
      boxNo: '01',
      authorizerNo: '0001',
    });
    expect(again.statusCode).toBe(202);
  });

  it('never lets two workers claim the same try, and gives a claimed try back after its lease', async () => {
    const { holder } = await holderWithBox(cloud.app, 'QU0002', '13488881002');
    fake.respond = () => ({ status: 202 });
    const req = (
      await askAuthorizer(cloud.app, holder.auth, { siteNo: 'QU0002', boxNo: '01', authorizerNo: '0001' })
    ).json();
    const a = new DeliveryQueue(cloud.db);
    const b = new DeliveryQueue(cloud.db);
    const now = new Date();
    const [ca, cb] = await Promise.all([a.claimDue(now, 30_000), b.claimDue(now, 30_000)]);
    const mine = [...ca, ...cb].filter((d) => d.request_id === req.id);
    expect(mine).toHaveLength(1);
    // The claimant "crashed": the try is due again once the lease has run out, not before.
    expect(
      (await a.claimDue(new Date(now.getTime() + 29_000), 30_000)).some((d) => d.request_id === req.id),
    ).toBe(false);
    const later = new Date(now.getTime() + 31_000);
    expect((await a.claimDue(later, 30_000)).some((d) => d.request_id === req.id)).toBe(true);
    // Two passes at once still send it once.
    const due = new Date(now.getTime() + 62_000);
    await Promise.all([cloud.authorizers.sender.pass(due), cloud.authorizers.sender.pass(due)]);
    expect(fake.ofType('authorization_request').filter((m) => m.json.requestId === req.id)).toHaveLength(1);
    expect((await requestOf(cloud.app, holder.auth, req.id)).state).toBe('sent');
  });

  it('loses nothing and sends nothing twice when the cloud restarts before the send and again before the callback', async () => {
    const { holder } = await holderWithBox(cloud.app, 'QU0003', '13488881003');
    const courier = await userWithTel(cloud.app, '13466661003');
    fake.respond = (m) => (m.json.type === 'confirmation' ? { status: 200 } : { status: 202 });
    const req = (
      await askAuthorizer(cloud.app, holder.auth, { siteNo: 'QU0003', boxNo: '01', authorizerNo: '0001' })
    ).json();
    const sentFor = (type: string) => fake.ofType(type).filter((m) => m.json.requestId === req.id);
    expect(sentFor('authorization_request')).toHaveLength(0);

    await cloud.stop();
    cloud = await cloudOn(dir, limits);
    await cloud.authorizers.sender.pass();
    await cloud.authorizers.sender.pass();
    expect(sentFor('authorization_request')).toHaveLength(1);
    expect((await requestOf(cloud.app, holder.auth, req.id)).state).toBe('sent');

    await cloud.stop();
    cloud = await cloudOn(dir, limits);
    await cloud.authorizers.sender.pass();
    expect(sentFor('authorization_request')).toHaveLength(1);
    const answer = {
      requestId: req.id,
      siteNo: 'QU0003',
      boxNo: '01',
      grantee: courier.tel,
      authorizerNo: '0001',
    };
    expect((await callback(cloud.app, secret, answer)).statusCode).toBe(200);
    await cloud.authorizers.sender.pass();
    await cloud.authorizers.sender.pass();
    expect(sentFor('confirmation')).toHaveLength(1);
    expect(sentFor('authorization_request')).toHaveLength(1);
    expect(await requestOf(cloud.app, holder.auth, req.id)).toMatchObject({
      state: 'granted',
      grantee: { id: courier.id },
    });
    expect(await boxOf(cloud.app, 'QU0003', '01')).toMatchObject({ holderId: courier.id });
  });
});

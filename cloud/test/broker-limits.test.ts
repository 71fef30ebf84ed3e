import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishRateLimiter } from '../src/broker/broker-limits.js';
import { MqttFrameMeter } from '../src/broker/packet-size-guard.js';
import { startTestCloud } from './helpers.js';

const boxState = (boxNo: string) =>
  JSON.stringify({
    boxNo,
    door: 'closed',
    lock: 'locked',
    occupancy: 'empty',
    usage: 'free',
    since: new Date().toISOString(),
  });

describe('the rate limiter and the frame meter', () => {
  it('lets a burst through at once and spreads the rest at the rate, in order', () => {
    let now = 0;
    const limiter = new PublishRateLimiter(10, 3, () => now);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 0]);
    expect(limiter.reserve()).toBe(100);
    expect(limiter.reserve()).toBe(200);
    now = 1000;
    expect(limiter.reserve()).toBe(0);
  });

  it('refuses a packet from its header, split across chunks, before the body arrives', () => {
    const meter = new MqttFrameMeter(1024);
    // PUBLISH with remaining length 200: fits
    expect(meter.feed(Uint8Array.from([0x30, 0xc8, 0x01]))).toBe(true);
    expect(meter.feed(new Uint8Array(200))).toBe(true);
    // next PUBLISH announces 2 MB, its length bytes arrive in two chunks
    expect(meter.feed(Uint8Array.from([0x30, 0x80]))).toBe(true);
    expect(meter.feed(Uint8Array.from([0x80, 0x01]))).toBe(false);
  });
});

describe('the embedded broker limits size, rate and retained box topics', () => {
  let cloud: Awaited<ReturnType<typeof startTestCloud>>;
  let cab: { username: string; password: string };
  let viewer: { username: string; password: string };
  const clients: MqttClient[] = [];
  const connect = async (creds: { username: string; password: string }, clientId: string) => {
    const c = await mqtt.connectAsync(cloud.server.brokerUrl, { ...creds, clientId, reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };
  const cabinet = () => connect(cab, 'cabinet-LIM01');
  const closed = (c: MqttClient) =>
    new Promise<void>((resolve) => (c.connected ? c.once('close', () => resolve()) : resolve()));

  beforeAll(async () => {
    cloud = await startTestCloud({
      broker: {
        servicePassword: 'service-password-for-tests',
        embedded: { port: 0 },
        limits: { messagesPerSecond: 100, burst: 100, maxThrottleMs: 2000 },
      },
    });
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: 'LIM01', name: 'limits', boxes: ['01', '02'] },
    });
    expect(res.json().cabinet.boxes).toEqual(['01', '02']);
    cab = res.json().broker;
    viewer = (
      await cloud.server.app.inject({
        method: 'POST',
        url: '/v1/admin/operators',
        headers: cloud.admin,
        payload: { username: 'lim-viewer', role: 'viewer' },
      })
    ).json().broker;
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cloud?.close();
  });

  it('disconnects a cabinet that sends a 2 MB publish, without a PUBACK, and the cloud still acks events', async () => {
    const c = await cabinet();
    let acked = false;
    c.publish('lockers/LIM01/events', Buffer.alloc(2 * 1024 * 1024, 0x7b), { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed(c);
    expect(acked).toBe(false);

    const again = await cabinet();
    const acks: string[] = [];
    again.on('message', (_t, p) => acks.push(...(JSON.parse(p.toString()) as { ids: string[] }).ids));
    await again.subscribeAsync('lockers/LIM01/events/ack', { qos: 1 });
    const id = randomUUID();
    const event = { id, seq: 1, cabinetId: 'LIM01', at: new Date().toISOString(), type: 'box.unlocked' };
    await again.publishAsync(
      'lockers/LIM01/events',
      JSON.stringify({ ...event, data: { boxNo: '01', confirmed: true, purpose: 'command' } }),
      {
        qos: 1,
      },
    );
    await expect.poll(() => acks, { timeout: 10_000 }).toContain(id);
  });

  it("disconnects a cabinet whose payload is over its topic's limit", async () => {
    const c = await cabinet();
    c.publish('lockers/LIM01/boxes/01', Buffer.alloc(10_000, 0x20), { qos: 1 });
    await closed(c);
    expect(c.connected).toBe(false);
  });

  it('keeps and serves retained box states only for the boxes the cabinet has', async () => {
    const bad = await cabinet();
    bad.publish('lockers/LIM01/boxes/1000', boxState('1000'), { qos: 1, retain: true });
    await closed(bad);
    const good = await cabinet();
    await good.publishAsync('lockers/LIM01/boxes/02', boxState('02'), { qos: 1, retain: true });

    const v = await connect(viewer, 'lim-viewer-retained');
    const seen: string[] = [];
    v.on('message', (t) => seen.push(t));
    await v.subscribeAsync('lockers/LIM01/boxes/+', { qos: 1 });
    await expect.poll(() => seen, { timeout: 10_000 }).toContain('lockers/LIM01/boxes/02');
    expect(seen).not.toContain('lockers/LIM01/boxes/1000');
  });

  it('spreads a burst of one cabinet out at its rate', async () => {
    const v = await connect(viewer, 'lim-viewer-rate');
    const at: number[] = [];
    v.on('message', () => at.push(Date.now()));
    await v.subscribeAsync('lockers/LIM01/boxes/01', { qos: 0 });
    const c = await cabinet();
    const payload = boxState('01');
    for (let i = 0; i < 250; i++) c.publish('lockers/LIM01/boxes/01', payload, { qos: 0 });
    await expect.poll(() => at.length, { timeout: 15_000 }).toBe(250);
    // 100 at once, then 150 at 100/s: at least 1.5 s from the first to the last (load only adds).
    expect((at[249] as number) - (at[0] as number)).toBeGreaterThanOrEqual(1400);
  });

  it('disconnects a cabinet that floods faster than it could ever be throttled', async () => {
    const c = await cabinet();
    const payload = boxState('01');
    for (let i = 0; i < 2000; i++) c.publish('lockers/LIM01/boxes/01', payload, { qos: 0 });
    await closed(c);
    expect(c.connected).toBe(false);
  });
});

import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from '../src/broker/topic-acl.js';
import { startTestCloud } from './helpers.js';

describe('the topic ACL rules', () => {
  const cabinet = { role: 'cabinet', username: 'C1', cabinetId: 'C1' } as const;
  const operator = { role: 'operator', username: 'op' } as const;
  const viewer = { role: 'viewer', username: 'view' } as const;

  it('lets a cabinet publish its reports under its own root only', () => {
    for (const t of [
      'lockers/C1/status',
      'lockers/C1/boxes/01',
      'lockers/C1/events',
      'lockers/C1/response/open_box',
    ]) {
      expect(mayPublish(cabinet, t)).toBe(true);
    }
    expect(mayPublish(cabinet, 'lockers/C2/status')).toBe(false);
    expect(mayPublish(cabinet, 'lockers/C1/request/open_box')).toBe(false);
    expect(mayPublish(cabinet, 'lockers/C1/events/ack')).toBe(false);
    expect(mayPublish(cabinet, 'lockers/C1')).toBe(false);
    expect(mayPublish(cabinet, '$SYS/x')).toBe(false);
  });

  it('lets a cabinet subscribe under its own root and nowhere else', () => {
    expect(maySubscribe(cabinet, 'lockers/C1/request/+')).toBe(true);
    expect(maySubscribe(cabinet, 'lockers/C1/#')).toBe(true);
    expect(maySubscribe(cabinet, 'lockers/+/request/+')).toBe(false);
    expect(maySubscribe(cabinet, 'lockers/#')).toBe(false);
    expect(maySubscribe(cabinet, '#')).toBe(false);
  });

  it('lets operators read everything and send commands, and viewers only read', () => {
    expect(maySubscribe(operator, 'lockers/#')).toBe(true);
    expect(mayPublish(operator, 'lockers/C1/request/open_box')).toBe(true);
    expect(mayPublish(operator, 'lockers/C1/status')).toBe(false);
    expect(maySubscribe(viewer, 'lockers/+/status')).toBe(true);
    expect(mayPublish(viewer, 'lockers/C1/request/open_box')).toBe(false);
    expect(maySubscribe(viewer, '$SYS/#')).toBe(false);
  });
});

describe('the embedded broker enforces the ACL', () => {
  let cloud: Awaited<ReturnType<typeof startTestCloud>>;
  const creds: Record<string, { username: string; password: string }> = {};
  const clients: MqttClient[] = [];
  const connect = async (who: string) => {
    const c = await mqtt.connectAsync(cloud.server.brokerUrl, { ...creds[who], reconnectPeriod: 0 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    cloud = await startTestCloud({
      broker: { servicePassword: 'service-password-for-tests', embedded: { port: 0, wsPort: 0 } },
    });
    for (const id of ['ACLA', 'ACLB']) {
      const res = await cloud.server.app.inject({
        method: 'POST',
        url: '/v1/admin/cabinets',
        headers: cloud.admin,
        payload: { id, name: id },
      });
      creds[id] = (res.json() as { broker: { username: string; password: string } }).broker;
    }
    const op = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/operators',
      headers: cloud.admin,
      payload: { username: 'acl-viewer', role: 'viewer' },
    });
    creds.viewer = op.json();
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cloud?.close();
  });

  it("refuses a cabinet's subscription to another cabinet's topics", async () => {
    const a = await connect('ACLA');
    // SUBACK 0x80: mqtt.js turns the refusal into a rejected subscribe
    await expect(a.subscribeAsync('lockers/ACLB/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
  });

  it("does not deliver a cabinet's forged command to another cabinet", async () => {
    const b = await connect('ACLB');
    const seen: string[] = [];
    b.on('message', (t) => seen.push(t));
    await b.subscribeAsync('lockers/ACLB/request/+', { qos: 1 });
    const a = await connect('ACLA');
    // aedes closes the connection of a client whose publish is refused, so no PUBACK is awaited
    a.publish('lockers/ACLB/request/open_box', '{}', { qos: 0 });
    const v = await connect('viewer');
    v.publish('lockers/ACLB/request/open_box', '{}', { qos: 0 });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
  });

  it('serves MQTT over WebSocket with the same accounts and ACL', async () => {
    const url = `ws://127.0.0.1:${cloud.server.broker?.wsPort}/mqtt`;
    await expect(
      mqtt.connectAsync(url, { username: 'ACLA', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow();
    const viewer = await mqtt.connectAsync(url, { ...creds.viewer, reconnectPeriod: 0 });
    clients.push(viewer);
    const seen: string[] = [];
    viewer.on('message', (t) => seen.push(t));
    await viewer.subscribeAsync('lockers/ACLA/#', { qos: 1 });
    const a = await connect('ACLA');
    await a.publishAsync(
      'lockers/ACLA/status',
      JSON.stringify({ state: 'online', at: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
    await expect.poll(() => seen, { timeout: 10_000 }).toContain('lockers/ACLA/status');
  });

  it('refuses an operator name that is already a cabinet account', async () => {
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: 'acl-viewer', name: 'clash' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
  });
});

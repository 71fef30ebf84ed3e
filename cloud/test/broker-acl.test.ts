import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, mayUseClientId } from '../src/broker/topic-acl.js';
import { startTestCloud } from './helpers.js';

describe('the topic ACL rules', () => {
  const cabinet = { role: 'cabinet', username: 'C1', cabinetId: 'C1', boxes: new Set(['01']) } as const;
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

  it('binds client ids to accounts: a cabinet only as cabinet-{its id}, no one else in that namespace', () => {
    expect(mayUseClientId(cabinet, 'cabinet-C1')).toBe(true);
    expect(mayUseClientId(cabinet, 'cabinet-C2')).toBe(false);
    expect(mayUseClientId(cabinet, 'C1')).toBe(false);
    expect(mayUseClientId(operator, 'cabinet-C1')).toBe(false);
    expect(mayUseClientId(operator, 'locker-cloud-x')).toBe(false);
    expect(mayUseClientId(operator, 'op-laptop')).toBe(true);
    expect(mayUseClientId({ role: 'service', username: 'locker-cloud' }, 'locker-cloud-1')).toBe(true);
    expect(mayUseClientId({ role: 'service', username: 'locker-cloud' }, 'cabinet-C1')).toBe(false);
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
  const cabinetIds = new Set(['ACLA', 'ACLB']);
  const connect = async (who: string, clientId?: string) => {
    const id = clientId ?? (cabinetIds.has(who) ? `cabinet-${who}` : `${who}-${clients.length}`);
    const c = await mqtt.connectAsync(cloud.server.brokerUrl, {
      ...creds[who],
      clientId: id,
      reconnectPeriod: 0,
    });
    clients.push(c);
    return c;
  };
  const status = (state: 'online' | 'offline') => JSON.stringify({ state, at: new Date().toISOString() });

  beforeAll(async () => {
    cloud = await startTestCloud({
      broker: { servicePassword: 'service-password-for-tests', embedded: { port: 0, wsPort: 0 } },
    });
    for (const id of cabinetIds) {
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
    creds.viewer = (op.json() as { broker: { username: string; password: string } }).broker;
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

  it("does not deliver a cabinet's or a viewer's forged command to another cabinet", async () => {
    const b = await connect('ACLB');
    const seen: string[] = [];
    b.on('message', (_t, p) => seen.push(p.toString()));
    await b.subscribeAsync('lockers/ACLB/request/+', { qos: 1 });
    const a = await connect('ACLA');
    // aedes closes the connection of a client whose publish is refused, so no PUBACK is awaited
    a.publish('lockers/ACLB/request/open_box', '{"forged":"by-cabinet"}', { qos: 0 });
    const v = await connect('viewer');
    v.publish('lockers/ACLB/request/open_box', '{"forged":"by-viewer"}', { qos: 0 });
    // A valid command sent after the forged ones arrives; the forged ones never do.
    const service = await mqtt.connectAsync(cloud.server.brokerUrl, {
      username: 'locker-cloud',
      password: 'service-password-for-tests',
      clientId: 'locker-cloud-acl-test',
      reconnectPeriod: 0,
    });
    clients.push(service);
    await service.publishAsync('lockers/ACLB/request/diagnostics', '{"sentinel":true}', { qos: 1 });
    await expect.poll(() => seen, { timeout: 10_000 }).toContain('{"sentinel":true}');
    expect(seen).toEqual(['{"sentinel":true}']);
  });

  it("refuses cabinet A's password with cabinet B's client id, and B stays online", async () => {
    const b = await connect('ACLB');
    const watcher = await connect('viewer');
    const statuses: string[] = [];
    watcher.on('message', (_t, p) => statuses.push((JSON.parse(p.toString()) as { state: string }).state));
    await watcher.subscribeAsync('lockers/ACLB/status', { qos: 1 });
    await b.publishAsync('lockers/ACLB/status', status('online'), { qos: 1, retain: true });
    await expect.poll(() => statuses, { timeout: 10_000 }).toEqual(['online']);

    await expect(connect('ACLA', 'cabinet-ACLB')).rejects.toThrow(/Identifier rejected/i);
    // Nor may an operator account take a cabinet's or the cloud's client id.
    await expect(connect('viewer', 'cabinet-ACLB')).rejects.toThrow(/Identifier rejected/i);
    await expect(connect('viewer', 'locker-cloud-1')).rejects.toThrow(/Identifier rejected/i);

    // B was not pushed off: its next report arrives, and no will ("offline") came before it.
    await b.publishAsync('lockers/ACLB/status', status('online'), { qos: 1, retain: true });
    await expect.poll(() => statuses.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(statuses.every((s) => s === 'online')).toBe(true);
    expect(b.connected).toBe(true);
  });

  it('serves MQTT over WebSocket with the same accounts and ACL', async () => {
    const url = `ws://127.0.0.1:${cloud.server.broker?.wsPort}/mqtt`;
    await expect(
      mqtt.connectAsync(url, { username: 'ACLA', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow();
    const viewer = await mqtt.connectAsync(url, {
      ...creds.viewer,
      clientId: 'acl-viewer-ws',
      reconnectPeriod: 0,
    });
    clients.push(viewer);
    const seen: string[] = [];
    viewer.on('message', (t) => seen.push(t));
    await viewer.subscribeAsync('lockers/ACLA/#', { qos: 1 });
    const a = await connect('ACLA');
    await a.publishAsync('lockers/ACLA/status', status('online'), { qos: 1 });
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

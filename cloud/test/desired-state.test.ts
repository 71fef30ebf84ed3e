import { type DesiredState, verifyAgainst } from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './helpers.js';

describe('desired state the cloud sends to a cabinet', () => {
  let cloud: Awaited<ReturnType<typeof startTestCloud>>;
  let cabinet: MqttClient;
  const received: DesiredState[] = [];
  const next = async (count: number) => {
    await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(count);
    return received[count - 1] as DesiredState;
  };
  const inject = (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    cloud.server.app.inject({ method, url, headers: cloud.admin, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    cloud = await startTestCloud();
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: 'DS01', name: 'desired' },
    });
    cabinet = await mqtt.connectAsync(cloud.server.brokerUrl, {
      ...res.json().broker,
      clientId: 'cabinet-DS01',
      reconnectPeriod: 0,
    });
    cabinet.on('message', (_t, p) => received.push(JSON.parse(p.toString()) as DesiredState));
    await cabinet.subscribeAsync('lockers/DS01/desired', { qos: 1 });
  });

  afterAll(async () => {
    await cabinet?.endAsync();
    await cloud?.close();
  });

  it('answers a cabinet that has applied nothing with a snapshot', async () => {
    await cabinet.publishAsync('lockers/DS01/desired/get', JSON.stringify({ appliedVersion: 0 }), { qos: 1 });
    const doc = await next(1);
    expect(doc).toMatchObject({ kind: 'snapshot', version: 1, couriers: [], grants: [], boxes: [] });
  });

  it('pushes a courier as a delta whose PIN the cabinet can verify but not read', async () => {
    const res = await inject('PUT', '/v1/admin/cabinets/DS01/couriers/C-1001', {
      pin: '4711',
      name: 'Wang',
      company: 'Company A',
    });
    expect(res.statusCode).toBe(200);
    const doc = await next(2);
    expect(doc).toMatchObject({
      kind: 'delta',
      version: res.json().version,
      baseVersion: res.json().version - 1,
    });
    const courier = doc.couriers[0];
    expect(courier?.courierId).toBe('C-1001');
    expect(JSON.stringify(doc)).not.toContain('4711');
    expect(courier && (await verifyAgainst('4711', courier.pin))).toBe(true);
    expect(courier && (await verifyAgainst('4712', courier.pin))).toBe(false);
  });

  it('shows operators the desired state without any verifier', async () => {
    const res = await inject('GET', '/v1/admin/cabinets/DS01/desired');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      version: 2,
      couriers: [{ courierId: 'C-1001', name: 'Wang', company: 'Company A' }],
      boxes: [],
    });
  });

  it('sends a removal and a box setting as deltas, and nothing to a cabinet that is up to date', async () => {
    await inject('PUT', '/v1/admin/cabinets/DS01/boxes/03/settings', { outOfService: true });
    expect(await next(3)).toMatchObject({
      kind: 'delta',
      version: 3,
      boxes: [{ boxNo: '03', outOfService: true }],
    });
    await inject('DELETE', '/v1/admin/cabinets/DS01/couriers/C-1001');
    expect(await next(4)).toMatchObject({ kind: 'delta', version: 4, removeCouriers: ['C-1001'] });
    await cabinet.publishAsync('lockers/DS01/desired/get', JSON.stringify({ appliedVersion: 4 }), { qos: 1 });
    await cabinet.publishAsync('lockers/DS01/desired/get', JSON.stringify({ appliedVersion: 2 }), { qos: 1 });
    // the answer to "2" is a snapshot at 4; "4" got nothing, so it is the 5th document
    expect(await next(5)).toMatchObject({
      kind: 'snapshot',
      version: 4,
      couriers: [],
      boxes: [{ boxNo: '03' }],
    });
  });

  it('jumps past a cabinet that is ahead (a restored cloud backup) so its snapshot is not ignored', async () => {
    await cabinet.publishAsync('lockers/DS01/desired/get', JSON.stringify({ appliedVersion: 40 }), {
      qos: 1,
    });
    expect(await next(6)).toMatchObject({ kind: 'snapshot', version: 41 });
  });

  it('takes the whole cabinet out of service as desired state: a delta now, and in every later snapshot', async () => {
    const res = await inject('PUT', '/v1/admin/cabinets/DS01/service', {
      outOfService: true,
      reason: 'glass broken',
    });
    expect(res.json()).toEqual({ version: 42, outOfService: true });
    expect(await next(7)).toMatchObject({ kind: 'delta', version: 42, cabinet: { outOfService: true } });
    expect((await inject('GET', '/v1/admin/cabinets/DS01')).json().cabinet.outOfService).toBe(true);
    await cabinet.publishAsync('lockers/DS01/desired/get', JSON.stringify({ appliedVersion: 0 }), { qos: 1 });
    expect(await next(8)).toMatchObject({ kind: 'snapshot', version: 42, cabinet: { outOfService: true } });
    const audit = await inject('GET', '/v1/admin/audit?action=PUT%20/v1/admin/cabinets/:cabinetId/service');
    expect(audit.json().entries[0]).toMatchObject({
      cabinetId: 'DS01',
      reason: 'glass broken',
      result: 'ok',
    });
  });

  it('refuses a bad PIN and an unknown cabinet with coded errors', async () => {
    const bad = await inject('PUT', '/v1/admin/cabinets/DS01/couriers/C-2', { pin: '12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
    const missing = await inject('PUT', '/v1/admin/cabinets/NOPE/couriers/C-2', { pin: '1234' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('CABINET_NOT_FOUND');
  });
});

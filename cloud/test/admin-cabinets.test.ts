import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './helpers.js';

describe('operator cabinet API', () => {
  let cloud: Awaited<ReturnType<typeof startTestCloud>>;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => {
    await cloud?.close();
  });

  it('refuses requests without the admin token', async () => {
    const res = await cloud.server.app.inject({ method: 'GET', url: '/v1/admin/cabinets' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'missing bearer token' } });
    const wrong = await cloud.server.app.inject({
      method: 'GET',
      url: '/v1/admin/cabinets',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('registers a cabinet whose credentials log in to the broker', async () => {
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: '610091A01', name: 'Gate A' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { broker: { username: string; password: string } };
    expect(body.broker.username).toBe('610091A01');
    const client = await mqtt.connectAsync(cloud.server.brokerUrl, {
      username: body.broker.username,
      password: body.broker.password,
      clientId: 'cabinet-610091A01',
      reconnectPeriod: 0,
    });
    await client.endAsync();
    await expect(
      mqtt.connectAsync(cloud.server.brokerUrl, {
        username: '610091A01',
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
  });

  it('answers a duplicate registration with CONFLICT', async () => {
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: '610091A01', name: 'again' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('CONFLICT');
  });

  it('refuses a malformed cabinet id with a coded 400', async () => {
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: 'bad/id#', name: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers an open for an offline cabinet with CABINET_OFFLINE', async () => {
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets/610091A01/boxes/01/open',
      headers: cloud.admin,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('CABINET_OFFLINE');
  });

  it('answers an unknown cabinet with CABINET_NOT_FOUND', async () => {
    const res = await cloud.server.app.inject({
      method: 'GET',
      url: '/v1/admin/cabinets/NOPE01',
      headers: cloud.admin,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('CABINET_NOT_FOUND');
  });
});

import { randomUUID } from 'node:crypto';
import { topics } from '@locker/protocol';
import type { InjectOptions } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './helpers.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;
type Entry = { transaction: string | null; result: string; errorCode: string | null; reason: string | null };

describe('commands operators send straight over MQTT are audited and logged', () => {
  let cloud: Cloud;
  const clients: MqttClient[] = [];
  let cabA: MqttClient;
  let cabB: MqttClient;
  let operator: MqttClient;
  const call = (opts: InjectOptions) => cloud.server.app.inject({ ...opts, headers: cloud.admin });
  const entry = async (transaction: string) =>
    ((await call({ method: 'GET', url: '/v1/admin/audit?limit=500' })).json().entries as Entry[]).find(
      (e) => e.transaction === transaction,
    );

  beforeAll(async () => {
    cloud = await startTestCloud();
    const cabinet = async (id: string) => {
      const res = await call({ method: 'POST', url: '/v1/admin/cabinets', payload: { id, name: id } });
      const c = await mqtt.connectAsync(cloud.server.brokerUrl, {
        ...res.json().broker,
        clientId: `cabinet-${id}`,
        reconnectPeriod: 0,
      });
      clients.push(c);
      return c;
    };
    cabA = await cabinet('AUDA1');
    cabB = await cabinet('AUDB1');
    const made = await call({
      method: 'POST',
      url: '/v1/admin/operators',
      payload: { username: 'mq-ops', role: 'operator' },
    });
    operator = await mqtt.connectAsync(cloud.server.brokerUrl, {
      ...made.json().broker,
      clientId: 'mq-ops-tool',
      reconnectPeriod: 0,
    });
    clients.push(operator);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cloud?.close();
  });

  it("settles the entry with the cabinet's answer, never with another cabinet's", async () => {
    const transaction = randomUUID();
    await operator.publishAsync(
      topics.request('AUDA1', 'open_box'),
      JSON.stringify({ transaction, params: { boxNo: '05', reason: 'courier stuck' } }),
      { qos: 1 },
    );
    await expect.poll(async () => (await entry(transaction))?.result, { timeout: 10_000 }).toBe('sent');
    expect(await entry(transaction)).toMatchObject({ reason: 'courier stuck', errorCode: null });

    // B answers A's transaction on its own root: its word settles nothing (defect 8).
    const forged = { transaction, status: 'error', error: { code: 'LOCK_TIMEOUT', message: 'forged' } };
    await cabB.publishAsync(topics.response('AUDB1', 'open_box'), JSON.stringify(forged), { qos: 1 });
    const answer = { transaction, status: 'ok', data: { boxNo: '05', confirmed: true, door: 'open' } };
    await cabA.publishAsync(topics.response('AUDA1', 'open_box'), JSON.stringify(answer), { qos: 1 });
    await expect.poll(async () => (await entry(transaction))?.result, { timeout: 10_000 }).toBe('ok');

    const commands = (await call({ method: 'GET', url: '/v1/admin/commands?cabinet=AUDA1' })).json().commands;
    expect(commands[0]).toMatchObject({
      transaction,
      op: 'open_box',
      status: 'ok',
      requestedBy: 'mq-ops',
      params: { boxNo: '05', reason: 'courier stuck' },
    });
  });

  it('clears an alarm over HTTP: the cabinet gets clear_alarm, its refusal comes back coded, and the audit keeps both', async () => {
    await cabA.publishAsync(
      topics.status('AUDA1'),
      JSON.stringify({ state: 'online', at: new Date().toISOString() }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(
        async () => (await call({ method: 'GET', url: '/v1/admin/cabinets/AUDA1' })).json().cabinet.status,
        {
          timeout: 10_000,
        },
      )
      .toBe('online');
    const asked: Array<{ transaction: string; params: unknown; requestedBy?: string }> = [];
    cabA.on('message', (topic, p) => {
      if (topic !== topics.request('AUDA1', 'clear_alarm')) return;
      const req = JSON.parse(p.toString());
      asked.push(req);
      const refusal = {
        transaction: req.transaction,
        status: 'error',
        error: { code: 'ALARM_NOT_FOUND', message: 'no' },
      };
      void cabA.publishAsync(topics.response('AUDA1', 'clear_alarm'), JSON.stringify(refusal), { qos: 1 });
    });
    await cabA.subscribeAsync(topics.request('AUDA1', 'clear_alarm'), { qos: 1 });
    const res = await call({
      method: 'POST',
      url: '/v1/admin/cabinets/AUDA1/alarms/al-9/clear',
      payload: { reason: 'fixed the door' },
    });
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'ALARM_NOT_FOUND']);
    expect(asked[0]).toMatchObject({
      params: { alarmId: 'al-9', reason: 'fixed the door' },
      requestedBy: 'bootstrap',
    });
    expect(await entry(asked[0]?.transaction as string)).toMatchObject({
      result: 'error',
      errorCode: 'ALARM_NOT_FOUND',
      reason: 'fixed the door',
    });
  });

  it("records a cabinet's refusal with its error code", async () => {
    const transaction = randomUUID();
    await operator.publishAsync(
      topics.request('AUDA1', 'diagnostics'),
      JSON.stringify({ transaction, params: {} }),
      { qos: 1 },
    );
    await expect.poll(async () => (await entry(transaction))?.result, { timeout: 10_000 }).toBe('sent');
    const refusal = {
      transaction,
      status: 'error',
      error: { code: 'BOARD_UNREACHABLE', message: 'no board' },
    };
    await cabA.publishAsync(topics.response('AUDA1', 'diagnostics'), JSON.stringify(refusal), { qos: 1 });
    await expect
      .poll(async () => (await entry(transaction))?.errorCode, { timeout: 10_000 })
      .toBe('BOARD_UNREACHABLE');
  });
});

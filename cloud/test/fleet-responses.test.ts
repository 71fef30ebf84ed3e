import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './helpers.js';

type Cloud = Awaited<ReturnType<typeof startTestCloud>>;

/** Registers a cabinet and connects as it, online, the way the edge does. */
async function cabinet(cloud: Cloud, id: string): Promise<MqttClient> {
  const res = await cloud.server.app.inject({
    method: 'POST',
    url: '/v1/admin/cabinets',
    headers: cloud.admin,
    payload: { id, name: id },
  });
  const { broker } = res.json() as { broker: { username: string; password: string } };
  const client = await mqtt.connectAsync(cloud.server.brokerUrl, {
    username: broker.username,
    password: broker.password,
    clientId: `cabinet-${id}`,
    reconnectPeriod: 0,
  });
  const online = new Promise<void>((resolve) => {
    const off = cloud.server.fleet.on('status', (s) => {
      if (s.cabinetId === id && s.state === 'online') resolve(off());
    });
  });
  await client.publishAsync(
    `lockers/${id}/status`,
    JSON.stringify({ state: 'online', at: new Date().toISOString() }),
    { qos: 1, retain: true },
  );
  await online;
  await client.subscribeAsync(`lockers/${id}/request/+`, { qos: 1 });
  return client;
}

const answer = (boxNo: string, door: 'open' | 'closed') => ({ boxNo, confirmed: true, door });

describe('command responses are matched by cabinet as well as transaction (issue 13, defect 8)', () => {
  let cloud: Cloud;
  let a: MqttClient;
  let b: MqttClient;
  beforeAll(async () => {
    cloud = await startTestCloud({ commandTimeoutMs: 1500 });
    a = await cabinet(cloud, 'RESPA01');
    b = await cabinet(cloud, 'RESPB01');
  });
  afterAll(async () => {
    await a?.endAsync();
    await b?.endAsync();
    await cloud?.close();
  });

  it("never settles a command to cabinet A with cabinet B's response, even with A's transaction", async () => {
    // B learns A's transaction (a leak, a guess) and answers first, on its own root as the ACL allows.
    a.once('message', (topic, payload) => {
      const { transaction } = JSON.parse(payload.toString()) as { transaction: string };
      const forged = { transaction, status: 'ok', data: answer('01', 'closed') };
      void b
        .publishAsync('lockers/RESPB01/response/open_box', JSON.stringify(forged), { qos: 1 })
        .then(async () => {
          await cloud.server.fleet.settle();
          const real = { transaction, status: 'ok', data: answer('01', 'open') };
          await a.publishAsync(`${topic.replace('/request/', '/response/')}`, JSON.stringify(real), {
            qos: 1,
          });
        });
    });
    const result = await cloud.server.fleet.sendCommand('RESPA01', 'open_box', { boxNo: '01' });
    expect(result).toEqual(answer('01', 'open'));
  });

  it('times out when only another cabinet answers', async () => {
    a.once('message', (_topic, payload) => {
      const { transaction } = JSON.parse(payload.toString()) as { transaction: string };
      const forged = { transaction, status: 'ok', data: answer('02', 'open') };
      void b.publishAsync('lockers/RESPB01/response/open_box', JSON.stringify(forged), { qos: 1 });
    });
    await expect(
      cloud.server.fleet.sendCommand('RESPA01', 'open_box', { boxNo: '02' }),
    ).rejects.toMatchObject({
      code: 'COMMAND_TIMEOUT',
    });
  });
});

import type { DesiredState } from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAccountsCloud, type TestCloud } from './accounts-helpers.js';
import { admin, inHours, userWithTel } from './rights-helpers.js';

/** A cabinet over MQTT: its box states make the site's box records; rights reach it as deltas. */
describe('sites and boxes from cabinets, rights to cabinets', () => {
  let cloud: TestCloud;
  let cabinet: MqttClient;
  const received: DesiredState[] = [];
  const SITE = 'SYNC01';

  beforeAll(async () => {
    cloud = await startAccountsCloud({});
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: admin,
      payload: { id: SITE, name: 'North gate', boxes: ['01', '02'] },
    });
    cabinet = await mqtt.connectAsync(cloud.server.brokerUrl, {
      ...res.json().broker,
      clientId: `cabinet-${SITE}`,
      reconnectPeriod: 0,
    });
    cabinet.on('message', (_t, p) => received.push(JSON.parse(p.toString()) as DesiredState));
    await cabinet.subscribeAsync(`lockers/${SITE}/desired`, { qos: 1 });
  });

  afterAll(async () => {
    await cabinet?.endAsync();
    await cloud?.close();
  });

  const boxes = async () =>
    (
      (
        await cloud.server.app.inject({ method: 'GET', url: `/v1/admin/sites/${SITE}/boxes`, headers: admin })
      ).json() as {
        boxes?: Array<{ boxNo: string; size: string; status: string; holderId: string | null }>;
      }
    ).boxes ?? [];

  const publishBox = (boxNo: string, size: string, usage: string) =>
    cabinet.publishAsync(
      `lockers/${SITE}/boxes/${boxNo}`,
      JSON.stringify({
        boxNo,
        size,
        door: 'closed',
        lock: 'locked',
        occupancy: 'empty',
        usage,
        since: new Date().toISOString(),
      }),
      { qos: 1, retain: true },
    );

  it('creates the site and its boxes, with size class and status, from the box states a cabinet publishes', async () => {
    await publishBox('01', 'large', 'free');
    await publishBox('02', 'small', 'out_of_service');
    await expect
      .poll(boxes, { timeout: 10_000 })
      .toEqual([
        expect.objectContaining({ boxNo: '01', size: 'large', status: 'free', holderId: null }),
        expect.objectContaining({ boxNo: '02', size: 'small', status: 'out_of_service' }),
      ]);
    const sites = await cloud.server.app.inject({ method: 'GET', url: '/v1/admin/sites', headers: admin });
    expect(sites.json().sites).toContainEqual(expect.objectContaining({ siteNo: SITE, name: 'North gate' }));
  });

  it('sends a reservation to the cabinet at once, and a box the cloud reserved stays reserved while the cabinet still shows it free', async () => {
    const user = await userWithTel(cloud.server.app, '13406000001');
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/reservations',
      headers: user.auth,
      payload: { siteNo: SITE, size: 'large', endsAt: inHours(1) },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().reservation.id as string;
    await expect
      .poll(() => received.find((d) => d.kind === 'delta' && d.grants.some((g) => g.grantId === id)), {
        timeout: 10_000,
      })
      .toBeDefined();
    const delta = received.find((d) => d.kind === 'delta' && d.grants.some((g) => g.grantId === id));
    expect(JSON.stringify(delta)).not.toContain(res.json().accessCode);
    await publishBox('01', 'large', 'free');
    // Box 02's change is the sentinel: one client's messages are handled in order.
    await publishBox('02', 'small', 'free');
    await expect.poll(async () => (await boxes())[1]?.status, { timeout: 10_000 }).toBe('free');
    await cloud.server.rights.settle();
    expect((await boxes())[0]).toMatchObject({ boxNo: '01', status: 'reserved', holderId: user.id });

    // A cabinet that lost its state (or was offline) asks from scratch: the snapshot carries the right.
    await cabinet.publishAsync(`lockers/${SITE}/desired/get`, JSON.stringify({ appliedVersion: 0 }), {
      qos: 1,
    });
    await expect
      .poll(() => received.find((d) => d.kind === 'snapshot' && d.grants.some((g) => g.grantId === id)), {
        timeout: 10_000,
      })
      .toMatchObject({
        grants: [
          expect.objectContaining({ grantId: id, kind: 'deposit', boxNo: '01', userNo: '13406000001' }),
        ],
      });
  });
});

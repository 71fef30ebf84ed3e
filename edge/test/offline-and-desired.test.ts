import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { makeVerifier } from '@locker/protocol';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CABINET,
  courierDoc,
  deposit,
  putParcelAndClose,
  startCabinet,
  TEST_COST,
  type TestCabinet,
  takeParcelAndClose,
  waitForSession,
} from './support/cabinet.js';

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

describe('a cabinet with no broker at all', () => {
  let c: TestCabinet;
  afterEach(async () => {
    await c.close();
  });

  it('serves pickups, courier deposits and grantee deposits, and keeps every event in the outbox in order', async () => {
    // A broker URL nothing listens on: the link retries in the background, the cabinet carries on.
    c = await startCabinet({
      broker: { url: 'mqtt://127.0.0.1:9', password: 'x', keepaliveSec: 30, resendAfterMs: 1000 },
    });
    c.daemon.desired.apply(
      await courierDoc(1, {
        grants: [
          {
            grantId: 'G-1',
            kind: 'deposit',
            boxNo: '14',
            userNo: '13466666666',
            access: await makeVerifier('8273', TEST_COST),
            expiresAt: inADay(),
          },
        ],
      }),
    );
    const first = await deposit(c, 'medium');
    const pick = await c.call('POST', '/api/pickups', { code: first.pickupCode });
    takeParcelAndClose(c, first.boxNo as string);
    await waitForSession(c, pick.body.id, 'completed');
    const grant = await c.call('POST', '/api/grants/use', { userNo: '13466666666', code: '8273' });
    putParcelAndClose(c, '14');
    await waitForSession(c, grant.body.id, 'completed');

    expect(c.daemon.link?.connected).toBe(false);
    const events = c.daemon.outbox.all();
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => (seqs[0] as number) + i));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const business = events.map((e) => e.type).filter((t) => !t.startsWith('box.'));
    expect(business).toEqual([
      'desired.applied',
      'parcel.deposited',
      'parcel.picked_up',
      'grant.used',
      'parcel.deposited',
    ]);
  });
});

describe('desired state from the cloud over MQTT', () => {
  let broker: Aedes;
  let server: Server;
  let cloud: MqttClient;
  let c: TestCabinet;
  afterEach(async () => {
    await c?.close();
    await cloud?.endAsync(true);
    await new Promise<void>((r) => server.close(() => r()));
    await new Promise<void>((r) => broker.close(() => r()));
  });

  it('asks on connect, applies a snapshot and a delta atomically, and ignores a stale version', async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cloud = await mqtt.connectAsync(url, { protocolVersion: 4 });
    const asks: unknown[] = [];
    cloud.on('message', (topic, payload) => {
      if (topic === `lockers/${CABINET}/desired/get`) asks.push(JSON.parse(payload.toString()));
    });
    await cloud.subscribeAsync(`lockers/+/desired/get`, { qos: 1 });

    c = await startCabinet({ broker: { url, password: 'x', keepaliveSec: 30, resendAfterMs: 1000 } });
    await expect.poll(() => asks, { timeout: 10_000 }).toEqual([{ appliedVersion: 0 }]);

    const publish = (doc: unknown) =>
      cloud.publishAsync(`lockers/${CABINET}/desired`, JSON.stringify(doc), { qos: 1 });
    await publish(await courierDoc(5));
    await expect.poll(() => c.daemon.desired.appliedVersion(), { timeout: 10_000 }).toBe(5);
    await publish({
      kind: 'delta',
      version: 6,
      baseVersion: 5,
      boxes: [{ boxNo: '07', outOfService: true }],
      grants: [
        {
          grantId: 'G-9',
          kind: 'deposit',
          boxNo: '13',
          userNo: '139',
          access: await makeVerifier('1111', TEST_COST),
          expiresAt: inADay(),
        },
      ],
    });
    await expect.poll(() => c.daemon.desired.appliedVersion(), { timeout: 10_000 }).toBe(6);
    expect(c.daemon.boxes.get('07').usage).toBe('out_of_service');
    expect(c.daemon.boxes.get('13').usage).toBe('reserved');

    // Stale: an old snapshot that would remove the courier and the grant is ignored.
    await publish({ kind: 'snapshot', version: 4, couriers: [], grants: [] });
    // A delta with a gap is ignored and the cabinet asks again from what it holds.
    await publish({ kind: 'delta', version: 9, baseVersion: 8, removeCouriers: ['C-1001'] });
    await expect.poll(() => asks.length, { timeout: 10_000 }).toBe(2);
    expect(asks[1]).toEqual({ appliedVersion: 6 });
    // A malformed document changes nothing.
    await publish({ kind: 'snapshot', version: 99, couriers: 'all' });
    // A valid document after it, on the same topic, arrives after it: once that one is applied, the bad
    // one has been handled (not merely not yet).
    await publish({ kind: 'delta', version: 7, baseVersion: 6 });
    await expect.poll(() => c.daemon.desired.appliedVersion(), { timeout: 10_000 }).toBe(7);
    expect(c.daemon.credentials.courier('C-1001')).toBeDefined();
    expect(c.daemon.boxes.get('13').usage).toBe('reserved');

    // The courier of version 5 still deposits, and the out-of-service box 07 is skipped.
    const done = await deposit(c, 'medium');
    expect(done.boxNo).toBe('08');
  });
});

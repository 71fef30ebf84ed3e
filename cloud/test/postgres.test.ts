import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './helpers.js';
import { freshDatabase } from './postgres-database.js';

describe('the cloud on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let cloud: Awaited<ReturnType<typeof startTestCloud>>;

  beforeAll(async () => {
    db = await freshDatabase('locker');
    cloud = await startTestCloud({ database: { dialect: 'postgres', url: db.url } });
  });

  afterAll(async () => {
    await cloud?.close();
    await db?.drop();
  });

  it('runs every migration and registers a cabinet', async () => {
    const res = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
      payload: { id: 'PG01', name: 'On PostgreSQL' },
    });
    expect(res.statusCode).toBe(201);
    const list = await cloud.server.app.inject({
      method: 'GET',
      url: '/v1/admin/cabinets',
      headers: cloud.admin,
    });
    expect(list.json().cabinets.map((c: { id: string }) => c.id)).toEqual(['PG01']);
  });

  it('applies cabinet events once, in seq order, and stores box states', async () => {
    const creds = await cloud.server.app.inject({
      method: 'POST',
      url: '/v1/admin/cabinets/PG01/credentials',
      headers: cloud.admin,
    });
    const cab = await mqtt.connectAsync(cloud.server.brokerUrl, {
      ...creds.json(),
      clientId: 'cabinet-PG01',
      reconnectPeriod: 0,
    });
    const acks: string[] = [];
    cab.on('message', (_t, p) => acks.push(...(JSON.parse(p.toString()) as { ids: string[] }).ids));
    await cab.subscribeAsync('lockers/PG01/events/ack', { qos: 1 });
    const at = new Date().toISOString();
    const events = [1, 2, 3].map((seq) => ({
      id: randomUUID(),
      seq,
      cabinetId: 'PG01',
      at,
      type: 'box.unlocked',
      data: { boxNo: '01', confirmed: true, purpose: 'command' },
    }));
    await cab.publishAsync(
      'lockers/PG01/boxes/01',
      JSON.stringify({
        boxNo: '01',
        door: 'open',
        lock: 'unlocked',
        occupancy: 'empty',
        usage: 'free',
        since: at,
      }),
      { qos: 1, retain: true },
    );
    // seq 2 first, then 1, 3, and 2 again: applied once each, appliedSeq ends at 3
    for (const ev of [events[1], events[0], events[2], events[1]]) {
      await cab.publishAsync('lockers/PG01/events', JSON.stringify(ev), { qos: 1 });
    }
    await expect.poll(() => acks.length, { timeout: 10_000 }).toBe(4);
    await cab.endAsync();
    await cloud.server.fleet.settle();
    const stored = await cloud.server.cabinets.listEvents('PG01');
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3]);
    const detail = await cloud.server.app.inject({
      method: 'GET',
      url: '/v1/admin/cabinets/PG01',
      headers: cloud.admin,
    });
    expect(detail.json().cabinet.appliedSeq).toBe(3);
    expect(detail.json().boxes).toEqual([expect.objectContaining({ boxNo: '01', door: 'open' })]);
  });
});

import { BoardSimulator } from '@locker/lockboard';
import { type SimulatedBus, simulatorOnPty } from '@locker/lockboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../support/daemon-process.js';
import {
  type CloudHandle,
  createBrokerAccount,
  registerCabinet,
  startCloudProcess,
  startEdgeProcess,
  tempDir,
} from '../support/stack.js';
import { TopicWatcher } from '../support/topic-watcher.js';

const CABINET = 'CR0001';
type Session = {
  id: string;
  state: string;
  boxNo: string | null;
  pickupCode: string | null;
  parcelId: string | null;
};

/**
 * The whole chain with real parts: an operator gives a courier access in the cloud, the cabinet
 * receives it as desired state over MQTT, the courier deposits at the cabinet's kiosk API into a
 * Kerong board (simulated behind a pseudo-terminal, occupancy sensor included), the recipient picks
 * up with the code, and the cloud ends up with every event and the final box state.
 */
describe('a parcel from courier to recipient through cloud, broker, cabinet and board', () => {
  const dir = tempDir('locker-courier-');
  let cloud: CloudHandle;
  let sim: BoardSimulator;
  let bus: SimulatedBus;
  let edge: DaemonProcess;
  let kiosk: string;
  let watcher: TopicWatcher;

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${kiosk}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Session & { error?: { code: string } } };
  };
  const session = async (id: string) =>
    (await fetch(`${kiosk}/api/sessions/${id}`).then((r) => r.json())) as Session;

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path);
    const creds = await registerCabinet(cloud, CABINET);
    const put = await cloud.admin('PUT', `/v1/admin/cabinets/${CABINET}/couriers/C-1001`, {
      pin: '4711',
      name: 'Wang',
    });
    expect(put.status).toBe(200);
    const viewer = await createBrokerAccount(cloud, 'courier-viewer', 'viewer');
    watcher = await TopicWatcher.connect(
      cloud.brokerUrl,
      viewer.username,
      viewer.password,
      `lockers/${CABINET}/#`,
    );

    sim = new BoardSimulator({ family: 'kerong', boards: [{ address: 0, locks: 4 }] });
    bus = await simulatorOnPty(sim);

    edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      broker: { url: cloud.brokerUrl, ...creds, resendAfterMs: 1000 },
      bus: { family: 'kerong', port: bus.hostPath, boards: [{ address: 0, locks: 4 }], pollIntervalMs: 100 },
      boxes: [
        { boxNo: '01', board: 0, lock: 1, size: 'small' },
        { boxNo: '02', board: 0, lock: 2, size: 'medium' },
        { boxNo: '03', board: 0, lock: 3, size: 'medium' },
        { boxNo: '04', board: 0, lock: 4, size: 'large' },
      ],
    });
    kiosk = String((await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000)).kiosk);
    await edge.waitForLine((l) => l.msg === 'desired state applied', 20_000);
  }, 60_000);

  afterAll(async () => {
    await edge?.stop();
    await watcher?.close();
    await cloud?.process.stop();
    await bus?.close();
    dir.remove();
  });

  let pickupCode = '';
  let parcelId = '';
  let boxNo = '';

  it('lets the courier the cloud provisioned deposit a parcel and issues a pickup code', async () => {
    const wrong = await post('/api/deposits', { courierId: 'C-1001', pin: '0000', size: 'medium' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('CREDENTIAL_INVALID');

    const started = await post('/api/deposits', { courierId: 'C-1001', pin: '4711', size: 'medium' });
    expect(started.status).toBe(201);
    boxNo = String(started.body.boxNo);
    expect(['02', '03']).toContain(boxNo);
    const lock = Number(boxNo);
    expect(sim.state(0, lock).door).toBe('open');

    // The courier puts the parcel in and shuts the door.
    sim.setOccupied(0, lock, true);
    sim.setDoor(0, lock, 'closed');
    // The code comes only in the first answer that sees the deposit completed (ADR 0009).
    let done: Session | undefined;
    await expect
      .poll(
        async () => {
          const s = await session(started.body.id);
          if (s.state === 'completed') done ??= s;
          return s.state;
        },
        { timeout: 15_000 },
      )
      .toBe('completed');
    if (!done) throw new Error('no completed session');
    expect(done.pickupCode).toMatch(/^[0-9]{6}$/);
    pickupCode = String(done.pickupCode);
    parcelId = String(done.parcelId);
  });

  it('lets the recipient take the parcel out with the code, once', async () => {
    const started = await post('/api/pickups', { code: pickupCode });
    expect(started.status).toBe(201);
    expect(started.body.boxNo).toBe(boxNo);
    const lock = Number(boxNo);
    sim.setOccupied(0, lock, false);
    sim.setDoor(0, lock, 'closed');
    await expect
      .poll(async () => (await session(started.body.id)).state, { timeout: 15_000 })
      .toBe('completed');

    const again = await post('/api/pickups', { code: pickupCode });
    expect(again.status).toBe(410);
    expect(again.body.error?.code).toBe('CODE_USED');
  });

  it('gives the cloud every event once and the final box state, with no code in any message', async () => {
    await expect
      .poll(
        async () => {
          const res = await cloud.admin('GET', `/v1/admin/cabinets/${CABINET}`);
          const body = res.body as { boxes: Array<{ boxNo: string; usage: string; door: string }> };
          return body.boxes.find((b) => b.boxNo === boxNo);
        },
        { timeout: 15_000 },
      )
      .toMatchObject({ usage: 'free', door: 'closed' });
    // The retained box state and the pickup event travel on different topics: wait for the event too.
    const cabinetEvents = () => watcher.messages.filter((m) => m.topic === `lockers/${CABINET}/events`);
    await expect
      .poll(() => cabinetEvents().map((m) => (m.json as { type: string }).type), { timeout: 15_000 })
      .toEqual(expect.arrayContaining(['parcel.deposited', 'parcel.picked_up']));
    const events = cabinetEvents();
    const deposited = events.find((m) => (m.json as { type: string }).type === 'parcel.deposited');
    expect(deposited?.json).toMatchObject({ data: { boxNo, parcelId } });
    for (const m of watcher.messages) expect(m.text).not.toContain(pickupCode);
    // every seq the cabinet sent was applied without a gap
    const seqs = [...new Set(events.map((m) => (m.json as { seq: number }).seq))].sort((a, b) => a - b);
    const res = await cloud.admin('GET', `/v1/admin/cabinets/${CABINET}`);
    await expect
      .poll(
        async () =>
          (
            (await cloud.admin('GET', `/v1/admin/cabinets/${CABINET}`)).body as {
              cabinet: { appliedSeq: number };
            }
          ).cabinet.appliedSeq,
        { timeout: 10_000 },
      )
      .toBeGreaterThanOrEqual(seqs[seqs.length - 1] ?? 0);
    expect(res.status).toBe(200);
  });
});

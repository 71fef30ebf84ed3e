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
  waitForCloudOnline,
} from '../support/stack.js';
import { TopicWatcher } from '../support/topic-watcher.js';

const CABINET = '610091A01';

describe('a command from the cloud opens a box and the report comes back', () => {
  const dir = tempDir('locker-e2e-');
  let cloud: CloudHandle;
  let sim: BoardSimulator;
  let bus: SimulatedBus;
  let edge: DaemonProcess;
  let watcher: TopicWatcher;

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path);
    const creds = await registerCabinet(cloud, CABINET);
    const viewer = await createBrokerAccount(cloud, 'e2e-viewer', 'viewer');
    watcher = await TopicWatcher.connect(
      cloud.brokerUrl,
      viewer.username,
      viewer.password,
      `lockers/${CABINET}/#`,
    );

    // The board is a simulator behind one end of a pseudo-terminal pair; the edge opens the other
    // end with the real serialport stack, exactly as it would open /dev/ttyUSB0.
    sim = new BoardSimulator({ family: 'xor8a', boards: [{ address: 1, locks: 16 }] });
    bus = await simulatorOnPty(sim);

    edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      broker: {
        url: cloud.brokerUrl,
        username: creds.username,
        password: creds.password,
        resendAfterMs: 1000,
      },
      bus: { family: 'xor8a', port: bus.hostPath, boards: [{ address: 1, locks: 16 }], pollIntervalMs: 100 },
    });
    await watcher.waitFor(
      (m) => m.topic === `lockers/${CABINET}/status` && (m.json as { state?: string })?.state === 'online',
    );
    await waitForCloudOnline(cloud, CABINET);
  }, 60_000);

  afterAll(async () => {
    await edge?.stop();
    await watcher?.close();
    await cloud?.process.stop();
    await bus?.close();
    dir.remove();
  });

  it('writes the unlock frame 8A 01 01 11 9B and reports the open box on the broker', async () => {
    const res = await cloud.admin('POST', `/v1/admin/cabinets/${CABINET}/boxes/01/open`, {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ boxNo: '01', confirmed: true, door: 'open' });

    expect(sim.frames.map((f) => f.hex)).toContain('8A 01 01 11 9B');

    const event = await watcher.waitFor(
      (m) =>
        m.topic === `lockers/${CABINET}/events` && (m.json as { type?: string })?.type === 'box.unlocked',
    );
    expect(event.json).toMatchObject({
      cabinetId: CABINET,
      data: { boxNo: '01', confirmed: true, purpose: 'command' },
    });
    expect((event.json as { seq: number }).seq).toBeGreaterThan(0);

    const state = await watcher.waitFor(
      (m) => m.topic === `lockers/${CABINET}/boxes/01` && (m.json as { door?: string })?.door === 'open',
    );
    expect(state.json).toMatchObject({ boxNo: '01', door: 'open', lock: 'unlocked' });
  });

  it('keeps the retained box state on the broker for a newcomer', async () => {
    const viewer = await createBrokerAccount(cloud, 'e2e-late-viewer', 'viewer');
    const late = await TopicWatcher.connect(
      cloud.brokerUrl,
      viewer.username,
      viewer.password,
      `lockers/${CABINET}/boxes/01`,
    );
    try {
      const m = await late.waitFor((x) => x.retain && (x.json as { door?: string })?.door === 'open');
      expect(m.json).toMatchObject({ boxNo: '01', door: 'open' });
    } finally {
      await late.close();
    }
  });

  it('shows the cloud the same box state and applies the events once', async () => {
    await expect
      .poll(
        async () => {
          const res = await cloud.admin('GET', `/v1/admin/cabinets/${CABINET}`);
          const body = res.body as {
            boxes: Array<{ boxNo: string; door: string }>;
            cabinet: { appliedSeq: number };
          };
          return body.boxes.find((b) => b.boxNo === '01')?.door;
        },
        { timeout: 10_000 },
      )
      .toBe('open');
  });

  it('leaves status offline after a clean stop', async () => {
    watcher.clear();
    const exit = await edge.stop('SIGTERM');
    expect(exit.code).toBe(0);
    const m = await watcher.waitFor(
      (x) => x.topic === `lockers/${CABINET}/status` && (x.json as { state?: string })?.state === 'offline',
    );
    expect(m.json).toMatchObject({ state: 'offline', reason: 'stopped' });
    expect(m.retain).toBe(false); // live delivery; the retained copy is checked below
    const fresh = await createBrokerAccount(cloud, 'e2e-status-viewer', 'viewer');
    const check = await TopicWatcher.connect(
      cloud.brokerUrl,
      fresh.username,
      fresh.password,
      `lockers/${CABINET}/status`,
    );
    try {
      const retained = await check.waitFor((x) => x.retain);
      expect(retained.json).toMatchObject({ state: 'offline' });
    } finally {
      await check.close();
    }
  });
});

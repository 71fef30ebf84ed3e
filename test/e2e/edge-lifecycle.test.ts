import mqtt from 'mqtt';
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

const CABINET = 'LIFE01';
const simBus = { family: 'xor8a', port: 'sim:', boards: [{ address: 1, locks: 8 }], pollIntervalMs: 100 };

describe('edge daemon start-up and bad input', () => {
  const dir = tempDir('locker-life-');

  afterAll(() => dir.remove());

  it('exits non-zero with a message naming the bad config field', async () => {
    const edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      bus: { family: 'xor8a', port: 'sim:', boards: [{ address: 1, locks: 'eight' }] },
    });
    const exit = await edge.exited;
    expect(exit.code).toBe(78);
    const text = edge.stderr.join('\n');
    expect(text).toContain('CONFIG_INVALID');
    expect(text).toContain('bus.boards.0.locks');
  });

  it('exits non-zero when the config file is not JSON', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = `${dir.path}/broken.json`;
    writeFileSync(file, '{ "cabinetId": ');
    const { DaemonProcess } = await import('../support/daemon-process.js');
    const edge = new DaemonProcess('edge/dist/main.js', ['--config', file]);
    const exit = await edge.exited;
    expect(exit.code).toBe(78);
    expect(edge.stderr.join('\n')).toContain('is not valid JSON');
  });
});

describe('edge daemon against the broker', () => {
  const dir = tempDir('locker-life-');
  let cloud: CloudHandle;
  let edge: DaemonProcess;
  let watcher: TopicWatcher;
  let operator: { username: string; password: string };
  let creds: { username: string; password: string };

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path);
    creds = await registerCabinet(cloud, CABINET);
    operator = await createBrokerAccount(cloud, 'life-operator', 'operator');
    watcher = await TopicWatcher.connect(
      cloud.brokerUrl,
      operator.username,
      operator.password,
      `lockers/${CABINET}/#`,
    );
    edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      broker: { url: cloud.brokerUrl, username: creds.username, password: creds.password },
      bus: simBus,
    });
    await watcher.waitFor(
      (m) => m.topic.endsWith('/status') && (m.json as { state?: string })?.state === 'online',
    );
    await waitForCloudOnline(cloud, CABINET);
  }, 60_000);

  afterAll(async () => {
    await edge?.stop('SIGKILL');
    await watcher?.close();
    await cloud?.process.stop();
    dir.remove();
  });

  it('logs and drops an MQTT payload that fails its schema, and keeps serving', async () => {
    const op = await mqtt.connectAsync(cloud.brokerUrl, { ...operator, reconnectPeriod: 0 });
    try {
      await op.publishAsync(`lockers/${CABINET}/request/open_box`, 'this is not json', { qos: 1 });
      await op.publishAsync(`lockers/${CABINET}/request/open_box`, JSON.stringify({ transaction: 42 }), {
        qos: 1,
      });
      await edge.waitForLine((l) => l.msg === 'command dropped: bad payload');

      // A well-formed request with bad params gets a coded error answer, not silence.
      await op.publishAsync(
        `lockers/${CABINET}/request/open_box`,
        JSON.stringify({ transaction: 'bad-params-1', params: { boxNo: 'x' } }),
        { qos: 1 },
      );
      const err = await watcher.waitFor(
        (m) =>
          m.topic.includes('/response/') &&
          (m.json as { transaction?: string })?.transaction === 'bad-params-1',
      );
      expect(err.json).toMatchObject({ status: 'error', error: { code: 'VALIDATION_FAILED' } });

      // ...and the daemon still opens boxes.
      const res = await cloud.admin('POST', `/v1/admin/cabinets/${CABINET}/boxes/02/open`, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ boxNo: '02', confirmed: true });
      expect(edge.running).toBe(true);
    } finally {
      await op.endAsync();
    }
  });

  it('answers a redelivered command from its journal without opening the door again', async () => {
    const op = await mqtt.connectAsync(cloud.brokerUrl, { ...operator, reconnectPeriod: 0 });
    try {
      const request = JSON.stringify({ transaction: 'twice-1', params: { boxNo: '03' } });
      await op.publishAsync(`lockers/${CABINET}/request/open_box`, request, { qos: 1 });
      await watcher.waitFor(
        (m) =>
          m.topic.includes('/response/') && (m.json as { transaction?: string })?.transaction === 'twice-1',
      );
      watcher.clear();
      await op.publishAsync(`lockers/${CABINET}/request/open_box`, request, { qos: 1 });
      const again = await watcher.waitFor(
        (m) =>
          m.topic.includes('/response/') && (m.json as { transaction?: string })?.transaction === 'twice-1',
      );
      expect(again.json).toMatchObject({ status: 'ok', data: { boxNo: '03' } });
      await edge.waitForLine((l) => l.msg === 'command redelivered; answering from the journal');
      const opens = edge.lines.filter((l) => l.msg === 'box unlocked' && l.boxNo === '03');
      expect(opens).toHaveLength(1);
    } finally {
      await op.endAsync();
    }
  });

  it('refuses an expired command', async () => {
    const op = await mqtt.connectAsync(cloud.brokerUrl, { ...operator, reconnectPeriod: 0 });
    try {
      await op.publishAsync(
        `lockers/${CABINET}/request/open_box`,
        JSON.stringify({ transaction: 'late-1', params: { boxNo: '04' }, expiresAt: '2020-01-01T00:00:00Z' }),
        { qos: 1 },
      );
      const m = await watcher.waitFor(
        (x) =>
          x.topic.includes('/response/') && (x.json as { transaction?: string })?.transaction === 'late-1',
      );
      expect(m.json).toMatchObject({ status: 'error', error: { code: 'COMMAND_EXPIRED' } });
    } finally {
      await op.endAsync();
    }
  });

  it('is reported offline by its will message when it dies without a clean stop', async () => {
    watcher.clear();
    await edge.stop('SIGKILL');
    const m = await watcher.waitFor(
      (x) => x.topic === `lockers/${CABINET}/status` && (x.json as { state?: string })?.state === 'offline',
    );
    expect(m.json).toMatchObject({ state: 'offline', reason: 'lost' });
  });
});

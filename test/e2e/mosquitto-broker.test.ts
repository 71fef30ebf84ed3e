import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, repoRoot } from '../support/daemon-process.js';
import { freePort, type MosquittoHandle, startMosquitto } from '../support/mosquitto.js';
import { ADMIN_TOKEN, startEdgeProcess, tempDir } from '../support/stack.js';
import { TopicWatcher } from '../support/topic-watcher.js';

type Creds = { username: string; password: string };

describe('the same system on an external Mosquitto broker', () => {
  const dir = tempDir('locker-mosq-');
  const passwordFile = join(dir.path, 'passwd');
  const aclFile = join(dir.path, 'acl');
  let mosquitto: MosquittoHandle;
  let cloud: DaemonProcess;
  let edge: DaemonProcess;
  let httpUrl: string;
  let watcher: TopicWatcher;
  let cabA: Creds;
  let cabB: Creds;
  let viewer: Creds;
  let configFile: string;

  const cli = (...args: string[]): unknown =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [join(repoRoot, 'cloud/dist/main.js'), '--config', configFile, ...args],
        {
          encoding: 'utf8',
        },
      ),
    );
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${httpUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body ?? {}) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const brokerPort = await freePort();
    configFile = join(dir.path, 'cloud.json');
    const config = (brokerUrl: string) => ({
      http: { host: '127.0.0.1', port: 0 },
      broker: {
        url: brokerUrl,
        embedded: { enabled: false },
        servicePassword: 'mosquitto-service-password',
        mosquitto: { passwordFile, aclFile, pidFile: join(dir.path, 'mosquitto.pid') },
      },
      database: { dialect: 'sqlite', file: join(dir.path, 'cloud.db') },
      adminToken: ADMIN_TOKEN,
      logLevel: 'info',
    });
    // Accounts are made with the CLI first: it writes the files Mosquitto needs to start.
    writeFileSync(configFile, JSON.stringify(config(`mqtt://127.0.0.1:${brokerPort}`)));
    cabA = (cli('cabinet', 'add', 'MQA01') as { broker: Creds }).broker;
    cabB = (cli('cabinet', 'add', 'MQB01') as { broker: Creds }).broker;
    viewer = (cli('operator', 'add', 'mq-viewer', 'viewer') as { broker: Creds }).broker;

    mosquitto = await startMosquitto(dir.path, passwordFile, aclFile);
    writeFileSync(configFile, JSON.stringify(config(mosquitto.url)));
    cloud = new DaemonProcess('cloud/dist/main.js', ['--config', configFile]);
    httpUrl = String((await cloud.waitForLine((l) => l.msg === 'cloud started', 20_000)).http);

    watcher = await TopicWatcher.connect(mosquitto.url, viewer.username, viewer.password, 'lockers/#');
    edge = startEdgeProcess(dir.path, {
      cabinetId: 'MQA01',
      broker: { url: mosquitto.url, ...cabA },
      bus: { family: 'xor8a', port: 'sim:', boards: [{ address: 1, locks: 4 }], pollIntervalMs: 100 },
    });
    await watcher.waitFor(
      (m) => m.topic === 'lockers/MQA01/status' && (m.json as { state?: string })?.state === 'online',
    );
    // The cloud applies the status a moment after the broker shows it; commands wait for that.
    const deadline = Date.now() + 15_000;
    while (
      ((await admin('GET', '/v1/admin/cabinets/MQA01')).body.cabinet as { status: string }).status !==
      'online'
    ) {
      if (Date.now() > deadline) throw new Error('the cloud never saw MQA01 online');
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  afterAll(async () => {
    await edge?.stop();
    await watcher?.close();
    await cloud?.stop();
    await mosquitto?.stop();
    dir.remove();
  });

  it('opens a box through Mosquitto with the cabinet credentials the cloud issued', async () => {
    const res = await admin('POST', '/v1/admin/cabinets/MQA01/boxes/01/open');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ boxNo: '01', confirmed: true });
    await watcher.waitFor(
      (m) => m.topic === 'lockers/MQA01/events' && (m.json as { type?: string })?.type === 'box.unlocked',
    );
  });

  it("refuses a cabinet that reaches into another cabinet's topics", async () => {
    const intruder = await mqtt.connectAsync(mosquitto.url, { ...cabB, reconnectPeriod: 0 });
    const stolen: string[] = [];
    intruder.on('message', (topic) => stolen.push(topic));
    try {
      // Mosquitto 2.0 grants the SUBACK and withholds delivery; what counts is that nothing arrives.
      await intruder.subscribeAsync('lockers/MQA01/#', { qos: 1 });
      watcher.clear();
      await intruder.publishAsync(
        'lockers/MQA01/request/open_box',
        JSON.stringify({ transaction: 'evil-1', params: { boxNo: '02' } }),
        { qos: 1 },
      );
      await intruder.publishAsync(
        'lockers/MQB01/status',
        JSON.stringify({ state: 'online', at: new Date().toISOString() }),
        { qos: 1 },
      );
      const res = await admin('POST', '/v1/admin/cabinets/MQA01/boxes/03/open');
      expect(res.status).toBe(200);
      // Its own status goes through; the forged command reaches no one; MQA01's traffic is not leaked.
      await watcher.waitFor((m) => m.topic === 'lockers/MQB01/status');
      await watcher.waitFor((m) => m.topic === 'lockers/MQA01/events');
      expect(watcher.messages.some((m) => m.text.includes('evil-1'))).toBe(false);
      expect(stolen).toEqual([]);
    } finally {
      await intruder.endAsync();
    }
  });

  it("cannot push cabinet A off with cabinet B's password and A's client id", async () => {
    watcher.clear();
    // use_username_as_clientid: Mosquitto replaces the claimed id with the username (MQB01).
    const intruder = await mqtt.connectAsync(mosquitto.url, {
      ...cabB,
      clientId: 'cabinet-MQA01',
      reconnectPeriod: 0,
    });
    try {
      // A command answered by A's edge after the takeover attempt proves A is still connected.
      const res = await admin('POST', '/v1/admin/cabinets/MQA01/boxes/02/open');
      expect(res.status).toBe(200);
      const cab = await admin('GET', '/v1/admin/cabinets/MQA01');
      expect((cab.body.cabinet as { status: string }).status).toBe('online');
      expect(
        watcher.messages.some(
          (m) => m.topic === 'lockers/MQA01/status' && (m.json as { state?: string })?.state === 'offline',
        ),
      ).toBe(false);
    } finally {
      await intruder.endAsync();
    }
  });

  it('keeps no retained state for a box the cabinet does not have (issue 13, defect 4)', async () => {
    const c = await mqtt.connectAsync(mosquitto.url, { ...cabB, reconnectPeriod: 0 });
    try {
      const state = (boxNo: string) =>
        JSON.stringify({
          boxNo,
          door: 'closed',
          lock: 'locked',
          occupancy: 'empty',
          usage: 'free',
          since: new Date().toISOString(),
        });
      // The ACL lists only MQB01's real boxes: Mosquitto acknowledges and drops the made-up one.
      await c.publishAsync('lockers/MQB01/boxes/1000', state('1000'), { qos: 1, retain: true });
      await c.publishAsync('lockers/MQB01/boxes/01', state('01'), { qos: 1, retain: true });
      const retained: string[] = [];
      c.on('message', (topic, _p, packet) => packet.retain && retained.push(topic));
      await c.subscribeAsync('lockers/MQB01/boxes/+', { qos: 1 });
      // The real box's retained state is the sentinel: the broker sends all retained states together.
      await expect.poll(() => retained, { timeout: 10_000 }).toContain('lockers/MQB01/boxes/01');
      expect(retained).not.toContain('lockers/MQB01/boxes/1000');
    } finally {
      await c.endAsync();
    }
  });

  it('disconnects a cabinet that sends a packet over 1 MiB (issue 13, defect 4)', async () => {
    const c = await mqtt.connectAsync(mosquitto.url, { ...cabB, reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    c.publish('lockers/MQB01/events', Buffer.alloc(2 * 1024 * 1024, 0x7b), { qos: 1 });
    await closed;
    c.end(true);
    // The broker and the cloud are still there for everyone else.
    const res = await admin('POST', '/v1/admin/cabinets/MQA01/boxes/04/open');
    expect(res.status).toBe(200);
  });

  it('gives an operator account made over HTTP a Mosquitto login with its role, and a disabled one loses it', async () => {
    const made = await admin('POST', '/v1/admin/operators', { username: 'mq-operator', role: 'operator' });
    expect(made.status).toBe(201);
    const creds = made.body.broker as Creds;
    const canConnect = async () => {
      try {
        const c = await mqtt.connectAsync(mosquitto.url, { ...creds, reconnectPeriod: 0 });
        await c.endAsync();
        return true;
      } catch {
        return false;
      }
    };
    // Mosquitto re-reads its files on SIGHUP, a moment after the cloud writes them.
    await expect.poll(canConnect, { timeout: 10_000, interval: 200 }).toBe(true);
    await admin('PATCH', '/v1/admin/operators/mq-operator', { disabled: true });
    await expect.poll(canConnect, { timeout: 10_000, interval: 200 }).toBe(false);
  });

  it('refuses a wrong password and accepts a rotated one at once', async () => {
    await expect(
      mqtt.connectAsync(mosquitto.url, {
        username: 'MQB01',
        password: 'not-the-password',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
    const rotated = await admin('POST', '/v1/admin/cabinets/MQB01/credentials');
    expect(rotated.status).toBe(200);
    const fresh = rotated.body as Creds;
    // Mosquitto re-reads its files on SIGHUP; give it a moment, then the new password works.
    await expect
      .poll(
        async () => {
          try {
            const c = await mqtt.connectAsync(mosquitto.url, { ...fresh, reconnectPeriod: 0 });
            await c.endAsync();
            return true;
          } catch {
            return false;
          }
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    await expect(mqtt.connectAsync(mosquitto.url, { ...cabB, reconnectPeriod: 0 })).rejects.toThrow();
  });
});

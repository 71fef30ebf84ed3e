import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonProcess } from '../support/daemon-process.js';
import { freePort } from '../support/mosquitto.js';
import { tempDir } from '../support/stack.js';

interface DemoOperator {
  url: string;
  username: string;
  password: string;
  loginPassword: string;
}

/** `npm start` minus the build: scripts/demo.mjs on free ports, its state in a temporary folder. */
async function startDemo(dir: string, ports: Record<string, number>): Promise<DaemonProcess> {
  const demo = new DaemonProcess('scripts/demo.mjs', [], {
    LOCKER_DEMO_DIR: dir,
    LOCKER_DEMO_NO_KIOSK: '1',
    LOCKER_DEMO_HTTP_PORT: String(ports.http),
    LOCKER_DEMO_MQTT_PORT: String(ports.mqtt),
    LOCKER_DEMO_MQTT_WS_PORT: String(ports.ws),
  });
  await demo.waitForLine((l) => String(l.msg).startsWith('Locker platform demo is running'), 120_000);
  return demo;
}

describe('npm start keeps the demo operator across restarts (issue 13)', () => {
  const dir = tempDir('locker-demo-');
  let demo: DaemonProcess | undefined;
  afterAll(async () => {
    await demo?.stop();
    dir.remove();
  });

  it('lets `npm run watch` log in with the same broker password after a restart, and logs no secret', async () => {
    const ports = { http: await freePort(), mqtt: await freePort(), ws: await freePort() };
    demo = await startDemo(dir.path, ports);
    const first = JSON.parse(readFileSync(join(dir.path, 'operator.json'), 'utf8')) as DemoOperator;
    await demo.stop();

    demo = await startDemo(dir.path, ports);
    const second = JSON.parse(readFileSync(join(dir.path, 'operator.json'), 'utf8')) as DemoOperator;
    expect(second).toEqual(first);
    const watcher = await mqtt.connectAsync(first.url, {
      username: first.username,
      password: first.password,
      reconnectPeriod: 0,
    });
    await watcher.endAsync();
    const login = await fetch(`http://127.0.0.1:${ports.http}/v1/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: first.username, password: first.loginPassword }),
    });
    expect(login.status).toBe(201);
    const { token } = (await login.json()) as { token: string };

    const { adminToken, servicePassword } = JSON.parse(readFileSync(join(dir.path, 'secrets.json'), 'utf8'));
    const logs = ['cloud.log', 'edge.log'].map((f) => readFileSync(join(dir.path, f), 'utf8')).join('\n');
    for (const secret of [adminToken, servicePassword, first.password, first.loginPassword, token]) {
      expect(logs.includes(secret)).toBe(false);
    }
  }, 300_000);
});

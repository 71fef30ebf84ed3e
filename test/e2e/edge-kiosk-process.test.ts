import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../support/daemon-process.js';
import { startEdgeProcess, tempDir } from '../support/stack.js';

describe('the built edge daemon serves its kiosk API', () => {
  const dir = tempDir('locker-edge-kiosk-');
  let edge: DaemonProcess;
  let url: string;

  beforeAll(async () => {
    edge = startEdgeProcess(dir.path, {
      cabinetId: '610091A01',
      bus: { family: 'xor8a', port: 'sim:', boards: [{ address: 1, locks: 8 }], pollIntervalMs: 100 },
      kiosk: { host: '127.0.0.1', port: 0 },
    });
    const started = await edge.waitForLine((l) => l.msg === 'cabinet daemon started');
    url = String(started.kiosk);
  });

  afterAll(async () => {
    await edge?.stop();
    dir.remove();
  });

  it('answers health on loopback and refuses a wrong code with a coded error', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/health`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', cabinetId: '610091A01', link: 'disabled' });
    const res = await fetch(`${url}/api/pickups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '000000' }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'CODE_INVALID' } });
  });

  it('exits 78 on a bad config so systemd does not restart it in a loop', async () => {
    const bad = startEdgeProcess(dir.path, {
      cabinetId: 'bad id',
      bus: { family: 'xor8a', port: 'sim:', boards: [] },
    });
    const exit = await bad.exited;
    expect(exit.code).toBe(78);
  });
});

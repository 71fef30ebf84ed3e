import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { makeVerifier } from '@locker/protocol';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import type { DaemonProcess } from './daemon-process.js';
import { startEdgeProcess, tempDir } from './stack.js';

export const COURIER = { id: 'C-1001', pin: '4711' };
export const GRANTEE = { userNo: '13466666666', code: '82731904', boxNo: '08' };
const COST = { N: 1024, r: 8, p: 1 };

export interface TouchCabinet {
  /** Stays the same across restarts (a fixed port), as a real cabinet's screen address does. */
  url: string;
  edge: DaemonProcess;
  /** Stops the daemon and starts it again on the same data and address. */
  restart(between?: () => Promise<void>): Promise<void>;
  /** The network goes: the broker takes no more connections and drops the ones it has. */
  dropNetwork(): void;
  /** An operator takes boxes out of service (or back) with the cloud's command. */
  setOutOfService(boxNos: string[], outOfService: boolean): Promise<void>;
  /** Which doors the simulated board has open right now. */
  openDoors(): Promise<string[]>;
  /** The person's hands on the simulated board. */
  sim(boxNo: string, what: 'occupancy' | 'door', body: object): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A cabinet for the touchscreen tests: a bare aedes broker standing in for the cloud (it sends the
 * courier's credential and a deposit grant as desired state), and the built edge daemon as a process on a
 * simulated Kerong board (door and occupancy sensors), 8 boxes: 01-04 small, 05-08 medium.
 */
export async function startTouchCabinet(
  cabinetId: string,
  config: Record<string, unknown> = {},
): Promise<TouchCabinet> {
  const dir = tempDir('locker-touch-');
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const brokerUrl = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cloud: MqttClient = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
  await cloud.publishAsync(
    `lockers/${cabinetId}/desired`,
    JSON.stringify({
      kind: 'snapshot',
      version: 1,
      couriers: [{ courierId: COURIER.id, company: 'B', pin: await makeVerifier(COURIER.pin, COST) }],
      grants: [
        {
          grantId: 'G-1',
          kind: 'deposit',
          boxNo: GRANTEE.boxNo,
          userNo: GRANTEE.userNo,
          holderNo: '13488888888',
          authorizerId: '0001',
          access: await makeVerifier(GRANTEE.code, COST),
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      ],
    }),
    { qos: 1, retain: true },
  );
  const port = await freePort();
  const { kiosk, ...rest } = config as { kiosk?: Record<string, unknown> };
  const start = () =>
    startEdgeProcess(dir.path, {
      cabinetId,
      broker: { url: brokerUrl, password: 'not-checked-here' },
      bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 8 }], pollIntervalMs: 100 },
      boxes: Array.from({ length: 8 }, (_, i) => ({
        boxNo: `0${i + 1}`,
        board: 0,
        lock: i + 1,
        size: i < 4 ? 'small' : 'medium',
      })),
      kiosk: { host: '127.0.0.1', ...kiosk, port },
      ...rest,
    });
  let edge = start();
  await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000);
  await edge.waitForLine((l) => l.msg === 'desired state applied', 20_000);
  const url = `http://127.0.0.1:${port}`;
  const cab: TouchCabinet = {
    url,
    edge,
    async restart(between) {
      await edge.stop();
      await between?.();
      edge = start();
      cab.edge = edge;
      // The courier is already there: the retained document is the one applied before.
      await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000);
    },
    async setOutOfService(boxNos, outOfService) {
      for (const boxNo of boxNos) {
        await cloud.publishAsync(
          `lockers/${cabinetId}/request/set_out_of_service`,
          JSON.stringify({ transaction: `oos-${boxNo}-${Date.now()}`, params: { boxNo, outOfService } }),
          { qos: 1 },
        );
      }
    },
    dropNetwork() {
      server.close();
      for (const s of sockets) s.destroy();
    },
    async openDoors() {
      const res = await fetch(`${url}/api/simulator/boxes`);
      const { boxes } = (await res.json()) as { boxes: Array<{ boxNo: string; door: string }> };
      return boxes.filter((b) => b.door === 'open').map((b) => b.boxNo);
    },
    async sim(boxNo, what, body) {
      await fetch(`${url}/api/simulator/boxes/${boxNo}/${what}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    },
    async stop() {
      await edge.stop();
      await cloud.endAsync(true);
      server.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => broker.close(() => r()));
      dir.remove();
    },
  };
  return cab;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Taps the keys of the keypad whose group is named `name`, as a person would. */
export async function tapPad(page: Page, name: string, text: string): Promise<void> {
  const pad = page.getByRole('group', { name, exact: true });
  for (const ch of text) await pad.locator(`button[data-key="${ch}"]`).click();
}

/** Waits until the session screen shows a box number, and returns it. */
export async function boxOnScreen(page: Page): Promise<string> {
  await page.waitForFunction(() =>
    /^\d{2}$/.test(document.querySelector('[data-testid="box-number"]')?.textContent ?? ''),
  );
  return (await page.getByTestId('box-number').textContent()) as string;
}

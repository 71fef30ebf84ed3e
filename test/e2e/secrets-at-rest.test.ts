import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BoardSimulator } from '@locker/lockboard';
import { type SimulatedBus, simulatorOnPty } from '@locker/lockboard/testing';
import { afterAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../support/daemon-process.js';
import {
  ADMIN_TOKEN,
  type CloudHandle,
  registerCabinet,
  startCloudProcess,
  startEdgeProcess,
  tempDir,
} from '../support/stack.js';

const CABINET = 'SR0001';
const PIN = '83926150';
type Session = {
  id: string;
  state: string;
  boxNo: string;
  pickupCode: string | null;
  pickupToken: string | null;
};

/** The database files of a directory tree, with their -wal and -shm companions, as raw bytes. */
function databaseBytes(dir: string): Array<{ file: string; bytes: Buffer }> {
  const out: Array<{ file: string; bytes: Buffer }> = [];
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    if (/\.db(-wal|-shm)?$/.test(entry) && existsSync(join(dir, entry))) {
      out.push({ file: entry, bytes: readFileSync(join(dir, entry)) });
    }
  }
  return out;
}

/**
 * A full deposit and pickup with cloud, broker, edge daemon and a simulated board, every log at trace
 * level; then no code, PIN, token or password used may be found in a database (with WAL and shm) or a log.
 */
describe('secrets at rest after a full deposit and pickup', () => {
  const dir = tempDir('locker-secrets-');
  let cloud: CloudHandle | undefined;
  let bus: SimulatedBus | undefined;
  let edge: DaemonProcess | undefined;
  afterAll(async () => {
    await edge?.stop();
    await cloud?.process.stop();
    await bus?.close();
    dir.remove();
  });

  it('finds none of them in edge.db, cloud.db, their WAL and shm files, or any log line', async () => {
    cloud = await startCloudProcess(dir.path, 'trace');
    const creds = await registerCabinet(cloud, CABINET);
    const put = await cloud.admin('PUT', `/v1/admin/cabinets/${CABINET}/couriers/C-7001`, {
      pin: PIN,
      name: 'Li',
    });
    expect(put.status).toBe(200);
    // An operator account: its one-time credentials, a login and the operator's own use of its token.
    const made = await cloud.admin('POST', '/v1/admin/operators', {
      username: 'secrets-op',
      role: 'operator',
    });
    expect(made.status).toBe(201);
    const operator = made.body as { password: string; token: string; broker: { password: string } };
    const login = await fetch(`${cloud.httpUrl}/v1/admin/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'secrets-op', password: operator.password }),
    });
    const loginToken = ((await login.json()) as { token: string }).token;
    const seen = await fetch(`${cloud.httpUrl}/v1/admin/cabinets/${CABINET}`, {
      headers: { authorization: `Bearer ${loginToken}` },
    });
    expect(seen.status).toBe(200);
    const sim = new BoardSimulator({ family: 'kerong', boards: [{ address: 0, locks: 2 }] });
    bus = await simulatorOnPty(sim);
    edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      logLevel: 'trace',
      broker: { url: cloud.brokerUrl, ...creds, resendAfterMs: 1000 },
      bus: { family: 'kerong', port: bus.hostPath, boards: [{ address: 0, locks: 2 }], pollIntervalMs: 100 },
      boxes: [
        { boxNo: '01', board: 0, lock: 1, size: 'medium' },
        { boxNo: '02', board: 0, lock: 2, size: 'large' },
      ],
    });
    const kiosk = String((await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000)).kiosk);
    await edge.waitForLine((l) => l.msg === 'desired state applied', 20_000);
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${kiosk}${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      return (await res.json()) as Session;
    };
    const until = async (id: string): Promise<Session> => {
      for (let i = 0; i < 300; i++) {
        const s = await call('GET', `/api/sessions/${id}`);
        if (s.state === 'completed') return s;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`session ${id} did not complete`);
    };

    const deposit = await call('POST', '/api/deposits', { courierId: 'C-7001', pin: PIN, size: 'medium' });
    sim.setOccupied(0, Number(deposit.boxNo), true);
    sim.setDoor(0, Number(deposit.boxNo), 'closed');
    const done = await until(deposit.id);
    const code = String(done.pickupCode);
    const token = String(done.pickupToken);
    expect(code).toMatch(/^[0-9]{6}$/);
    const pickup = await call('POST', '/api/pickups', { code });
    expect(pickup.state).toBe('door_open');
    sim.setOccupied(0, Number(pickup.boxNo), false);
    sim.setDoor(0, Number(pickup.boxNo), 'closed');
    await until(pickup.id);
    // The cloud has applied the events (so its database holds the whole run).
    await expect
      .poll(
        async () => {
          const res = await cloud?.admin('GET', `/v1/admin/cabinets/${CABINET}`);
          const body = res?.body as { boxes: Array<{ boxNo: string; usage: string }> };
          return body.boxes.find((b) => b.boxNo === pickup.boxNo)?.usage;
        },
        { timeout: 15_000 },
      )
      .toBe('free');

    const secrets = {
      pin: PIN,
      code,
      token,
      brokerPassword: creds.password,
      adminToken: ADMIN_TOKEN,
      operatorPassword: operator.password,
      operatorToken: operator.token,
      operatorLoginToken: loginToken,
      operatorBrokerPassword: operator.broker.password,
    };
    const look = (when: string) => {
      const found: string[] = [];
      const files = databaseBytes(dir.path);
      expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['cloud.db', 'edge-data/edge.db']));
      const logs = [
        {
          file: 'edge log',
          bytes: Buffer.from(JSON.stringify(edge?.lines) + (edge?.stderr ?? []).join('\n')),
        },
        {
          file: 'cloud log',
          bytes: Buffer.from(JSON.stringify(cloud?.process.lines) + (cloud?.process.stderr ?? []).join('\n')),
        },
      ];
      for (const { file, bytes } of [...files, ...logs]) {
        for (const [name, value] of Object.entries(secrets)) {
          if (bytes.includes(Buffer.from(value))) found.push(`${when}: ${name} in ${file}`);
        }
      }
      return found;
    };
    expect(edge.lines.some((l) => l.level === 10 || l.level === 20)).toBe(true);
    const running = look('running');
    await edge.stop();
    await cloud.process.stop();
    expect([...running, ...look('stopped')]).toEqual([]);
  }, 120_000);
});

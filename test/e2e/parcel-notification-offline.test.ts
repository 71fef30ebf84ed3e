import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { BoardSimulator, type SimulatedBus, simulatorOnPty } from '@locker/lockboard';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../support/daemon-process.js';
import {
  type CloudHandle,
  registerCabinet,
  startCloudProcess,
  startEdgeProcess,
  tempDir,
} from '../support/stack.js';
import { TcpCut } from '../support/tcp-cut.js';

const CABINET = '610091A01';
const RECIPIENT_TEL = '13455555555';
const SMS_TEL = '13400000077';
type Session = {
  id: string;
  state: string;
  boxNo: string;
  pickupCode: string | null;
  pickupToken: string | null;
};
type Note = { id: string; kind: string; payload: Record<string, unknown> };

/** A stand-in SMS gateway: records every POST it accepts. */
async function fakeGateway(): Promise<{
  server: Server;
  url: string;
  received: Array<Record<string, unknown>>;
}> {
  const received: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({ ...(JSON.parse(body) as Record<string, unknown>), auth: req.headers.authorization });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${addr.port}/sms`, received };
}

/** Every database file under `dir` with its -wal and -shm companions. */
function databaseBytes(dir: string): Array<{ file: string; bytes: Buffer }> {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.db(-wal|-shm)?$/.test(f) && existsSync(join(dir, f)))
    .map((file) => ({ file, bytes: readFileSync(join(dir, file)) }));
}

/**
 * Issue 8's courier story with real processes: a parcel announced in the cloud, deposited while the
 * cabinet is cut off from the broker, and the recipient notified with a code that opens the box once
 * the cabinet is back. The code crosses from cabinet to cloud only sealed (ADR 0013): afterwards no
 * database, WAL or log of either side holds it in the clear.
 */
describe('a recipient is notified of a parcel deposited while the cabinet was offline', () => {
  const dir = tempDir('locker-parcel-offline-');
  let cloud: CloudHandle;
  let gateway: Awaited<ReturnType<typeof fakeGateway>>;
  let link: TcpCut;
  let bus: SimulatedBus;
  let sim: BoardSimulator;
  let edge: DaemonProcess;
  let kiosk: string;
  let recipientToken = '';
  let courierToken = '';

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${cloud.httpUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const userWithTel = async (name: string, tel: string): Promise<string> => {
    const password = 'correct horse battery';
    const reg = await fetch(`${cloud.httpUrl}/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    expect(reg.status).toBe(201);
    const login = await fetch(`${cloud.httpUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: name, password }),
    });
    const { token, userId } = (await login.json()) as { token: string; userId: string };
    if (tel) {
      // Only a number staff checked leads to an account's notifications (ADR 0013).
      const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]).toString(
        'base64',
      );
      const submit = await api('PUT', '/v1/me/verification', token, {
        tel,
        realName: '李某',
        prcId: '11010519491231002X',
        address: 'Xi an',
        photo,
      });
      expect(submit.status).toBe(202);
      expect(
        (await cloud.admin('POST', `/v1/admin/verifications/${userId}`, { decision: 'pass' })).status,
      ).toBe(200);
    }
    return token;
  };
  const kioskCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${kiosk}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Session };
  };
  const completed = async (id: string): Promise<Session> => {
    let done: Session | undefined;
    await expect
      .poll(
        async () => {
          const s = (await kioskCall('GET', `/api/sessions/${id}`)).body;
          if (s.state === 'completed') done ??= s;
          return s.state;
        },
        { timeout: 20_000 },
      )
      .toBe('completed');
    if (!done) throw new Error('not completed');
    return done;
  };
  const cabinetStatus = async () =>
    ((await cloud.admin('GET', `/v1/admin/cabinets/${CABINET}`)).body as { cabinet: { status: string } })
      .cabinet.status;
  const notes = async (token: string) =>
    ((await api('GET', '/v1/me/notifications', token)).body as { notifications: Note[] }).notifications;

  beforeAll(async () => {
    gateway = await fakeGateway();
    cloud = await startCloudProcess(dir.path, 'trace', {
      notifications: { sms: { url: gateway.url, token: 'gateway-api-key-1234' }, sendIntervalMs: 100 },
    });
    const creds = await registerCabinet(cloud, CABINET);
    expect(
      (
        await cloud.admin('PUT', `/v1/admin/cabinets/${CABINET}/couriers/C-2001`, {
          pin: '5813',
          name: 'Zheng',
        })
      ).status,
    ).toBe(200);
    const codeKey = (await cloud.admin('GET', '/v1/admin/code-key')).body as { publicKey: string };
    recipientToken = await userWithTel('li_recipient', RECIPIENT_TEL);
    courierToken = await userWithTel('zheng_courier', '');
    const announced = await api('POST', '/v1/parcels', courierToken, {
      waybill: 'SF1234567890',
      recipientTel: RECIPIENT_TEL,
      size: 'medium',
    });
    expect(announced.status).toBe(201);

    link = await TcpCut.forward(cloud.brokerUrl);
    sim = new BoardSimulator({ family: 'kerong', boards: [{ address: 0, locks: 2 }] });
    bus = await simulatorOnPty(sim);
    edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      logLevel: 'trace',
      cloudCodeKey: codeKey.publicKey,
      broker: { url: link.url, ...creds, resendAfterMs: 1000, keepaliveSec: 5 },
      bus: { family: 'kerong', port: bus.hostPath, boards: [{ address: 0, locks: 2 }], pollIntervalMs: 100 },
      boxes: [
        { boxNo: '01', board: 0, lock: 1, size: 'medium' },
        { boxNo: '02', board: 0, lock: 2, size: 'medium' },
      ],
    });
    kiosk = String((await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000)).kiosk);
    await edge.waitForLine((l) => l.msg === 'desired state applied', 20_000);
  }, 90_000);

  afterAll(async () => {
    await edge?.stop();
    await link?.close();
    await cloud?.process.stop();
    await bus?.close();
    await new Promise((r) => gateway?.server.close(r));
    dir.remove();
  });

  const shown: Session[] = [];

  it('deposits at the cabinet while it is cut off from the cloud, and nobody is told yet', async () => {
    link.cut();
    await expect.poll(cabinetStatus, { timeout: 20_000 }).toBe('offline');
    for (const body of [{ waybill: 'SF1234567890' }, { recipientTel: SMS_TEL }]) {
      const started = await kioskCall('POST', '/api/deposits', {
        courierId: 'C-2001',
        pin: '5813',
        size: 'medium',
        ...body,
      });
      expect(started.status).toBe(201);
      sim.setOccupied(0, Number(started.body.boxNo), true);
      sim.setDoor(0, Number(started.body.boxNo), 'closed');
      shown.push(await completed(started.body.id));
    }
    expect(shown.map((s) => s.pickupCode)).toEqual([
      expect.stringMatching(/^\d{6}$/),
      expect.stringMatching(/^\d{6}$/),
    ]);
    expect((await notes(recipientToken)).filter((n) => n.kind === 'parcel.deposited')).toEqual([]);
    expect(gateway.received).toEqual([]);
  });

  it('notifies the recipient in the app and the other one by SMS once the cabinet is back', async () => {
    link.restore();
    await expect
      .poll(
        async () =>
          (await notes(recipientToken)).find((n) => n.kind === 'parcel.deposited')?.payload.pickupCode,
        {
          timeout: 30_000,
        },
      )
      .toBe(shown[0]?.pickupCode);
    const note = (await notes(recipientToken)).find((n) => n.kind === 'parcel.deposited');
    expect(note?.payload).toMatchObject({
      waybill: 'SF1234567890',
      qrPayload: shown[0]?.pickupToken,
      boxNo: shown[0]?.boxNo,
    });
    await expect.poll(() => gateway.received.length, { timeout: 20_000 }).toBe(1);
    expect(gateway.received[0]).toMatchObject({
      channel: 'sms',
      to: SMS_TEL,
      auth: 'Bearer gateway-api-key-1234',
      data: { pickupCode: shown[1]?.pickupCode },
    });
    const mine = (await api('GET', '/v1/me/parcels', recipientToken)).body as {
      parcels: Array<{ state: string }>;
    };
    expect(mine.parcels.map((p) => p.state)).toEqual(['notified']);
  });

  it('opens the box with the notified code, and the cloud follows the pickup', async () => {
    const code = (await notes(recipientToken)).find((n) => n.kind === 'parcel.deposited')?.payload.pickupCode;
    const pick = await kioskCall('POST', '/api/pickups', { code });
    expect(pick.status).toBe(201);
    expect(pick.body.boxNo).toBe(shown[0]?.boxNo);
    sim.setOccupied(0, Number(pick.body.boxNo), false);
    sim.setDoor(0, Number(pick.body.boxNo), 'closed');
    await completed(pick.body.id);
    await expect
      .poll(
        async () =>
          (
            (await api('GET', '/v1/me/parcels?role=courier', courierToken)).body as {
              parcels: Array<{ state: string }>;
            }
          ).parcels[0]?.state,
        {
          timeout: 20_000,
        },
      )
      .toBe('picked_up');
  });

  it('leaves no code or QR token in the clear in either database, its WAL, or any log', async () => {
    const secrets = shown.flatMap((s) => [String(s.pickupCode), String(s.pickupToken)]);
    const look = (when: string) => {
      const found: string[] = [];
      const files = databaseBytes(dir.path);
      expect(files.map((f) => f.file)).toEqual(expect.arrayContaining(['cloud.db', 'edge-data/edge.db']));
      const logs = [
        { file: 'edge log', bytes: Buffer.from(JSON.stringify(edge.lines) + edge.stderr.join('\n')) },
        {
          file: 'cloud log',
          bytes: Buffer.from(JSON.stringify(cloud.process.lines) + cloud.process.stderr.join('\n')),
        },
      ];
      for (const { file, bytes } of [...files, ...logs]) {
        for (const secret of secrets)
          if (bytes.includes(Buffer.from(secret))) found.push(`${when}: ${secret} in ${file}`);
      }
      return found;
    };
    // The stored notification that redelivers the code keeps it sealed.
    const cloudDb = Buffer.concat(
      databaseBytes(dir.path)
        .filter((f) => f.file.startsWith('cloud.db'))
        .map((f) => f.bytes),
    );
    expect(cloudDb.includes(Buffer.from('"sealedCode"'))).toBe(true);
    const running = look('running');
    await edge.stop();
    await cloud.process.stop();
    expect([...running, ...look('stopped')]).toEqual([]);
  }, 60_000);
});

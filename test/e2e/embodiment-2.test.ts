import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess } from '../support/daemon-process.js';
import { PhoneUser } from '../support/phone-user.js';
import { type SimulatedCabinet, startSimulatedCabinet } from '../support/sim-cabinet.js';
import { type CloudHandle, startCloudProcess, tempDir } from '../support/stack.js';

const SITE = '610091A01';
type Request = {
  id: string;
  state: string;
  boxNo: string;
  grantId: string | null;
  failureCode: string | null;
  grantee: { id: string; userNo: string | null } | null;
};

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * The patent's embodiment 2 (method 2, third-party authorization) across real processes: the cloud
 * with its broker, the cabinet daemon on a simulated Kerong board, and the example authorizer
 * (deploy/examples/authorizer) of 快递公司A (0001, answers at once) and 快递公司B (0002, answers by
 * callback later) over HTTP on loopback. Courier 郑某 13488888888 holds large box 01 at 610091A01
 * and hands it to company A, whose on-duty courier 王某 13466666666 deposits with the notified code.
 */
describe('embodiment 2: third-party authorization of a reserved box, end to end', () => {
  const dir = tempDir('locker-embodiment2-');
  const ports = { http: 0, broker: 0, a: 0, b: 0 };
  let cloudConfig: Record<string, unknown>;
  let cloud: CloudHandle;
  let cab: SimulatedCabinet;
  let companyA: DaemonProcess;
  let companyB: DaemonProcess;
  const secrets: Record<string, string> = {};
  let zheng: PhoneUser;
  let wang: PhoneUser;
  let liu: PhoneUser;

  const authorizerUrl = (port: number) => `http://127.0.0.1:${port}`;
  const startAuthorizer = async (no: string, port: number, mode: string, roster: unknown) => {
    const rosterFile = join(dir.path, `roster-${no}.json`);
    writeFileSync(rosterFile, JSON.stringify(roster));
    const args = ['--port', String(port), '--cloud', cloud.httpUrl, '--authorizer', no];
    const proc = new DaemonProcess(
      'deploy/examples/authorizer/authorizer.mjs',
      [...args, '--roster', rosterFile, '--mode', mode, '--delay-ms', '2500'],
      // The secret by environment, as the example's README says (flags show in `ps`).
      { AUTHORIZER_SECRET: secrets[no] },
    );
    await proc.waitForLine((l) => l.msg === 'authorizer listening', 10_000);
    return proc;
  };
  const fromAuthorizer = async <T>(port: number, path: string): Promise<T> =>
    (await fetch(`${authorizerUrl(port)}${path}`).then((r) => r.json())) as T;
  const confirmationsAt = async (port: number, requestId: string) =>
    (
      await fromAuthorizer<{ confirmations: Array<{ requestId: string }> }>(port, '/confirmations')
    ).confirmations.filter((c) => c.requestId === requestId);
  const requestsAt = async (port: number, requestId: string) =>
    (await fromAuthorizer<{ requests: Array<{ requestId: string }> }>(port, '/requests')).requests.filter(
      (c) => c.requestId === requestId,
    );

  const edgeGrants = (): Array<{
    grant_id: string;
    box_no: string;
    user_no: string;
    authorizer_id: string | null;
  }> => {
    const db = new Database(join(dir.path, 'edge-data', 'edge.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT grant_id, box_no, user_no, authorizer_id FROM grants').all() as never;
    } finally {
      db.close();
    }
  };
  const cabinetCaughtUp = () => cab.caughtUp();
  const boxes = async () =>
    (
      (await cloud.admin('GET', `/v1/admin/sites/${SITE}/boxes`)).body as {
        boxes: Array<{ boxNo: string; status: string; holderId: string | null; depositor: string | null }>;
      }
    ).boxes;
  const boxOf = async (boxNo: string) => (await boxes()).find((b) => b.boxNo === boxNo);
  const request = async (id: string) =>
    (await zheng.call<Request>('GET', `/v1/authorizations/third-party/${id}`)).body;
  const steps = async (id: string) =>
    (
      await zheng.call<{ entries: Array<{ event: string }> }>(
        'GET',
        `/v1/authorizations/third-party/${id}/timeline`,
      )
    ).body.entries.map((e) => e.event);

  /** 郑某 reserves a large box: the cloud and the cabinet both record it. */
  const reserve = async (boxNo: string) => {
    const res = await zheng.call<{ reservation: { id: string; boxNo: string } }>('POST', '/v1/reservations', {
      siteNo: SITE,
      size: 'large',
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(res.status).toBe(201);
    expect(res.body.reservation.boxNo).toBe(boxNo);
    const rights = (await cloud.admin('GET', `/v1/admin/sites/${SITE}/rights`)).body as {
      reservations: Array<{ id: string; boxNo: string }>;
    };
    expect(rights.reservations).toContainEqual(
      expect.objectContaining({ id: res.body.reservation.id, boxNo }),
    );
    // The cabinet's daemon logs the version inside its transaction: poll its database a moment.
    await expect
      .poll(edgeGrants, { timeout: 10_000 })
      .toContainEqual(
        expect.objectContaining({ grant_id: res.body.reservation.id, box_no: boxNo, user_no: zheng.tel }),
      );
    return res.body.reservation;
  };

  /** Steps B and C: 郑某 sees the box and both authorizers, and picks one. */
  const ask = async (boxNo: string, authorizerNo: string) => {
    const held = await zheng.call<{ boxes: Array<{ boxNo: string; right: string; size: string }> }>(
      'GET',
      '/v1/me/boxes',
    );
    expect(held.body.boxes).toContainEqual(
      expect.objectContaining({ boxNo, right: 'deposit', size: 'large' }),
    );
    const listed = await zheng.call<{ authorizers: Array<{ no: string; name: string }> }>(
      'GET',
      '/v1/authorizers',
    );
    expect(listed.body.authorizers).toEqual([
      { no: '0001', name: '快递公司A' },
      { no: '0002', name: '快递公司B' },
    ]);
    const res = await zheng.call<Request>('POST', '/v1/authorizations/third-party', {
      siteNo: SITE,
      boxNo,
      authorizerNo,
    });
    expect(res.status).toBe(202);
    expect(res.body.state).toBe('requested');
    return res.body;
  };

  const kioskPost = (path: string, body: unknown) => cab.kioskPost(path, body);

  beforeAll(async () => {
    for (const k of Object.keys(ports) as Array<keyof typeof ports>) ports[k] = await freePort();
    // Fixed ports: the authorizer calls back to one URL and the cabinet reconnects to one broker
    // after the cloud restarts. Short retries keep the "authorizer down" case fast.
    cloudConfig = {
      http: { host: '127.0.0.1', port: ports.http },
      broker: {
        servicePassword: 'e2e-service-password',
        embedded: { host: '127.0.0.1', port: ports.broker },
      },
      rights: { maxActiveReservationsPerUser: 10 },
      authorizers: {
        workerIntervalMs: 50,
        retryBaseMs: 100,
        retryMaxMs: 400,
        maxAttempts: 3,
        timeoutMs: 2000,
      },
    };
    cloud = await startCloudProcess(dir.path, 'info', cloudConfig);
    cab = await startSimulatedCabinet(dir.path, cloud, {
      site: SITE,
      boxes: { '01': 'large', '02': 'large', '03': 'large', '04': 'large', '05': 'large', '06': 'large' },
    });

    for (const [no, name, port] of [
      ['0001', '快递公司A', ports.a],
      ['0002', '快递公司B', ports.b],
    ] as const) {
      const res = await cloud.admin('POST', '/v1/admin/authorizers', {
        no,
        name,
        url: `${authorizerUrl(port)}/locker`,
      });
      expect(res.status).toBe(201);
      secrets[no] = (res.body as { secret: string }).secret;
    }
    companyA = await startAuthorizer('0001', ports.a, 'now', {
      couriers: [
        { name: '王某', userNo: '13466666666', onDuty: true },
        { name: '赵某', userNo: '13477777777', onDuty: false },
      ],
    });
    companyB = await startAuthorizer('0002', ports.b, 'callback', {
      couriers: [{ name: '刘某', userNo: '13422222222', onDuty: true }],
    });
    zheng = await PhoneUser.register(cloud.httpUrl, 'zheng_mou', '13488888888');
    wang = await PhoneUser.register(cloud.httpUrl, 'wang_mou', '13466666666');
    liu = await PhoneUser.register(cloud.httpUrl, 'liu_mou', '13422222222');
  }, 120_000);

  afterAll(async () => {
    await companyA?.stop();
    await companyB?.stop();
    await cab?.stop();
    await cloud?.process.stop();
    dir.remove();
  });

  it('郑某 hands large box 01 to 快递公司A, whose on-duty courier 王某 becomes its user and deposits with the notified code; both sides are confirmed and the timeline shows every step', async () => {
    const reservation = await reserve('01');
    const asked = await ask('01', '0001');
    await expect.poll(async () => (await request(asked.id)).state, { timeout: 15_000 }).toBe('granted');
    const done = await request(asked.id);
    expect(done.grantee).toMatchObject({ id: wang.id, userNo: '13466666666' });
    expect(await boxOf('01')).toMatchObject({ holderId: wang.id, status: 'reserved' });

    // Confirmations: 郑某 by notification, company A by a signed POST it recorded.
    const confirmed = (await zheng.notifications()).find((n) => n.kind === 'grant.confirmed');
    expect(confirmed?.payload).toMatchObject({
      authorizerNo: '0001',
      grant: { boxNo: '01', grantee: { id: wang.id } },
    });
    await expect
      .poll(async () => (await confirmationsAt(ports.a, asked.id)).length, { timeout: 15_000 })
      .toBe(1);
    expect((await confirmationsAt(ports.a, asked.id))[0]).toMatchObject({
      grantee: '13466666666',
      boxNo: '01',
    });
    expect(await requestsAt(ports.a, asked.id)).toHaveLength(1);

    // The cabinet swaps 郑某's right for 王某's grant, with the authorizer's number.
    await cabinetCaughtUp();
    await expect.poll(() => edgeGrants().some((g) => g.grant_id === reservation.id)).toBe(false);
    expect(edgeGrants()).toContainEqual(
      expect.objectContaining({
        grant_id: done.grantId,
        box_no: '01',
        user_no: '13466666666',
        authorizer_id: '0001',
      }),
    );

    // 王某 opens the sealed code of the notification and deposits at the cabinet.
    const received = (await wang.notifications()).find((n) => n.kind === 'grant.received');
    const opened = await wang.call<{ accessCode: string }>(
      'POST',
      `/v1/me/grants/${done.grantId}/access-code`,
      {
        accessCodeSealed: received?.payload.accessCodeSealed,
      },
    );
    expect(opened.status).toBe(200);
    const started = await kioskPost('/api/grants/use', { userNo: wang.tel, code: opened.body.accessCode });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: 'grant_deposit', boxNo: '01', state: 'door_open' });
    expect(cab.sim.state(0, 1).door).toBe('open');
    cab.sim.setOccupied(0, 1, true);
    cab.sim.setDoor(0, 1, 'closed');
    await expect
      .poll(async () => (await cab.session(started.body.id)).state, {
        timeout: 20_000,
      })
      .toBe('completed');

    await expect.poll(() => steps(asked.id), { timeout: 20_000 }).toContain('deposited');
    const story = await steps(asked.id);
    expect(story.slice(0, 7)).toEqual([
      'requested',
      'sent',
      'authorized',
      'notified',
      'answered',
      'confirmed',
      'confirmed',
    ]);
    expect(story).toEqual(expect.arrayContaining(['opened', 'used', 'deposited']));
    expect(await boxOf('01')).toMatchObject({ status: 'occupied', depositor: '13466666666' });
  });

  it('with 快递公司A down, retries, then tells 郑某 the authorization failed and leaves box 02 as it was', async () => {
    const reservation = await reserve('02');
    await companyA.stop();
    const asked = await ask('02', '0001');
    await expect.poll(async () => (await request(asked.id)).state, { timeout: 15_000 }).toBe('failed');
    expect((await request(asked.id)).failureCode).toBe('AUTHORIZER_UNREACHABLE');
    const failed = (await zheng.notifications()).find(
      (n) => n.kind === 'authorization.failed' && n.payload.requestId === asked.id,
    );
    expect(failed?.payload).toMatchObject({ siteNo: SITE, boxNo: '02', code: 'AUTHORIZER_UNREACHABLE' });
    expect(await boxOf('02')).toMatchObject({ holderId: zheng.id, status: 'reserved' });
    expect(edgeGrants()).toContainEqual(
      expect.objectContaining({ grant_id: reservation.id, user_no: zheng.tel }),
    );
    const retried = cloud.process.lines.filter(
      (l) => l.msg === 'authorizer delivery failed' && l.requestId === asked.id,
    );
    expect(retried).toHaveLength(3);
    expect(retried.at(-1)?.deadLetter).toBe(true);
    expect(await steps(asked.id)).toEqual(['requested', 'failed']);
    companyA = await startAuthorizer('0001', ports.a, 'now', {
      couriers: [{ name: '王某', userNo: '13466666666', onDuty: true }],
    });
  });

  it('takes 快递公司B answering later by signed callback: sent first, then granted to its courier 刘某', async () => {
    await reserve('03');
    const asked = await ask('03', '0002');
    await expect.poll(async () => (await request(asked.id)).state, { timeout: 10_000 }).toBe('sent');
    await expect.poll(async () => (await request(asked.id)).state, { timeout: 15_000 }).toBe('granted');
    expect((await request(asked.id)).grantee).toMatchObject({ id: liu.id, userNo: '13422222222' });
    expect(await boxOf('03')).toMatchObject({ holderId: liu.id });
    await expect
      .poll(async () => (await confirmationsAt(ports.b, asked.id)).length, { timeout: 15_000 })
      .toBe(1);
    expect((await liu.notifications()).some((n) => n.kind === 'grant.received')).toBe(true);
  });

  it('loses nothing and sends nothing twice when the cloud restarts between the request and the callback', async () => {
    await reserve('04');
    const asked = await ask('04', '0002');
    await expect.poll(async () => (await request(asked.id)).state, { timeout: 10_000 }).toBe('sent');
    await cloud.process.stop();
    cloud = await startCloudProcess(dir.path, 'info', cloudConfig);
    await expect.poll(async () => (await request(asked.id)).state, { timeout: 30_000 }).toBe('granted');
    expect(await boxOf('04')).toMatchObject({ holderId: liu.id });
    await expect
      .poll(async () => (await confirmationsAt(ports.b, asked.id)).length, { timeout: 15_000 })
      .toBe(1);
    // Give the restarted worker a few more passes: still one request and one confirmation.
    await new Promise((r) => setTimeout(r, 500));
    expect(await requestsAt(ports.b, asked.id)).toHaveLength(1);
    expect(await confirmationsAt(ports.b, asked.id)).toHaveLength(1);
    const grantId = (await request(asked.id)).grantId;
    await expect.poll(edgeGrants, { timeout: 20_000 }).toContainEqual(
      expect.objectContaining({
        grant_id: grantId,
        box_no: '04',
        user_no: '13422222222',
        authorizer_id: '0002',
      }),
    );
  });

  it('leaves no authorizer secret in a log line', () => {
    const logs = [...cloud.process.lines, ...cab.edge.lines, ...companyA.lines, ...companyB.lines]
      .map((l) => JSON.stringify(l))
      .join('\n');
    for (const secret of Object.values(secrets)) expect(logs).not.toContain(secret);
  });
});

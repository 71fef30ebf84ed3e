import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BoardSimulator } from '@locker/lockboard';
import { type SimulatedBus, simulatorOnPty } from '@locker/lockboard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScreen, tapKeys } from '../support/browser.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { PhoneUser } from '../support/phone-user.js';
import {
  type CloudHandle,
  provisionCabinet,
  startCloudProcess,
  startEdgeProcess,
  tempDir,
} from '../support/stack.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const SITE = '610091A01';
type Session = { id: string; state: string; boxNo: string | null; kind?: string; error?: { code: string } };
type Grant = { id: string; state: string; boxNo: string };

/**
 * The patent's embodiment 1 across real processes (cloud with its broker, the cabinet daemon, a
 * simulated Kerong board): 李某 13455555555 reserves large box 01 at 610091A01 and hands it to
 * 13499996666, who is notified and deposits with the notified code. The cabinet reaches the broker
 * through a TCP proxy the test can cut, for the variant where the cabinet is offline at use.
 */
describe('embodiment 1: direct authorization of a reserved box, end to end', () => {
  const dir = tempDir('locker-embodiment1-');
  let cloud: CloudHandle;
  let proxy: TcpProxy;
  let sim: BoardSimulator;
  let bus: SimulatedBus;
  let edge: DaemonProcess;
  let kiosk: string;
  let li: PhoneUser;
  let grantee: PhoneUser;
  const codes: string[] = [];

  const kioskPost = async (path: string, body: unknown) => {
    const res = await fetch(`${kiosk}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Session };
  };
  const session = async (id: string) =>
    (await fetch(`${kiosk}/api/sessions/${id}`).then((r) => r.json())) as Session;
  const cabinetStatus = async () =>
    ((await cloud.admin('GET', `/v1/admin/cabinets/${SITE}`)).body as { cabinet?: { status?: string } })
      .cabinet?.status;
  const desiredVersion = async () =>
    ((await cloud.admin('GET', `/v1/admin/cabinets/${SITE}/desired`)).body as { version: number }).version;
  /** Waits until the cabinet has applied the cloud's current desired state (its own log says so). */
  const cabinetCaughtUp = async () => {
    const version = await desiredVersion();
    await edge.waitForLine((l) => l.msg === 'desired state applied' && Number(l.version) >= version, 20_000);
  };

  const reserveLarge = async () => {
    const res = await li.call<{ reservation: { id: string; boxNo: string }; accessCode: string }>(
      'POST',
      '/v1/reservations',
      { siteNo: SITE, size: 'large', endsAt: new Date(Date.now() + 3_600_000).toISOString() },
    );
    expect(res.status).toBe(201);
    codes.push(res.body.accessCode);
    return res.body;
  };

  /** Steps B-E, and the grantee opening the sealed code of their notification. */
  const authorize = async (boxNo: string) => {
    const held = await li.call<{ boxes: Array<{ siteNo: string; boxNo: string; right: string }> }>(
      'GET',
      '/v1/me/boxes',
    );
    expect(held.body.boxes).toContainEqual(
      expect.objectContaining({ siteNo: SITE, boxNo, right: 'deposit' }),
    );
    const res = await li.call<Grant>('POST', '/v1/authorizations', {
      siteNo: SITE,
      boxNo,
      grantee: grantee.tel,
    });
    expect(res.status).toBe(201);
    const grant = res.body;
    const note = (await grantee.notifications()).find(
      (n) => n.kind === 'grant.received' && (n.payload.grant as Grant).id === grant.id,
    );
    expect(note?.payload).toMatchObject({ userNo: grantee.tel, grant: { siteNo: SITE, boxNo } });
    const opened = await grantee.call<{ accessCode: string }>(
      'POST',
      `/v1/me/grants/${grant.id}/access-code`,
      {
        accessCodeSealed: note?.payload.accessCodeSealed,
      },
    );
    expect(opened.status).toBe(200);
    codes.push(opened.body.accessCode);
    expect((await li.notifications()).some((n) => n.kind === 'grant.confirmed')).toBe(true);
    return { grant, code: opened.body.accessCode };
  };

  /** The grantee at the touchscreen's "use an authorized box" tile: opens, puts the parcel in, shuts. */
  const depositAtKiosk = async (boxNo: string, code: string) => {
    const started = await kioskPost('/api/grants/use', { userNo: grantee.tel, code });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ kind: 'grant_deposit', boxNo, state: 'door_open' });
    const lock = Number(boxNo);
    expect(sim.state(0, lock).door).toBe('open');
    sim.setOccupied(0, lock, true);
    sim.setDoor(0, lock, 'closed');
    await expect
      .poll(async () => (await session(started.body.id)).state, { timeout: 20_000 })
      .toBe('completed');
  };

  const timeline = async (user: PhoneUser, grantId: string) =>
    (
      await user.call<{ entries: Array<{ event: string }> }>('GET', `/v1/authorizations/${grantId}/timeline`)
    ).body.entries.map((e) => e.event);

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path);
    const { broker: creds, accessKeys } = await provisionCabinet(cloud, SITE);
    proxy = await TcpProxy.start(cloud.brokerUrl);
    sim = new BoardSimulator({ family: 'kerong', boards: [{ address: 0, locks: 4 }] });
    bus = await simulatorOnPty(sim);
    edge = startEdgeProcess(dir.path, {
      cabinetId: SITE,
      accessKeys,
      // The keypads are read by their English names (the screen's default is zh-CN, ADR 0011).
      kiosk: { host: '127.0.0.1', port: 0, locale: 'en' },
      broker: { url: proxy.url, ...creds, resendAfterMs: 1000, keepaliveSec: 5 },
      bus: { family: 'kerong', port: bus.hostPath, boards: [{ address: 0, locks: 4 }], pollIntervalMs: 100 },
      boxes: [
        { boxNo: '01', board: 0, lock: 1, size: 'large' },
        { boxNo: '02', board: 0, lock: 2, size: 'large' },
        { boxNo: '03', board: 0, lock: 3, size: 'large' },
        { boxNo: '04', board: 0, lock: 4, size: 'small' },
      ],
    });
    kiosk = String((await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 30_000)).kiosk);
    await edge.waitForLine((l) => l.msg === 'desired state applied', 30_000);
    li = await PhoneUser.register(cloud.httpUrl, 'li_mou', '13455555555');
    grantee = await PhoneUser.register(cloud.httpUrl, 'grantee_6666', '13499996666');
  }, 90_000);

  afterAll(async () => {
    await edge?.stop();
    await proxy?.close();
    await cloud?.process.stop();
    await bus?.close();
    dir.remove();
  });

  it('李某 reserves large box 01, authorizes 13499996666, who deposits at the touchscreen with the notified code; both see every step', async () => {
    // The site's box records come from the cabinet's own box states.
    await expect
      .poll(
        async () =>
          (
            (await cloud.admin('GET', `/v1/admin/sites/${SITE}/boxes`)).body as {
              boxes?: Array<{ size: string }>;
            }
          ).boxes?.length,
        { timeout: 20_000 },
      )
      .toBe(4);
    const { reservation } = await reserveLarge();
    expect(reservation.boxNo).toBe('01');
    const { grant, code } = await authorize('01');
    await cabinetCaughtUp();
    // 李某's own code is no longer the box's, and the grantee's code opens no other box.
    const old = await kioskPost('/api/grants/use', { userNo: li.tel, code: codes[0] });
    expect(old.status).toBe(401);
    const other = await kioskPost('/api/grants/use', { userNo: grantee.tel, code, boxNo: '02' });
    expect(other.status).toBe(401);
    // The grantee at the touchscreen: the "Use an authorized box" tile, phone number, notified code.
    const screen = await openScreen(kiosk);
    try {
      const { page } = screen;
      await page.getByTestId('start-grant').click();
      await tapKeys(page, 'User number', grantee.tel);
      await page.getByTestId('grant-user-submit').click();
      await tapKeys(page, 'Access code', code);
      await page.getByTestId('grant-code-submit').click();
      await page.waitForFunction(
        () => document.querySelector('[data-testid="box-number"]')?.textContent === '01',
      );
      expect(sim.state(0, 1).door).toBe('open');
      sim.setOccupied(0, 1, true);
      sim.setDoor(0, 1, 'closed');
      await page.getByTestId('done').waitFor({ timeout: 20_000 });
    } finally {
      await screen.close();
    }

    await expect
      .poll(async () => (await li.call<Grant>('GET', `/v1/authorizations/${grant.id}`)).body.state, {
        timeout: 20_000,
      })
      .toBe('used');
    const steps = ['authorized', 'notified', 'opened', 'used', 'used', 'deposited'];
    await expect.poll(() => timeline(li, grant.id), { timeout: 20_000 }).toEqual(steps);
    expect(await timeline(grantee, grant.id)).toEqual(steps);
    const box = (await cloud.admin('GET', `/v1/admin/sites/${SITE}/boxes`)).body as {
      boxes: Array<{ boxNo: string; status: string; depositor: string | null }>;
    };
    expect(box.boxes.find((b) => b.boxNo === '01')).toMatchObject({
      status: 'occupied',
      depositor: grantee.tel,
    });
  });

  it('works with the cabinet offline when the grantee arrives: the grant synced earlier, the events arrive after reconnect', async () => {
    const { reservation } = await reserveLarge();
    expect(reservation.boxNo).toBe('02');
    const { grant, code } = await authorize('02');
    await cabinetCaughtUp();
    await proxy.cut();
    await expect.poll(cabinetStatus, { timeout: 30_000 }).toBe('offline');

    await depositAtKiosk('02', code);
    expect((await li.call<Grant>('GET', `/v1/authorizations/${grant.id}`)).body.state).toBe('active');

    await proxy.restore();
    await expect
      .poll(async () => (await li.call<Grant>('GET', `/v1/authorizations/${grant.id}`)).body.state, {
        timeout: 30_000,
      })
      .toBe('used');
    await expect.poll(() => timeline(li, grant.id), { timeout: 20_000 }).toContain('deposited');
  });

  it('refuses a revoked grant at the cabinet once it has synced, and a box the user does not hold', async () => {
    const { reservation } = await reserveLarge();
    expect(reservation.boxNo).toBe('03');
    const notHeld = await grantee.call<{ error: { code: string } }>('POST', '/v1/authorizations', {
      siteNo: SITE,
      boxNo: '03',
      grantee: li.tel,
    });
    expect(notHeld.body.error.code).toBe('NOT_THE_HOLDER');
    const { grant, code } = await authorize('03');
    await cabinetCaughtUp();
    const revoked = await li.call<Grant>('POST', `/v1/authorizations/${grant.id}/revoke`);
    expect(revoked.body.state).toBe('revoked');
    await cabinetCaughtUp();
    const refused = await kioskPost('/api/grants/use', { userNo: grantee.tel, code });
    expect(refused.status).toBe(401);
    expect(sim.state(0, 3).door).toBe('closed');
    expect(await timeline(li, grant.id)).toContain('revoked');
  });

  it('leaves no access code in the clear in the cloud or cabinet databases, their WAL files or the logs', async () => {
    expect(codes.length).toBeGreaterThanOrEqual(6);
    const files: string[] = [];
    const walk = (p: string) => {
      for (const name of readdirSync(p)) {
        const full = join(p, name);
        if (statSync(full).isDirectory()) walk(full);
        else files.push(full);
      }
    };
    walk(dir.path);
    expect(files.some((f) => f.endsWith('cloud.db-wal') || f.endsWith('cloud.db'))).toBe(true);
    const logs = [...cloud.process.lines, ...edge.lines].map((l) => JSON.stringify(l)).join('\n');
    for (const code of codes) {
      expect(logs).not.toContain(code);
      for (const f of files)
        expect(readFileSync(f).includes(Buffer.from(code)), `${code} in ${f}`).toBe(false);
    }
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScreen, tapKeys } from '../support/browser.js';
import { PhoneUser } from '../support/phone-user.js';
import { filesUnder, type SimulatedCabinet, startSimulatedCabinet } from '../support/sim-cabinet.js';
import { type CloudHandle, startCloudProcess, tempDir } from '../support/stack.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const SITE = '610091A01';
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
  let cab: SimulatedCabinet;
  let li: PhoneUser;
  let grantee: PhoneUser;
  const codes: string[] = [];
  const kioskPost = (path: string, body: unknown) => cab.kioskPost(path, body);

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
    expect(cab.sim.state(0, lock).door).toBe('open');
    cab.sim.setOccupied(0, lock, true);
    cab.sim.setDoor(0, lock, 'closed');
    await expect
      .poll(async () => (await cab.session(started.body.id)).state, { timeout: 20_000 })
      .toBe('completed');
  };

  const timeline = async (user: PhoneUser, grantId: string) =>
    (
      await user.call<{ entries: Array<{ event: string }> }>('GET', `/v1/authorizations/${grantId}/timeline`)
    ).body.entries.map((e) => e.event);

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path);
    proxy = await TcpProxy.start(cloud.brokerUrl);
    cab = await startSimulatedCabinet(dir.path, cloud, {
      site: SITE,
      boxes: { '01': 'large', '02': 'large', '03': 'large', '04': 'small' },
      brokerUrl: proxy.url,
    });
    li = await PhoneUser.register(cloud.httpUrl, 'li_mou', '13455555555');
    grantee = await PhoneUser.register(cloud.httpUrl, 'grantee_6666', '13499996666');
  }, 90_000);

  afterAll(async () => {
    await cab?.stop();
    await proxy?.close();
    await cloud?.process.stop();
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
    await cab.caughtUp();
    // 李某's own code is no longer the box's, and the grantee's code opens no other box.
    const old = await kioskPost('/api/grants/use', { userNo: li.tel, code: codes[0] });
    expect(old.status).toBe(401);
    const other = await kioskPost('/api/grants/use', { userNo: grantee.tel, code, boxNo: '02' });
    expect(other.status).toBe(401);
    // The grantee at the touchscreen: the "Use an authorized box" tile, phone number, notified code.
    const screen = await openScreen(cab.kiosk);
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
      expect(cab.sim.state(0, 1).door).toBe('open');
      cab.sim.setOccupied(0, 1, true);
      cab.sim.setDoor(0, 1, 'closed');
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
    await cab.caughtUp();
    await proxy.cut();
    await expect.poll(() => cab.status(), { timeout: 30_000 }).toBe('offline');

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
    await cab.caughtUp();
    const revoked = await li.call<Grant>('POST', `/v1/authorizations/${grant.id}/revoke`);
    expect(revoked.body.state).toBe('revoked');
    await cab.caughtUp();
    const refused = await kioskPost('/api/grants/use', { userNo: grantee.tel, code });
    expect(refused.status).toBe(401);
    expect(cab.sim.state(0, 3).door).toBe('closed');
    expect(await timeline(li, grant.id)).toContain('revoked');
  });

  it('leaves no access code in the clear in the cloud or cabinet databases, their WAL files or the logs', async () => {
    expect(codes.length).toBeGreaterThanOrEqual(6);
    const files = filesUnder(dir.path);
    expect(files.some((f) => f.endsWith('cloud.db-wal') || f.endsWith('cloud.db'))).toBe(true);
    const logs = [...cloud.process.lines, ...cab.edge.lines].map((l) => JSON.stringify(l)).join('\n');
    for (const code of codes) {
      expect(logs).not.toContain(code);
      for (const f of files)
        expect(readFileSync(f).includes(Buffer.from(code)), `${code} in ${f}`).toBe(false);
    }
  });
});

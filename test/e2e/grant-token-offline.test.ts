import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScreen } from '../support/browser.js';
import { PhoneUser } from '../support/phone-user.js';
import { filesUnder, type SimulatedCabinet, startSimulatedCabinet } from '../support/sim-cabinet.js';
import { type CloudHandle, provisionCabinet, startCloudProcess, tempDir } from '../support/stack.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const SITE = '610091A01';
const OTHER_SITE = '610091A02';
type Grant = { id: string; state: string; boxNo: string };
type Issued = { token: string; expiresAt: string; keyId: string };

/**
 * Signed grant tokens across real processes (issue 9, ADR 0017): the cabinet goes offline before
 * the grant is made, so the grant never reaches it; the grantee opens the box with the QR token the
 * app fetched, typed by the touchscreen's scanner. Then the refusals a cabinet makes on its own.
 */
describe('a grant the cabinet never received, opened with a signed token', () => {
  const dir = tempDir('locker-grant-token-');
  let cloud: CloudHandle;
  let proxy: TcpProxy;
  let cab: SimulatedCabinet;
  let zheng: PhoneUser;
  let wang: PhoneUser;
  const tokens: string[] = [];
  const kioskPost = (path: string, body: unknown) => cab.kioskPost(path, body);

  /** 郑某 reserves a large box at `site` and hands it to 王某; 王某's app fetches the token. */
  const grantWithToken = async (site = SITE) => {
    const r = await zheng.call<{ reservation: { boxNo: string } }>('POST', '/v1/reservations', {
      siteNo: site,
      size: 'large',
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(r.status).toBe(201);
    const boxNo = r.body.reservation.boxNo;
    const g = await zheng.call<Grant>('POST', '/v1/authorizations', {
      siteNo: site,
      boxNo,
      grantee: wang.tel,
    });
    expect(g.status).toBe(201);
    const t = await wang.call<Issued>('POST', `/v1/authorizations/${g.body.id}/token`);
    expect(t.status).toBe(200);
    tokens.push(t.body.token);
    return { grant: g.body, boxNo, token: t.body.token };
  };

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, 'info', { rights: { maxActiveReservationsPerUser: 10 } });
    // A second site with no cabinet running: its tokens must not open doors here.
    await provisionCabinet(cloud, OTHER_SITE);
    await cloud.admin('PUT', `/v1/admin/sites/${OTHER_SITE}`, { name: 'East gate' });
    await cloud.admin('PUT', `/v1/admin/sites/${OTHER_SITE}/boxes`, {
      boxes: [{ boxNo: '01', size: 'large' }],
    });
    proxy = await TcpProxy.start(cloud.brokerUrl);
    cab = await startSimulatedCabinet(dir.path, cloud, {
      site: SITE,
      boxes: { '01': 'large', '02': 'large', '03': 'large', '04': 'large' },
      brokerUrl: proxy.url,
    });
    zheng = await PhoneUser.register(cloud.httpUrl, 'zheng_mou', '13488888888');
    wang = await PhoneUser.register(cloud.httpUrl, 'wang_mou', '13466666666');
  }, 90_000);

  afterAll(async () => {
    await cab?.stop();
    await proxy?.close();
    await cloud?.process.stop();
    dir.remove();
  });

  it('王某 scans the token at the touchscreen of a cabinet offline since before the grant, deposits, and the cloud learns it after reconnect', async () => {
    await proxy.cut();
    await expect.poll(() => cab.status(), { timeout: 30_000 }).toBe('offline');
    const { grant, boxNo, token } = await grantWithToken();
    expect(boxNo).toBe('01');
    // No code for 王某 at this cabinet: the grant is not there.
    const byCode = await kioskPost('/api/grants/use', { userNo: wang.tel, code: '00000000' });
    expect(byCode.status).toBe(401);

    const screen = await openScreen(cab.kiosk);
    try {
      const { page } = screen;
      await page.getByTestId('start-grant').click();
      // A scanner is a keyboard: it types the QR's text and Enter.
      await page.keyboard.type(token, { delay: 0 });
      await page.keyboard.press('Enter');
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
    const again = await kioskPost('/api/grants/token', { token });
    expect(again.body.error?.code).toBe('GRANT_TOKEN_USED');
    expect((await zheng.call<Grant>('GET', `/v1/authorizations/${grant.id}`)).body.state).toBe('active');

    await proxy.restore();
    await expect
      .poll(async () => (await zheng.call<Grant>('GET', `/v1/authorizations/${grant.id}`)).body.state, {
        timeout: 30_000,
      })
      .toBe('used');
    const steps = async () =>
      (
        await zheng.call<{ entries: Array<{ event: string }> }>(
          'GET',
          `/v1/authorizations/${grant.id}/timeline`,
        )
      ).body.entries.map((e) => e.event);
    await expect.poll(steps, { timeout: 20_000 }).toContain('deposited');
    expect(await steps()).toEqual(expect.arrayContaining(['authorized', 'notified', 'used', 'deposited']));
  });

  it('refuses, with the cabinet offline, a forged token, one for another site and one for a box other than chosen', async () => {
    await cab.caughtUp();
    const { token, boxNo } = await grantWithToken();
    await proxy.cut();
    const [prefix, claims, sig] = token.split('.');
    const altered = JSON.parse(Buffer.from(claims ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...altered, box: '04' })).toString('base64url')}.${sig}`;
    expect((await kioskPost('/api/grants/token', { token: forged })).body.error?.code).toBe(
      'GRANT_TOKEN_INVALID',
    );
    const elsewhere = await grantWithToken(OTHER_SITE);
    expect((await kioskPost('/api/grants/token', { token: elsewhere.token })).body.error?.code).toBe(
      'GRANT_TOKEN_WRONG_PLACE',
    );
    const otherBox = boxNo === '03' ? '04' : '03';
    expect((await kioskPost('/api/grants/token', { token, boxNo: otherBox })).body.error?.code).toBe(
      'GRANT_TOKEN_WRONG_PLACE',
    );
    for (const lock of [1, 2, 3, 4]) expect(cab.sim.state(0, lock).door).toBe('closed');
    await proxy.restore();
    await expect.poll(() => cab.status(), { timeout: 30_000 }).toBe('online');
  });

  it('refuses a revoked token once the revocation synced, and an old key after a rotation that retired it', async () => {
    const { grant, token } = await grantWithToken();
    const revoked = await zheng.call<Grant>('POST', `/v1/authorizations/${grant.id}/revoke`);
    expect(revoked.body.state).toBe('revoked');
    await cab.caughtUp();
    expect((await kioskPost('/api/grants/token', { token })).body.error?.code).toBe('GRANT_TOKEN_REVOKED');

    const second = await grantWithToken();
    const rotated = await cloud.admin('POST', '/v1/admin/grant-keys/rotate', { retireNow: true });
    expect(rotated.status).toBe(200);
    await cab.caughtUp();
    expect((await kioskPost('/api/grants/token', { token: second.token })).body.error?.code).toBe(
      'GRANT_TOKEN_INVALID',
    );
    // A fresh token under the new key opens it.
    const fresh = await wang.call<Issued>('POST', `/v1/authorizations/${second.grant.id}/token`);
    tokens.push(fresh.body.token);
    expect(fresh.body.keyId).toBe((rotated.body as { active: { kid: string } }).active.kid);
    const opened = await kioskPost('/api/grants/token', { token: fresh.body.token });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ kind: 'grant_deposit', boxNo: second.boxNo });
    const lock = Number(second.boxNo);
    cab.sim.setOccupied(0, lock, true);
    cab.sim.setDoor(0, lock, 'closed');
  });

  it('leaves no token in the cloud or cabinet databases, their WAL files or the logs', async () => {
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    const files = filesUnder(dir.path);
    expect(files.some((f) => f.endsWith('edge.db') || f.endsWith('edge.db-wal'))).toBe(true);
    const logs = [...cloud.process.lines, ...cab.edge.lines].map((l) => JSON.stringify(l)).join('\n');
    for (const token of tokens) {
      // The signature is what makes it a key; its claims are no secret.
      const sig = token.split('.')[2] ?? '';
      expect(logs).not.toContain(sig);
      for (const f of files) expect(readFileSync(f).includes(Buffer.from(sig)), `token in ${f}`).toBe(false);
    }
  });
});

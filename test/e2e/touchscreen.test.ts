import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { makeVerifier } from '@locker/protocol';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScreen, type Screen, tapKeys } from '../support/browser.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { startEdgeProcess, tempDir } from '../support/stack.js';

const CABINET = '610091A01';
const COURIER = { id: 'C-1001', pin: '4711' };
const GRANTEE = { userNo: '13466666666', code: '82731904', boxNo: '08' };
const COST = { N: 1024, r: 8, p: 1 };
const LOCKOUT_AFTER = 4;
const RECIPIENT = '13900139000';
const SHOTS = process.env.LOCKER_SCREENSHOTS ?? '/tmp';

/**
 * The cabinet touchscreen in headless Chromium against the built edge daemon (a process, simulated lock
 * board in-process). The courier's credential and a grant reach the cabinet the way they do in the
 * field: a desired-state snapshot on the cabinet's MQTT topic (here from a bare aedes broker, standing in
 * for the cloud). The simulated-hardware drawer plays the person's hands: doors and parcels.
 */
describe('the cabinet touchscreen', () => {
  const dir = tempDir('locker-touch-');
  let broker: Aedes;
  let server: Server;
  let cloud: MqttClient;
  let edge: DaemonProcess;
  let url: string;
  let brokerUrl: string;
  const screens: Screen[] = [];

  const open = async (viewport?: { width: number; height: number }) => {
    const s = await openScreen(url, viewport);
    screens.push(s);
    await s.page.getByTestId('start-pickup').waitFor();
    return s.page;
  };
  const closeAll = async () => {
    for (const s of screens.splice(0)) await s.close();
  };

  beforeAll(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    brokerUrl = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cloud = await mqtt.connectAsync(brokerUrl, { protocolVersion: 4 });
    const inADay = new Date(Date.now() + 86_400_000).toISOString();
    await cloud.publishAsync(
      `lockers/${CABINET}/desired`,
      JSON.stringify({
        kind: 'snapshot',
        version: 1,
        couriers: [
          { courierId: COURIER.id, name: 'Zheng', company: 'B', pin: await makeVerifier(COURIER.pin, COST) },
        ],
        grants: [
          {
            grantId: 'G-1',
            kind: 'deposit',
            boxNo: GRANTEE.boxNo,
            userNo: GRANTEE.userNo,
            holderNo: '13488888888',
            authorizerId: '0001',
            access: await makeVerifier(GRANTEE.code, COST),
            expiresAt: inADay,
          },
        ],
      }),
      { qos: 1, retain: true },
    );

    edge = startEdgeProcess(dir.path, {
      cabinetId: CABINET,
      broker: { url: brokerUrl, password: 'not-checked-here' },
      // A board with occupancy sensors, as the demo's: the parcel put in is what completes a deposit.
      bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 8 }], pollIntervalMs: 100 },
      boxes: Array.from({ length: 8 }, (_, i) => ({
        boxNo: String(i + 1).padStart(2, '0'),
        board: 0,
        lock: i + 1,
        size: i < 3 ? 'small' : i < 6 ? 'medium' : 'large',
      })),
      // These tests read the English words; the Chinese default has its own file (touchscreen-zh.test.ts).
      kiosk: { host: '127.0.0.1', port: 0, locale: 'en' },
      // Low, so the slowdown test needs few wrong codes; it runs last (it slows all code entry).
      attempts: { perCabinet: LOCKOUT_AFTER },
    });
    const started = await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000);
    url = String(started.kiosk);
    await edge.waitForLine((l) => l.msg === 'desired state applied', 20_000);
  }, 60_000);

  afterAll(async () => {
    await closeAll();
    await edge?.stop();
    await cloud?.endAsync(true);
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
    dir.remove();
  });

  /** The simulated hardware: what a person does to the box, through the drawer on the page. */
  async function handle(page: Page, boxNo: string, actions: Array<'put-in' | 'take-out' | 'close-door'>) {
    await page.getByTestId('sim-toggle').click();
    const row = page.getByTestId(`sim-box-${boxNo}`);
    for (const action of actions) await row.locator(`button[data-action="${action}"]`).click();
    await page.getByTestId('sim-close').click();
  }

  async function courierDeposit(page: Page, size: string, shots = false): Promise<string> {
    await page.getByTestId('start-courier').click();
    await tapKeys(page, 'Courier ID', COURIER.id);
    if (shots) await page.screenshot({ path: `${SHOTS}/touchscreen-courier-id.png` });
    await page.getByTestId('courier-id-submit').click();
    await tapKeys(page, 'PIN', COURIER.pin);
    await page.getByTestId('courier-pin-submit').click();
    await page.getByTestId(`size-${size}`).waitFor();
    if (shots) await page.screenshot({ path: `${SHOTS}/touchscreen-courier-size.png` });
    await page.getByTestId(`size-${size}`).click();
    await tapKeys(page, 'Recipient phone number', RECIPIENT);
    await page.getByTestId('recipient-phone-submit').click();
    return boxOnScreen(page);
  }

  async function boxOnScreen(page: Page, not?: string): Promise<string> {
    const box = page.getByTestId('box-number');
    await box.waitFor();
    await page.waitForFunction(
      (old) =>
        /^\d{2,4}$/.test(document.querySelector('[data-testid="box-number"]')?.textContent ?? '') &&
        document.querySelector('[data-testid="box-number"]')?.textContent !== old,
      not ?? null,
    );
    return (await box.textContent()) as string;
  }

  it('a courier deposits a parcel and the recipient picks it up with the code shown on the screen', async () => {
    const page = await open();
    await expect.poll(() => page.getByTestId('free-sizes').textContent()).toContain('Medium');
    await page.screenshot({ path: `${SHOTS}/touchscreen-start.png` });

    const boxNo = await courierDeposit(page, 'medium', true);
    await page
      .getByTestId('session-message')
      .filter({ hasText: `Box ${boxNo}` })
      .waitFor();
    await page.screenshot({ path: `${SHOTS}/touchscreen-deposit-open.png` });

    await page.getByTestId('sim-toggle').click();
    await page.getByTestId(`sim-box-${boxNo}`).locator('button[data-action="put-in"]').waitFor();
    await page.screenshot({ path: `${SHOTS}/touchscreen-simulator.png` });
    await page.getByTestId('sim-close').click();
    await handle(page, boxNo, ['put-in', 'close-door']);

    const code = page.getByTestId('pickup-code');
    await code.waitFor();
    const pickupCode = (await code.getAttribute('data-code')) as string;
    expect(pickupCode).toMatch(/^\d{6}$/);
    expect(await page.getByTestId('done').textContent()).toContain(`Parcel deposited in box ${boxNo}`);
    await page.screenshot({ path: `${SHOTS}/touchscreen-deposit-done.png` });

    // The courier leaves (Finish asks first: the code is never shown again); the recipient comes.
    await page.getByTestId('finish').click();
    await page.getByTestId('confirm-finish').waitFor();
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('start-pickup').click();
    await tapKeys(page, 'Pickup code', pickupCode);
    await page.getByTestId('pickup-code-submit').click();
    expect(await boxOnScreen(page)).toBe(boxNo);
    await handle(page, boxNo, ['take-out', 'close-door']);
    await page.getByTestId('done-message').waitFor();
    expect(await page.getByTestId('done').textContent()).toContain('Thank you');
    await page.screenshot({ path: `${SHOTS}/touchscreen-pickup-done.png` });
    await page.getByTestId('finish').click();
    await page.getByTestId('start-pickup').waitFor();
    await closeAll();
  }, 90_000);

  it("a wrong pickup code is worded from the message file, with the cabinet's own count of tries left", async () => {
    const page = await open();
    await page.getByTestId('start-pickup').click();
    await tapKeys(page, 'Pickup code', '000000');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/pickups'));
    await page.getByTestId('pickup-code-submit').click();
    const res = await answer;
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { cabinetTriesLeft: number; triesLeft: number } };
    };
    expect(res.status()).toBe(401);
    expect(body.error.code).toBe('CODE_INVALID');
    // A first wrong try of this code: what limits the next guess is the cabinet's count, not the code's.
    expect(body.error.details.cabinetTriesLeft).toBe(LOCKOUT_AFTER - 1);
    const alert = page.getByTestId('error');
    const words = `That code is not valid. After ${LOCKOUT_AFTER - 1} more wrong codes, each try must wait.`;
    await alert.filter({ hasText: words }).waitFor();
    expect((await page.getByTestId('error-text').textContent())?.trim()).toBe(words);
    expect(await alert.getAttribute('data-code')).toBe('CODE_INVALID');
    await page.screenshot({ path: `${SHOTS}/touchscreen-wrong-code.png` });
    await closeAll();
  }, 60_000);

  it('"the door did not open" gives the courier another box, and the deposit still completes there', async () => {
    const page = await open();
    const first = await courierDeposit(page, 'medium');
    await page.getByRole('button', { name: 'The door did not open' }).click();
    const second = await boxOnScreen(page, first);
    expect(second).not.toBe(first);
    expect(await page.getByTestId('moved-note').textContent()).toBe(
      `Box ${first} was set aside. Please use box ${second}.`,
    );
    await page.screenshot({ path: `${SHOTS}/touchscreen-other-box.png` });

    await handle(page, second, ['put-in', 'close-door']);
    await page.getByTestId('pickup-code').waitFor();
    expect(await page.getByTestId('done').textContent()).toContain(`box ${second}`);
    await closeAll();
  }, 90_000);

  it('a grantee opens the box reserved for them with their user number and access code', async () => {
    const page = await open({ width: 800, height: 1280 });
    await page.screenshot({ path: `${SHOTS}/touchscreen-start-portrait.png` });
    await page.getByTestId('start-grant').click();
    await tapKeys(page, 'User number', GRANTEE.userNo);
    await page.getByTestId('grant-user-submit').click();
    await tapKeys(page, 'Access code', GRANTEE.code);
    await page.screenshot({ path: `${SHOTS}/touchscreen-grant-portrait.png` });
    await page.getByTestId('grant-code-submit').click();
    expect(await boxOnScreen(page)).toBe(GRANTEE.boxNo);
    await page.screenshot({ path: `${SHOTS}/touchscreen-session-portrait.png` });
    await handle(page, GRANTEE.boxNo, ['put-in', 'close-door']);
    await page.getByTestId('pickup-code').waitFor();
    await closeAll();
  }, 90_000);

  it('a QR token read by the scanner, which types like a keyboard, opens the box of the parcel', async () => {
    // A courier deposits through the API; the recipient brings the QR code of the token.
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as { id: string; boxNo: string; state: string; pickupToken: string | null };
    };
    const started = await api('POST', '/api/deposits', {
      courierId: COURIER.id,
      pin: COURIER.pin,
      size: 'small',
    });
    await api('POST', `/api/simulator/boxes/${started.boxNo}/occupancy`, { occupied: true });
    await api('POST', `/api/simulator/boxes/${started.boxNo}/door`, { state: 'closed' });
    // The codes come only in the first answer that sees the deposit completed (ADR 0009).
    let pickupToken: string | null = null;
    await expect
      .poll(
        async () => {
          const s = await api('GET', `/api/sessions/${started.id}`);
          pickupToken ??= s.pickupToken;
          return s.state;
        },
        { timeout: 15_000 },
      )
      .toBe('completed');
    expect(pickupToken).toMatch(/^[A-Za-z0-9_-]{16,128}$/);

    const page = await open();
    await page.getByTestId('start-pickup').click();
    await page.getByTestId('pickup-code-display').waitFor();
    await page.keyboard.type(`${pickupToken}\n`);
    expect(await boxOnScreen(page)).toBe(started.boxNo);
    await handle(page, started.boxNo, ['take-out', 'close-door']);
    await page.getByTestId('done-message').waitFor();
    await closeAll();
  }, 60_000);

  it('a screen left alone goes back to the start and forgets what was typed', async () => {
    const s = await openScreen(url);
    screens.push(s);
    const { page } = s;
    await page.clock.install();
    await page.reload();
    await page.getByTestId('start-pickup').click();
    await tapKeys(page, 'Pickup code', '123');
    await page.clock.runFor(50_000);
    await page.getByText('Returning to the start screen in').waitFor();
    await page.screenshot({ path: `${SHOTS}/touchscreen-idle.png` });
    await page.clock.runFor(15_000);
    await page.getByTestId('start-pickup').waitFor();
    await page.getByTestId('start-pickup').click();
    expect(await page.getByTestId('pickup-code-display').textContent()).toBe('');
    await closeAll();
  }, 60_000);

  it('too many wrong codes make the next code wait, counted down in seconds, and nobody is locked out', async () => {
    const page = await open();
    type Refusal = { code: string; message: string; details: { retryAfterMs: number } };
    let slowed: Refusal | undefined;
    // From the LOCKOUT_AFTER-th wrong code on, each try waits 1 s, 2 s, 4 s, ...: typing soon outruns it.
    for (let n = 1; n <= LOCKOUT_AFTER + 6 && !slowed; n++) {
      if (n === 1) await page.getByTestId('start-pickup').click();
      await tapKeys(page, 'Pickup code', `${n % 10}`.repeat(6));
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/pickups'));
      await page.getByTestId('pickup-code-submit').click();
      const res = await answer;
      const body = (await res.json()) as { error: Refusal };
      if (body.error.code === 'CODE_ENTRY_SLOWED') slowed = body.error;
      else await page.getByTestId('error').filter({ hasText: 'That code is not valid.' }).waitFor();
    }
    expect(slowed?.details.retryAfterMs).toBeGreaterThan(0);
    const screen = page.getByTestId('message');
    await screen.waitFor();
    expect(await screen.getAttribute('data-code')).toBe('CODE_ENTRY_SLOWED');
    expect(await page.getByTestId('message-text').textContent()).toMatch(
      /^Too many wrong codes at this cabinet\. Please wait \d+ s and try again\.$/,
    );
    await page.screenshot({ path: `${SHOTS}/touchscreen-slowed.png` });

    await page.getByTestId('finish').click();
    expect(await page.getByTestId('start-pickup').isDisabled()).toBe(false);
    await closeAll();
  }, 60_000);

  it('a cabinet out of service says so on the start screen and refuses a deposit with its own message', async () => {
    const setting = async (version: number, outOfService: boolean) =>
      cloud.publishAsync(
        `lockers/${CABINET}/desired`,
        JSON.stringify({ kind: 'delta', version, baseVersion: version - 1, cabinet: { outOfService } }),
        { qos: 1 },
      );
    await setting(2, true);
    const page = await open();
    // The screen refreshes the cabinet every few seconds; the banner appears once the delta is applied.
    await page.getByTestId('out-of-service').waitFor({ state: 'visible', timeout: 20_000 });
    await page.screenshot({ path: `${SHOTS}/touchscreen-out-of-service.png` });
    await page.getByTestId('start-courier').click();
    await tapKeys(page, 'Courier ID', COURIER.id);
    await page.getByTestId('courier-id-submit').click();
    await tapKeys(page, 'PIN', COURIER.pin);
    await page.getByTestId('courier-pin-submit').click();
    await page.getByTestId('size-medium').click();
    await tapKeys(page, 'Recipient phone number', RECIPIENT);
    await page.getByTestId('recipient-phone-submit').click();
    // The size screen shows the cabinet's own message; the courier may still take parcels back.
    const refused = page.locator('[data-testid="error"][data-code="CABINET_OUT_OF_SERVICE"]');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/out of service/);
    await setting(3, false);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${url}/api/cabinet`)).json()) as { outOfService: boolean }).outOfService,
      )
      .toBe(false);
    await closeAll();
    const again = await open();
    // The header is drawn from the same /api/cabinet answer that updates the banner.
    await again.getByText(`Cabinet ${CABINET}`).waitFor();
    expect(await again.getByTestId('out-of-service').isHidden()).toBe(true);
    await closeAll();
  }, 60_000);
  /**
   * A second cabinet whose parcels expire after seconds (the first one's must not expire mid-test), on
   * the same broker: the courier logs in, is offered the expired parcel and takes it back.
   */
  describe('with parcels that expire quickly', () => {
    const CABINET_B = '610091B02';
    const dirB = tempDir('locker-touch-b-');
    let edgeB: DaemonProcess;
    let urlB: string;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${urlB}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await res.json()) as { id: string; boxNo: string; state: string; count?: number };
    };

    beforeAll(async () => {
      await cloud.publishAsync(
        `lockers/${CABINET_B}/desired`,
        JSON.stringify({
          kind: 'snapshot',
          version: 1,
          couriers: [{ courierId: COURIER.id, company: 'B', pin: await makeVerifier(COURIER.pin, COST) }],
          grants: [],
        }),
        { qos: 1, retain: true },
      );
      edgeB = startEdgeProcess(dirB.path, {
        cabinetId: CABINET_B,
        broker: { url: brokerUrl, password: 'not-checked-here' },
        bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 4 }], pollIntervalMs: 100 },
        boxes: Array.from({ length: 4 }, (_, i) => ({
          boxNo: String(i + 1).padStart(2, '0'),
          board: 0,
          lock: i + 1,
          size: 'medium',
        })),
        kiosk: { host: '127.0.0.1', port: 0, locale: 'en' },
        flows: { parcelExpiryHours: 0.001, sessionTimeoutSec: 180, sweepIntervalMs: 200 },
      });
      const started = await edgeB.waitForLine((l) => l.msg === 'cabinet daemon started', 20_000);
      urlB = String(started.kiosk);
      await edgeB.waitForLine((l) => l.msg === 'desired state applied', 20_000);
    }, 60_000);

    afterAll(async () => {
      await edgeB?.stop();
      dirB.remove();
    });

    it('a courier is offered the expired parcel after logging in and takes it back', async () => {
      const credential = { courierId: COURIER.id, pin: COURIER.pin };
      const started = await call('POST', '/api/deposits', { ...credential, size: 'medium' });
      await call('POST', `/api/simulator/boxes/${started.boxNo}/occupancy`, { occupied: true });
      await call('POST', `/api/simulator/boxes/${started.boxNo}/door`, { state: 'closed' });
      await expect
        .poll(async () => (await call('GET', `/api/sessions/${started.id}`)).state, { timeout: 15_000 })
        .toBe('completed');
      // The parcel expires a few seconds after the deposit (the cabinet's sweep marks it).
      await expect
        .poll(async () => (await call('POST', '/api/recollections/count', credential)).count, {
          timeout: 20_000,
          interval: 500,
        })
        .toBe(1);

      const s = await openScreen(urlB);
      screens.push(s);
      const { page } = s;
      await page.getByTestId('start-courier').click();
      await tapKeys(page, 'Courier ID', COURIER.id);
      await page.getByTestId('courier-id-submit').click();
      await tapKeys(page, 'PIN', COURIER.pin);
      await page.getByTestId('courier-pin-submit').click();
      const takeBack = page.getByTestId('recollect');
      await takeBack.filter({ hasText: 'Take back 1 expired parcel' }).waitFor();
      await page.screenshot({ path: `${SHOTS}/touchscreen-recollect-offer.png` });
      await takeBack.click();
      expect(await boxOnScreen(page)).toBe(started.boxNo);
      await handle(page, started.boxNo, ['take-out', 'close-door']);
      await page.getByTestId('done-message').filter({ hasText: '1 parcel taken back' }).waitFor();
      await page.screenshot({ path: `${SHOTS}/touchscreen-recollect-done.png` });
      await closeAll();
    }, 90_000);
  });
});

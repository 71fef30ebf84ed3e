import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openScreen, type Screen } from '../support/browser.js';
import {
  boxOnScreen,
  COURIER,
  startTouchCabinet,
  type TouchCabinet,
  tapPad,
} from '../support/touch-cabinet.js';

const CABINET = '610091C03';
const HOTLINE = '400-820-1234';
const PORTRAIT = { width: 1080, height: 1920 };
const SMALL = { width: 800, height: 1280 };
const SHOTS = process.env.LOCKER_SCREENSHOTS;
// The front of the cabinet: two columns, the screen panel in the middle row.
const LAYOUT = {
  columns: 2,
  rows: 5,
  cells: [
    ['01', '05'],
    ['02', '06'],
    [null, null],
    ['03', '07'],
    ['04', '08'],
  ],
};

/**
 * Issue 11: the touchscreen of a Chinese cabinet, in headless Chromium against the built edge daemon
 * (simulated Kerong board with occupancy sensors). Chinese by default, English on a tap; where the box
 * is; the code that cannot vanish by a stray tap; a session that survives a reload and a restart; an
 * abandoned deposit that is no parcel; low reach; accessibility; the offline banner. Each flow checks what
 * the person sees and which doors the simulator has open.
 */
describe('the touchscreen of a Chinese cabinet', () => {
  let cab: TouchCabinet;
  let url: string;
  const screens: Screen[] = [];

  beforeAll(async () => {
    cab = await startTouchCabinet(CABINET, {
      boxes: Array.from({ length: 8 }, (_, i) => ({
        boxNo: `0${i + 1}`,
        board: 0,
        lock: i + 1,
        size: i < 4 ? 'small' : 'medium',
        ...(i === 4 ? { dimensionsCm: { width: 42, height: 21, depth: 55 } } : {}),
      })),
      layout: LAYOUT,
      kiosk: { hotline: HOTLINE, timeZone: 'Asia/Shanghai' },
    });
    url = cab.url;
  }, 60_000);

  afterAll(async () => {
    await closeAll();
    await cab?.stop();
  });

  const open = async (viewport = PORTRAIT) => {
    const s = await openScreen(url, viewport);
    screens.push(s);
    await s.page.getByTestId('start-pickup').waitFor();
    return s.page;
  };
  const closeAll = async () => {
    for (const s of screens.splice(0)) await s.close();
  };
  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
  };
  const openDoors = () => cab.openDoors();
  const sim = (boxNo: string, what: 'occupancy' | 'door', body: object) => cab.sim(boxNo, what, body);
  const courierToSizes = async (page: Page) => {
    await page.getByTestId('start-courier').click();
    await tapPad(page, '快递员编号键盘', COURIER.id);
    await page.getByTestId('courier-id-submit').click();
    await tapPad(page, '密码键盘', COURIER.pin);
    await page.getByTestId('courier-pin-submit').click();
    await page.getByTestId('size-medium').waitFor();
  };

  it('speaks Chinese by default, switches to English on every screen, and is back in Chinese at idle', async () => {
    const s = await openScreen(url, PORTRAIT);
    screens.push(s);
    const { page } = s;
    await page.clock.install();
    await page.reload();
    await page.getByTestId('start-pickup').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('请选择服务');
    // One time format: 24-hour, in the cabinet's time zone.
    expect(await page.getByTestId('clock').textContent()).toMatch(/^\d{2}:\d{2}$/);
    await shot(page, 'zh-CN-start');
    for (const screen of ['start-pickup', 'back', 'start-courier', 'back', 'start-grant'] as const) {
      await expect.poll(() => page.getByTestId('lang-switch').isVisible()).toBe(true);
      await page.getByTestId(screen).click();
    }
    expect(await page.getByTestId('lang-switch').textContent()).toBe('English');
    await page.getByTestId('lang-switch').click();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Reserved box');
    expect(await page.getByTestId('lang-switch').textContent()).toBe('中文');
    // No timeout without "more time": it gives the person the full idle time again.
    await page.clock.runFor(50_000);
    await page.getByText('Returning to the start screen in').waitFor();
    await page.getByTestId('more-time').click();
    await expect.poll(() => page.getByTestId('timeout-text').isVisible()).toBe(false);
    await page.clock.runFor(40_000);
    expect(await page.locator('h1').textContent()).toBe('Reserved box');
    await page.clock.runFor(10_000);
    await page.getByText('Returning to the start screen in').waitFor();
    await page.clock.runFor(15_000);
    await page.getByTestId('start-pickup').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('h1').textContent()).toBe('请选择服务');
    await closeAll();
  }, 60_000);

  it('shows a courier where the box is and its size, then the code with its QR, which Finish does not drop unasked', async () => {
    const page = await open();
    await courierToSizes(page);
    await shot(page, 'zh-CN-courier-size');
    await page.getByTestId('size-medium').click();
    await tapPad(page, '收件人手机号键盘', '13900139000');
    await page.getByTestId('recipient-phone-submit').click();
    const boxNo = await boxOnScreen(page);
    expect(boxNo).toBe('05');
    expect(await openDoors()).toEqual(['05']);
    await page.getByTestId('session-message').filter({ hasText: '05 号箱已打开' }).waitFor();
    expect(await page.locator('.map-cell.is-here').getAttribute('data-box')).toBe('05');
    expect(await page.locator('.map-caption').textContent()).toContain('从上数第 1 行');
    expect(await page.locator('.box-size').textContent()).toBe('中箱 · 42 × 21 × 55 厘米');
    await shot(page, 'zh-CN-deposit-open');

    await sim(boxNo, 'occupancy', { occupied: true });
    await sim(boxNo, 'door', { state: 'closed' });
    const code = page.getByTestId('pickup-code');
    await code.waitFor();
    expect(await code.getAttribute('data-code')).toMatch(/^\d{6}$/);
    expect(await page.getByTestId('pickup-qr').locator('svg[role="img"]').count()).toBe(1);
    expect(await page.getByTestId('code-note').textContent()).toContain('快递柜不会把此取件码发送给收件人');
    await shot(page, 'zh-CN-deposit-code');

    await page.getByTestId('finish').click();
    await page.getByTestId('confirm-finish').waitFor();
    await shot(page, 'zh-CN-deposit-confirm');
    await page.getByTestId('confirm-no').click();
    expect(await code.isVisible()).toBe(true);
    await page.getByTestId('finish').click();
    await page.getByTestId('confirm-yes').click();
    await page.getByTestId('start-pickup').waitFor();
    expect(await openDoors()).toEqual([]);
    await closeAll();
  }, 90_000);

  it('shows the running deposit again after a reload: box open, waiting for the door', async () => {
    const page = await open(SMALL);
    await courierToSizes(page);
    await page.getByTestId('size-small').click();
    await tapPad(page, '收件人手机号键盘', '13900139000');
    await page.getByTestId('recipient-phone-submit').click();
    const boxNo = await boxOnScreen(page);
    await page.reload();
    expect(await boxOnScreen(page)).toBe(boxNo);
    await page
      .getByTestId('session-message')
      .filter({ hasText: `${boxNo} 号箱已打开` })
      .waitFor();
    expect(await openDoors()).toEqual([boxNo]);
    await sim(boxNo, 'occupancy', { occupied: true });
    await sim(boxNo, 'door', { state: 'closed' });
    await page.getByTestId('pickup-code').waitFor();
    await closeAll();
  }, 90_000);

  it('after a daemon restart mid-deposit, the page comes back to the session, and the door shut on the empty box ends it as abandoned', async () => {
    const page = await open();
    await courierToSizes(page);
    await page.getByTestId('size-small').click();
    await tapPad(page, '收件人手机号键盘', '13900139000');
    await page.getByTestId('recipient-phone-submit').click();
    const boxNo = await boxOnScreen(page);
    // While the daemon is down the page keeps polling and says it is reconnecting; it comes back on the
    // same address.
    await cab.restart(() => page.getByText('正在重新连接快递柜…').waitFor());
    // The simulated board restarts with its doors shut and empty, as if the courier left without a parcel.
    await page.getByTestId('message').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('message-text').textContent()).toBe(
      `${boxNo} 号箱的投递未完成，未记录包裹，工作人员将检查箱门。`,
    );
    await shot(page, 'zh-CN-abandoned');
    expect(await openDoors()).toEqual([]);
    await closeAll();
  }, 120_000);

  it('in low-reach mode, puts every control in the lower part of the screen', async () => {
    const page = await open();
    await page.getByTestId('low-reach').click();
    expect(await page.getByTestId('low-reach').getAttribute('aria-pressed')).toBe('true');
    for (const screen of [null, 'start-pickup'] as const) {
      if (screen) await page.getByTestId(screen).click();
      const controls = await page.$$eval('#kiosk button', (els) =>
        els
          // The simulated-hardware drawer is the demo's stand-in for hands, not part of the kiosk.
          .filter((e) => e.getClientRects().length > 0 && !e.closest('.sim-toggle, .sim-drawer'))
          .map((e) => ({
            name: e.textContent?.trim() || e.getAttribute('aria-label'),
            top: e.getBoundingClientRect().top,
          })),
      );
      expect(controls.length).toBeGreaterThan(3);
      expect(controls.filter((c) => c.top < PORTRAIT.height * 0.4)).toEqual([]);
    }
    await shot(page, 'zh-CN-low-reach');
    await closeAll();
  }, 60_000);

  it('has no serious accessibility violations on the main screens, contrast included, in both languages', async () => {
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const page = await open();
    const check = async (where: string) => {
      await page.addScriptTag({ content: axe });
      const result = (await page.evaluate(() =>
        (window as unknown as { axe: { run(o: object): Promise<unknown> } }).axe.run({
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa'] },
        }),
      )) as { violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> };
      const bad = result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${where}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      expect(bad).toEqual([]);
    };
    for (const lang of ['zh-CN', 'en']) {
      if (lang === 'en') await page.getByTestId('lang-switch').click();
      await check(`${lang} start`);
      await page.getByTestId('start-pickup').click();
      await check(`${lang} pickup`);
      await page.getByTestId('back').click();
    }
    // A deposit's screens: sizes, recipient, the open box with its map, the code with its QR.
    await courierToSizes(page);
    await check('zh-CN sizes');
    await page.getByTestId('size-small').click();
    await tapPad(page, '收件人手机号键盘', '13900139000');
    await check('zh-CN recipient');
    await page.getByTestId('recipient-phone-submit').click();
    const boxNo = await boxOnScreen(page);
    await check('zh-CN box open');
    await sim(boxNo, 'occupancy', { occupied: true });
    await sim(boxNo, 'door', { state: 'closed' });
    await page.getByTestId('pickup-code').waitFor();
    await check('zh-CN code');
    await page.getByTestId('finish').click();
    await check('zh-CN confirm');
    await closeAll();
  }, 120_000);

  it('shows the maintenance screen with the hotline while the whole cabinet is out of service, and the start again after', async () => {
    const page = await open(SMALL);
    const all = ['01', '02', '03', '04', '05', '06', '07', '08'];
    await cab.setOutOfService(all, true);
    const maintenance = page.getByTestId('maintenance');
    await maintenance.waitFor({ timeout: 20_000 });
    expect(await maintenance.locator('h1').textContent()).toBe('暂停服务');
    expect(await page.getByTestId('help-line').textContent()).toBe(`客服热线：${HOTLINE} · 柜号 ${CABINET}`);
    await shot(page, 'zh-CN-maintenance');
    await cab.setOutOfService(all, false);
    await page.getByTestId('start-pickup').waitFor({ timeout: 20_000 });
    await closeAll();
  }, 60_000);

  it('says, when the network is gone, that pickups and deposits still work', async () => {
    const page = await open(SMALL);
    cab.dropNetwork();
    const banner = page.getByTestId('offline-banner');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toBe('暂时无法连接网络，取件和投递仍可正常使用。');
    await shot(page, 'zh-CN-offline');
    await closeAll();
  }, 60_000);
});

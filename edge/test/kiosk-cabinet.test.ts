import { afterEach, describe, expect, it } from 'vitest';
import { parseEdgeConfig } from '../src/config.js';
import type { KioskCabinet } from '../src/kiosk/kiosk-api-types.js';
import { CABINET, startCabinet, type TestCabinet } from './support/cabinet.js';

/**
 * Issue 11: what the touchscreen learns from GET /api/cabinet: its language, time zone, hotline, the
 * cabinet's front with each box, box sizes, the cabinet's own count of wrong codes, maintenance.
 */
const base = {
  cabinetId: CABINET,
  dataDir: '/tmp/unused',
  bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 4 }] },
};

describe('GET /api/cabinet', () => {
  let c: TestCabinet | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  it('answers the screen settings from the config, with a drawn layout and the usual sizes when none are given', async () => {
    c = await startCabinet({ kiosk: { enabled: false, hotline: '400-820-1234' } });
    const body = (await c.call('GET', '/api/cabinet')).body as unknown as KioskCabinet;
    expect(body).toMatchObject({
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      hotline: '400-820-1234',
      outOfService: false,
      maintenance: false,
      cabinetTriesLeft: 20,
      slowdown: null,
    });
    // 16 boxes in columns of six, top to bottom.
    expect(body.layout).toMatchObject({ columns: 3, rows: 6 });
    expect(body.layout.cells[0]).toEqual(['01', '07', '13']);
    expect(body.layout.cells[5]).toEqual(['06', '12', null]);
    expect(body.boxes.find((b) => b.boxNo === '07')).toEqual({
      boxNo: '07',
      size: 'medium',
      dimensionsCm: { width: 40, height: 20, depth: 50 },
    });
  });

  it('counts the wrong codes the cabinet still takes, as the limiter does', async () => {
    c = await startCabinet();
    await c.call('POST', '/api/pickups', { code: '000000' });
    await c.call('POST', '/api/pickups', { code: '111111' });
    const res = await c.call('POST', '/api/pickups', { code: '222222' });
    expect(res.body.error).toMatchObject({
      code: 'CODE_INVALID',
      details: { cabinetTriesLeft: 17, triesLeft: 4, failures: 1 },
    });
    expect(((await c.call('GET', '/api/cabinet')).body as unknown as KioskCabinet).cabinetTriesLeft).toBe(17);
  });

  it("says the cabinet is in maintenance when every box is out of service, which is not the operator's out of service", async () => {
    c = await startCabinet();
    for (const b of c.daemon.boxes.list()) c.daemon.boxes.apply(b.boxNo, { usage: 'out_of_service' }, 'flow');
    expect((await c.call('GET', '/api/cabinet')).body as unknown as KioskCabinet).toMatchObject({
      maintenance: true,
      outOfService: false,
    });
  });
});

describe('the screen settings in the edge config', () => {
  it('refuses a layout that names a box the cabinet does not have, or has the wrong shape', () => {
    expect(() =>
      parseEdgeConfig({ ...base, layout: { columns: 2, rows: 1, cells: [['01', '09']] } }),
    ).toThrow(/no box 09/);
    expect(() =>
      parseEdgeConfig({ ...base, layout: { columns: 2, rows: 2, cells: [['01', '02']] } }),
    ).toThrow(/rows x columns/);
  });

  it('refuses a time zone that is not one, and a language the page has no words for', () => {
    expect(() => parseEdgeConfig({ ...base, kiosk: { timeZone: 'Mars/Olympus' } })).toThrow(/time zone/);
    expect(() => parseEdgeConfig({ ...base, kiosk: { locale: 'fr' } })).toThrow(
      /CONFIG_INVALID|locale|edge config/,
    );
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoardSimulator } from '@locker/lockboard';
import { type ReplugableBus, replugableSimulatorOnPty } from '@locker/lockboard/testing';
import pino from 'pino';
import { parseEdgeConfig } from '../../src/config.js';
import { EdgeDaemon } from '../../src/daemon.js';
import { CABINET, type KioskBody } from './cabinet.js';

export interface PtyCabinet {
  daemon: EdgeDaemon;
  sim: BoardSimulator;
  link: ReplugableBus;
  call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: KioskBody }>;
  text(url: string): Promise<string>;
  /** Where a box is wired. */
  addressOf(boxNo: string): { board: number; lock: number };
  close(): Promise<void>;
}

/**
 * A cabinet whose daemon opens a real serial device (a socat pty pair, at a fixed path) through the
 * real serialport stack, with the Kerong simulator on the other end. Two boards: board 0 holds boxes
 * 01-08 (01-04 small, 05-08 medium), board 1 holds the large boxes 09-16. `unplugged` boots the daemon
 * with the link's path missing.
 */
export async function startPtyCabinet(opts: { unplugged?: boolean } = {}): Promise<PtyCabinet> {
  const dir = mkdtempSync(join(tmpdir(), 'locker-edge-pty-'));
  const boards = [
    { address: 0, locks: 8 },
    { address: 1, locks: 8 },
  ];
  const sim = new BoardSimulator({ family: 'kerong', boards });
  const link = await replugableSimulatorOnPty(sim);
  const addressOf = (boxNo: string) => {
    const n = Number(boxNo);
    return n <= 8 ? { board: 0, lock: n } : { board: 1, lock: n - 8 };
  };
  const config = parseEdgeConfig({
    cabinetId: CABINET,
    dataDir: dir,
    logLevel: 'silent',
    bus: {
      family: 'kerong',
      port: link.hostPath,
      boards,
      pollIntervalMs: 20,
      probeIntervalMs: 200,
      reconnect: { initialMs: 50, maxMs: 400 },
    },
    boxes: Array.from({ length: 16 }, (_, i) => {
      const boxNo = String(i + 1).padStart(2, '0');
      return { boxNo, ...addressOf(boxNo), size: i < 4 ? 'small' : i < 8 ? 'medium' : 'large' };
    }),
    kiosk: { enabled: false },
  });
  const daemon = new EdgeDaemon(config, { logger: pino({ level: 'silent' }) });
  // The adapter is not plugged in yet when the daemon boots: its path does not exist.
  if (opts.unplugged) await link.unplug();
  await daemon.start();
  return {
    daemon,
    sim,
    link,
    async call(method, url, body) {
      const res = await daemon.kioskApp.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: res.statusCode, body: res.json() as KioskBody };
    },
    async text(url) {
      return (await daemon.kioskApp.inject({ method: 'GET', url })).body;
    },
    addressOf,
    async close() {
      await daemon.stop();
      await link.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

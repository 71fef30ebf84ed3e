import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BoardSimulator } from '@locker/lockboard';
import { type SimulatedBus, simulatorOnPty } from '@locker/lockboard/testing';
import type { DaemonProcess } from './daemon-process.js';
import { type CloudHandle, provisionCabinet, startEdgeProcess } from './stack.js';

/** A touchscreen session as the kiosk API answers it. */
export type KioskSession = {
  id: string;
  state: string;
  boxNo: string | null;
  kind?: string;
  error?: { code: string };
};

/** A cabinet daemon process on a simulated Kerong board behind a pty, provisioned in a cloud. */
export interface SimulatedCabinet {
  site: string;
  sim: BoardSimulator;
  bus: SimulatedBus;
  edge: DaemonProcess;
  /** The touchscreen API's base URL. */
  kiosk: string;
  kioskPost(path: string, body: unknown): Promise<{ status: number; body: KioskSession }>;
  session(id: string): Promise<KioskSession>;
  /** The cloud's view of the cabinet: online or offline. */
  status(): Promise<string | undefined>;
  /** Waits until the cabinet has applied the cloud's current desired state (its own log says so). */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Provisions `site` in the cloud and starts its daemon on lock board 0, locks 1..n in box order
 * (`boxes`: box number to size). `brokerUrl` lets a test put a cuttable proxy in between. Resolves
 * once the daemon applied its first desired state and the site holds every box.
 */
export async function startSimulatedCabinet(
  dir: string,
  cloud: CloudHandle,
  opts: { site: string; boxes: Record<string, string>; brokerUrl?: string },
): Promise<SimulatedCabinet> {
  const { site } = opts;
  const { broker: creds, accessKeys } = await provisionCabinet(cloud, site);
  const nos = Object.keys(opts.boxes);
  const boards = [{ address: 0, locks: nos.length }];
  const sim = new BoardSimulator({ family: 'kerong', boards });
  const bus = await simulatorOnPty(sim);
  const edge = startEdgeProcess(dir, {
    cabinetId: site,
    accessKeys,
    // The keypads are read by their English names (the screen's default is zh-CN, ADR 0011).
    kiosk: { host: '127.0.0.1', port: 0, locale: 'en' },
    broker: { url: opts.brokerUrl ?? cloud.brokerUrl, ...creds, resendAfterMs: 1000, keepaliveSec: 5 },
    bus: { family: 'kerong', port: bus.hostPath, boards, pollIntervalMs: 100 },
    boxes: nos.map((boxNo, i) => ({ boxNo, board: 0, lock: i + 1, size: opts.boxes[boxNo] })),
  });
  const kiosk = String((await edge.waitForLine((l) => l.msg === 'cabinet daemon started', 30_000)).kiosk);
  await edge.waitForLine((l) => l.msg === 'desired state applied', 30_000);
  // The site's box records come from the cabinet's own box states.
  for (let i = 0; ; i++) {
    const res = await cloud.admin('GET', `/v1/admin/sites/${site}/boxes`);
    if (((res.body as { boxes?: unknown[] }).boxes?.length ?? 0) >= nos.length) break;
    if (i > 200) throw new Error(`site ${site} never got its ${nos.length} boxes`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    site,
    sim,
    bus,
    edge,
    kiosk,
    async kioskPost(path, body) {
      const res = await fetch(`${kiosk}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as KioskSession };
    },
    session: async (id) => (await fetch(`${kiosk}/api/sessions/${id}`).then((r) => r.json())) as KioskSession,
    status: async () =>
      ((await cloud.admin('GET', `/v1/admin/cabinets/${site}`)).body as { cabinet?: { status?: string } })
        .cabinet?.status,
    async caughtUp() {
      const { version } = (await cloud.admin('GET', `/v1/admin/cabinets/${site}/desired`)).body as {
        version: number;
      };
      await edge.waitForLine(
        (l) => l.msg === 'desired state applied' && Number(l.version) >= version,
        20_000,
      );
    },
    async stop() {
      await edge.stop();
      await bus.close();
    },
  };
}

/** Every file under a directory (databases, WAL files, configs), for secrets-at-rest checks. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

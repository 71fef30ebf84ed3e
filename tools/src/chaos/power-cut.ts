import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EdgeDaemon, parseEdgeConfig } from '@locker/edge';
import { BoardSimulator } from '@locker/lockboard';
import { simulatorOnPty } from '@locker/lockboard/testing';
import { makeVerifier } from '@locker/protocol';
import pino from 'pino';
import { EdgeProcess } from './edge-process.js';
import { type CabinetFacts, checkOutbox, checkPhysical, readFacts } from './invariants.js';

export interface PowerCutOptions {
  kills: number;
  /** Longest time the daemon runs before its power is cut (ms). */
  maxUptimeMs?: number;
  log?: (line: string) => void;
}

export interface PowerCutReport {
  kills: number;
  deposits: number;
  pickups: number;
  events: number;
  problems: string[];
}

const BOARD = 0;
const LOCKS = 16;
const CABINET = 'CHAOS01';

interface Shared {
  /** parcels in boxes whose code the "recipient" knows */
  codes: Map<string, { code: string; boxNo: string }>;
  /** what the person at the cabinet is doing right now (to finish physically after a cut) */
  doing: { kind: 'deposit' | 'pickup'; boxNo: string } | undefined;
  deposits: number;
  pickups: number;
}

/**
 * Cuts the power of the edge daemon (SIGKILL) at random moments during a loop of deposits and pickups,
 * restarts it, and checks after every restart: the outbox seq has no gap and no duplicate and keeps every
 * event committed before, and the stored box state equals the simulator's physical state. The simulator
 * runs in this process behind a socat pty pair, so it survives the daemon's death like a real board.
 */
export async function runPowerCut(opts: PowerCutOptions): Promise<PowerCutReport> {
  const log = opts.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'locker-powercut-'));
  const sim = new BoardSimulator({ family: 'kerong', boards: [{ address: BOARD, locks: LOCKS }] });
  const pty = await simulatorOnPty(sim);
  const base = {
    cabinetId: CABINET,
    dataDir: join(dir, 'data'),
    logLevel: 'info',
    boxes: Array.from({ length: LOCKS }, (_, i) => ({
      boxNo: String(i + 1).padStart(2, '0'),
      board: BOARD,
      lock: i + 1,
      size: 'medium',
    })),
    kiosk: { host: '127.0.0.1', port: 0 },
    flows: { sessionTimeoutSec: 2, parcelExpiryHours: 72, sweepIntervalMs: 200 },
  };
  const problems: string[] = [];
  const seen = new Map<number, string>();
  const shared: Shared = { codes: new Map(), doing: undefined, deposits: 0, pickups: 0 };
  try {
    await seedCourier(base);
    const configFile = join(dir, 'edge.json');
    const bus = {
      family: 'kerong',
      port: pty.hostPath,
      boards: [{ address: BOARD, locks: LOCKS }],
      pollIntervalMs: 50,
    };
    writeFileSync(configFile, JSON.stringify({ ...base, bus }));
    const dbFile = join(base.dataDir, 'edge.db');
    for (let round = 0; round <= opts.kills; round++) {
      const proc = new EdgeProcess(configFile);
      const url = await proc.ready();
      const facts = readFacts(dbFile);
      learn(facts, shared);
      const found = [...checkOutbox(facts, seen), ...checkPhysical(facts, sim, BOARD)].map(
        (p) => `after restart ${round}: ${p}`,
      );
      problems.push(...found);
      if (round === opts.kills) {
        await proc.stop();
        break;
      }
      const uptime = 20 + Math.floor(Math.random() * (opts.maxUptimeMs ?? 900));
      const work = operate(url, sim, shared);
      await sleep(uptime);
      await proc.kill();
      await work;
      finishPhysically(sim, shared);
      log(
        `cut ${round + 1}/${opts.kills} after ${uptime} ms; ${shared.deposits} deposits, ${shared.pickups} pickups`,
      );
    }
    const last = readFacts(dbFile);
    return {
      kills: opts.kills,
      deposits: shared.deposits,
      pickups: shared.pickups,
      events: last.outbox.length,
      problems,
    };
  } finally {
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The courier's credential arrives as desired state; applied once with an in-process daemon. */
async function seedCourier(base: Record<string, unknown>): Promise<void> {
  const config = parseEdgeConfig({
    ...base,
    kiosk: { enabled: false },
    logLevel: 'silent',
    bus: { family: 'kerong', port: 'sim:', boards: [{ address: BOARD, locks: LOCKS }], pollIntervalMs: 0 },
  });
  const d = new EdgeDaemon(config, { logger: pino({ level: 'silent' }) });
  await d.start();
  d.desired.apply({
    kind: 'snapshot',
    version: 1,
    couriers: [{ courierId: 'C-1', pin: await makeVerifier('4711', { N: 1024 }) }],
    grants: [],
  });
  await d.stop();
}

/**
 * Forgets the codes of parcels no longer in a box. The code of a deposit whose answer the power cut took
 * is lost with the daemon's memory (the database never holds it, ADR 0009): that parcel stays in its box.
 */
function learn(facts: CabinetFacts, shared: Shared): void {
  const inBox = new Set(facts.parcels.filter((p) => p.state === 'deposited').map((p) => p.parcel_id));
  for (const id of [...shared.codes.keys()]) if (!inBox.has(id)) shared.codes.delete(id);
}

/** A person finishes what they were doing at the door when the power went; other open doors are shut. */
function finishPhysically(sim: BoardSimulator, shared: Shared): void {
  const d = shared.doing;
  for (let lock = 1; lock <= LOCKS; lock++) {
    if (sim.state(BOARD, lock).door !== 'open') continue;
    if (d && Number(d.boxNo) === lock) sim.setOccupied(BOARD, lock, d.kind === 'deposit');
    sim.setDoor(BOARD, lock, 'closed');
  }
  shared.doing = undefined;
}

interface SessionBody {
  id: string;
  state: string;
  boxNo: string;
  parcelId: string;
  pickupCode: string;
}

async function call(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: SessionBody }> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as SessionBody };
}

/** Deposits and pickups, alternating by what is possible, until the daemon stops answering. */
async function operate(url: string, sim: BoardSimulator, shared: Shared): Promise<void> {
  try {
    for (let i = 0; ; i++) {
      const pickup = shared.codes.size > 0 && (shared.codes.size >= 8 || i % 2 === 1);
      if (pickup) {
        const [parcelId, { code }] = [...shared.codes.entries()][0] as [
          string,
          { code: string; boxNo: string },
        ];
        const res = await call(url, 'POST', '/api/pickups', { code });
        if (res.status !== 201 || res.body.state !== 'door_open') {
          await sleep(50);
          continue;
        }
        shared.doing = { kind: 'pickup', boxNo: res.body.boxNo };
        sim.setOccupied(BOARD, Number(res.body.boxNo), false);
        sim.setDoor(BOARD, Number(res.body.boxNo), 'closed');
        shared.doing = undefined;
        await until(url, res.body.id);
        shared.codes.delete(parcelId);
        shared.pickups++;
      } else {
        const res = await call(url, 'POST', '/api/deposits', {
          courierId: 'C-1',
          pin: '4711',
          size: 'medium',
        });
        if (res.status !== 201 || res.body.state !== 'door_open') {
          await sleep(50);
          continue;
        }
        shared.doing = { kind: 'deposit', boxNo: res.body.boxNo };
        sim.setOccupied(BOARD, Number(res.body.boxNo), true);
        sim.setDoor(BOARD, Number(res.body.boxNo), 'closed');
        shared.doing = undefined;
        const done = await until(url, res.body.id);
        shared.codes.set(done.parcelId, { code: done.pickupCode, boxNo: done.boxNo });
        shared.deposits++;
      }
    }
  } catch {
    // the power went
  }
}

async function until(url: string, id: string): Promise<SessionBody> {
  for (;;) {
    const s = await call(url, 'GET', `/api/sessions/${id}`);
    if (s.body.state === 'completed') return s.body;
    if (s.body.state !== 'door_open' && s.body.state !== 'open') throw new Error(`session ${s.body.state}`);
    await sleep(20);
  }
}

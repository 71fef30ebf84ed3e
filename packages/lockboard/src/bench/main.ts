#!/usr/bin/env node
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Family } from '../codecs/codec.js';
import { LockBoardDriver } from '../driver.js';
import type { DoorEvent } from '../monitor/door-monitor.js';
import type { BoardSimulator } from '../simulator/board-simulator.js';
import { percentile, table, wireMs } from './stats.js';

/**
 * Lock-board bench: the simulator paces its replies at 9600 baud, so the serial line is the physical
 * limit, and each figure is reported against the pure wire time of the bytes it moved (10 bits a byte).
 *   node packages/lockboard/dist/bench/main.js [--json] [--runs N]
 */
const BAUD = 9600;
const BOARDS = 4;
const LOCKS = 16;
/** Unlock and scan: p50 within this factor of the wire time of their bytes. */
const RATIO_TARGET = 1.05;
/** Door-change detection: p99 within this factor of one full scan's wire time (issue 14). */
const DETECT_RATIO_TARGET = 1.2;

interface Row {
  family: Family;
  measure: string;
  runs: number;
  p50Ms: number;
  p99Ms: number;
  wireMs?: number;
  ratio?: number;
  target: string;
  pass: boolean;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) || 40 : 40;

function replyBytes(family: Family, op: 'unlock' | 'status'): number {
  if (family === 'kerong') return 9;
  return op === 'unlock' ? 5 : 7; // xor8a query-all: 80 BB S3 S2 S1 33 X, as real boards send
}

async function benchFamily(family: Family): Promise<Row[]> {
  const boards = Array.from({ length: BOARDS }, (_, i) => ({
    address: family === 'xor8a' ? i + 1 : i,
    locks: LOCKS,
  }));
  const driver = new LockBoardDriver({
    family,
    port: 'sim:',
    baudRate: BAUD,
    boards,
    pollIntervalMs: 0,
    simulator: { emulateTiming: true },
  });
  const sim = driver.simulator as BoardSimulator;
  await driver.start();
  const rows: Row[] = [];
  try {
    await driver.readAll(); // warm up: first drain, JIT

    const unlockTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const board = boards[i % BOARDS]?.address ?? 0;
      const lock = (i % LOCKS) + 1;
      sim.setDoor(board, lock, 'closed');
      const t0 = performance.now();
      const r = await driver.unlock({ board, lock });
      unlockTimes.push(performance.now() - t0);
      if (!r.confirmed) throw new Error(`bench unlock of ${board}/${lock} not confirmed`);
      sim.setDoor(board, lock, 'closed');
    }
    rows.push(
      ratioRow(family, 'unlock (1 transaction)', unlockTimes, wireMs(5 + replyBytes(family, 'unlock'), BAUD)),
    );

    const scanTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await driver.readAll();
      scanTimes.push(performance.now() - t0);
    }
    rows.push(ratioRow(family, `status scan (${BOARDS} boards)`, scanTimes, scanWireMs(family)));
  } finally {
    await driver.stop();
  }
  rows.push(await detection(family, boards));
  return rows;
}

function ratioRow(family: Family, measure: string, times: number[], wire: number): Row {
  const p50 = percentile(times, 50);
  const ratio = p50 / wire;
  return {
    family,
    measure,
    runs: times.length,
    p50Ms: p50,
    p99Ms: percentile(times, 99),
    wireMs: wire,
    ratio,
    target: `p50/wire <= ${RATIO_TARGET}`,
    pass: ratio <= RATIO_TARGET,
  };
}

function scanWireMs(family: Family): number {
  return wireMs(BOARDS * (5 + replyBytes(family, 'status')), BAUD);
}

/**
 * Time from a door changing in the simulator to the monitor's event, with the settings a cabinet ships
 * with (nothing but the port, family and boards given). A door does not wait for the poller: each change
 * comes at a random board and lock, after a random pause spread over a whole scan.
 */
async function detection(family: Family, boards: { address: number; locks: number }[]): Promise<Row> {
  const driver = new LockBoardDriver({
    family,
    port: 'sim:',
    baudRate: BAUD,
    boards,
    simulator: { emulateTiming: true },
  });
  const scanWire = scanWireMs(family);
  const sim = driver.simulator as BoardSimulator;
  const latencies: number[] = [];
  let changedAt = 0;
  let waiting: ((e: DoorEvent) => void) | undefined;
  driver.monitor.on('door', (e) => waiting?.(e));
  await driver.start();
  try {
    await driver.readAll();
    await sleep(50);
    for (let i = 0; i < RUNS * 4; i++) {
      const board = boards[Math.floor(Math.random() * boards.length)]?.address ?? 0;
      const lock = Math.floor(Math.random() * LOCKS) + 1;
      await sleep(Math.random() * scanWire);
      const seen = new Promise<DoorEvent>((resolve) => {
        waiting = (e) => {
          if (e.board === board && e.lock === lock) resolve(e);
        };
      });
      changedAt = performance.now();
      sim.setDoor(board, lock, 'open');
      await seen;
      latencies.push(performance.now() - changedAt);
      const closed = new Promise<DoorEvent>((resolve) => {
        waiting = (e) => {
          if (e.board === board && e.lock === lock) resolve(e);
        };
      });
      sim.setDoor(board, lock, 'closed');
      await closed;
    }
  } finally {
    await driver.stop();
  }
  const p99 = percentile(latencies, 99);
  const ratio = p99 / scanWire;
  return {
    family,
    measure: `door change detection (defaults: poll ${driver.settings.pollIntervalMs} ms)`,
    runs: latencies.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: p99,
    wireMs: scanWire,
    ratio,
    target: `p99/scan wire <= ${DETECT_RATIO_TARGET}`,
    pass: ratio <= DETECT_RATIO_TARGET,
  };
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const family of ['xor8a', 'kerong'] as const) rows.push(...(await benchFamily(family)));
  if (json) {
    process.stdout.write(`${JSON.stringify({ bench: 'lockboard', baud: BAUD, rows })}\n`);
  } else {
    const f = (n: number | undefined, d = 1) => (n === undefined ? '-' : n.toFixed(d));
    console.log(
      `lockboard bench: simulator at ${BAUD} baud (10 bits/byte), ${BOARDS} boards x ${LOCKS} locks\n`,
    );
    console.log(
      table(
        ['family', 'measure', 'runs', 'p50 ms', 'p99 ms', 'wire ms', 'ratio', 'target', 'ok'],
        rows.map((r) => [
          r.family,
          r.measure,
          String(r.runs),
          f(r.p50Ms),
          f(r.p99Ms),
          f(r.wireMs),
          r.ratio === undefined ? '-' : f(r.ratio, 3),
          r.target,
          r.pass ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});

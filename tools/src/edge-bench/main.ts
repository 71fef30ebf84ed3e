#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EdgeConfigInput } from '@locker/edge';
import { BoardSimulator } from '@locker/lockboard';
import { simulatorOnPty } from '@locker/lockboard/testing';
import { makeVerifier, verifyAgainst } from '@locker/protocol';
import { addressBook, BOARDS, driveOperations, latencyRounds, seedCourier, type Timed } from './cabinet.js';
import {
  type Child,
  call,
  memoryOf,
  startBareFastify,
  startDaemon,
  startIdleImports,
  startIdleNode,
} from './processes.js';
import { percentile, table } from './stats.js';

/**
 * Edge bench: the cabinet daemon as it runs in production, a separate process started from its built
 * entry, measured from outside and against baselines measured in the same run (DESIGN §6):
 *
 * - kiosk request -> unlock frame on the wire: the daemon's bus is one end of a socat pty pair and the
 *   simulated boards sit on the other end in this process, so the frame is timed where a board would
 *   see it. Baseline: a bare fastify route in its own process, round trip timed with the same client.
 *   Daemon overhead = latency - baseline at the same percentile.
 * - resident memory of the daemon process (VmRSS) with 64 boxes after N operations (deposits and
 *   pickups through the kiosk API, doors shut through its simulator routes). Baseline: an idle node
 *   process that imports the daemon's whole module graph and starts nothing.
 * - cold start: spawn -> kiosk /health answers, fresh data directory. Baseline: `node -e 0`.
 *
 *   node edge/dist/bench/main.js [--ops 10000] [--samples 300] [--workers 8] [--only latency,memory,cold]
 *     [--json]
 */
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const OPS = flag('--ops', 10_000);
const SAMPLES = flag('--samples', 300);
const WORKERS = flag('--workers', 8);
const COLD_RUNS = flag('--cold-runs', 5);
const WARMUP = 20;
const json = args.includes('--json');
const onlyArg = args.indexOf('--only');
const ONLY = onlyArg >= 0 ? (args[onlyArg + 1] ?? '').split(',') : ['latency', 'memory', 'cold'];

const OVERHEAD_P99_TARGET_MS = 15;
const RSS_TARGET_MB = 90;
const COLD_TARGET_MS = 1500;
const MB = 2 ** 20;

interface Row {
  measure: string;
  value: number;
  unit: string;
  baseline?: number;
  baselineIs?: string;
  target?: string;
  pass?: boolean;
}

const rows: Row[] = [];
const note = (line: string) => {
  if (!json) console.error(`  ${line}`);
};

function cabinetConfig(dir: string, bus: Record<string, unknown>): EdgeConfigInput {
  return {
    cabinetId: 'BENCH01',
    dataDir: join(dir, 'data'),
    logLevel: 'info',
    kiosk: { host: '127.0.0.1', port: 0 },
    bus: { family: 'kerong', boards: BOARDS, ...bus } as EdgeConfigInput['bus'],
  };
}

function writeConfig(dir: string, config: EdgeConfigInput): string {
  const file = join(dir, 'edge.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function bareRoute(n: number): Promise<number[]> {
  const bare = startBareFastify();
  try {
    const url = await bare.url;
    const samples: number[] = [];
    for (let i = 0; i < n + WARMUP * 5; i++) {
      const t0 = performance.now();
      const res = await call(url, 'POST', '/x', { code: '123456' });
      const ms = performance.now() - t0;
      if (res.status !== 201) throw new Error(`bare route answered ${res.status}`);
      if (i >= WARMUP * 5) samples.push(ms);
    }
    return samples;
  } finally {
    await bare.stop();
  }
}

async function scryptReference(n: number): Promise<number[]> {
  const v = await makeVerifier('4711');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await verifyAgainst('4711', v);
    out.push(performance.now() - t0);
  }
  return out;
}

async function latency(root: string): Promise<void> {
  const base = await bareRoute(SAMPLES * 3);
  const scrypt = await scryptReference(20);
  const dir = join(root, 'latency');
  const sim = new BoardSimulator({ family: 'kerong', boards: BOARDS });
  const pty = await simulatorOnPty(sim);
  let daemon: Child | undefined;
  try {
    const config = cabinetConfig(dir, { port: pty.hostPath });
    await seedCourier(config);
    daemon = startDaemon(writeConfig(root, config));
    const url = await daemon.url;
    const { deposit, pickup } = await latencyRounds(url, sim, addressBook(config), SAMPLES + WARMUP);
    const b50 = percentile(base, 50);
    const b99 = percentile(base, 99);
    const s50 = percentile(scrypt, 50);
    const report = (what: string, all: Timed[], target: boolean) => {
      const frames = all.slice(WARMUP).map((t) => t.frameMs);
      const p50 = percentile(frames, 50);
      const p99 = percentile(frames, 99);
      const baselineIs = 'bare fastify route round trip, own process, same client';
      rows.push({
        measure: `${what}: kiosk -> unlock frame p50`,
        value: p50,
        unit: 'ms',
        baseline: b50,
        baselineIs,
      });
      rows.push({
        measure: `${what}: kiosk -> unlock frame p99`,
        value: p99,
        unit: 'ms',
        baseline: b99,
        baselineIs,
      });
      const overhead = p99 - b99;
      rows.push({
        measure: `${what}: daemon overhead p99 (p99 - baseline p99)`,
        value: overhead,
        unit: 'ms',
        ...(target
          ? { target: `<= ${OVERHEAD_P99_TARGET_MS} ms`, pass: overhead <= OVERHEAD_P99_TARGET_MS }
          : { target: `none: includes 1 scrypt N=16384 (p50 ${s50.toFixed(1)} ms here)` }),
      });
      note(
        `${what}: ${frames.length} samples; response p50 ${percentile(
          all.slice(WARMUP).map((t) => t.responseMs),
          50,
        ).toFixed(2)} ms`,
      );
    };
    report('pickup (code, HMAC)', pickup, true);
    report('courier deposit (PIN, scrypt)', deposit, false);
  } finally {
    await daemon?.stop();
    await pty.close();
  }
}

async function idleRss(start: () => Child): Promise<number> {
  const c = start();
  try {
    await c.url;
    await sleep(1000);
    return memoryOf(c.pid).rss;
  } finally {
    await c.stop();
  }
}

async function memory(root: string): Promise<void> {
  const bareNode = await idleRss(startIdleNode);
  const imports = await idleRss(startIdleImports);
  const dir = join(root, 'memory');
  const config = cabinetConfig(dir, { port: 'sim:' });
  await seedCourier(config);
  const daemon = startDaemon(writeConfig(dir, config));
  try {
    const url = await daemon.url;
    await sleep(1000);
    const started = memoryOf(daemon.pid).rss;
    const checkpoints: Array<[number, number]> = [];
    const every = Math.max(1, Math.floor(OPS / 10));
    const t0 = performance.now();
    const done = await driveOperations(url, OPS, WORKERS, (n) => {
      if (n % every === 0) {
        checkpoints.push([n, memoryOf(daemon.pid).rss]);
        if (n % (every * 2) === 0) note(`${n} ops, daemon RSS ${(checkpoints.at(-1)?.[1] ?? 0) / MB} MB`);
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    await sleep(2000); // the sweeper runs, nothing else is going on
    const health = await call<{ outboxDepth: number }>(url, 'GET', '/health');
    const { rss, hwm, anon } = memoryOf(daemon.pid);
    rows.push({
      measure: `daemon RSS, 64 boxes, after ${done} ops`,
      value: rss / MB,
      unit: 'MB',
      baseline: imports / MB,
      baselineIs: 'idle node importing the daemon modules',
      target: `<= ${RSS_TARGET_MB} MB`,
      pass: rss / MB <= RSS_TARGET_MB,
    });
    rows.push({
      measure: 'of which anonymous (RssAnon: heap, not the node binary)',
      value: anon / MB,
      unit: 'MB',
    });
    rows.push({ measure: 'daemon peak RSS (VmHWM) during the run', value: hwm / MB, unit: 'MB' });
    rows.push({
      measure: 'daemon RSS right after start (0 ops)',
      value: started / MB,
      unit: 'MB',
      baseline: bareNode / MB,
      baselineIs: 'bare idle node process',
    });
    const first = checkpoints[0];
    const last = checkpoints.at(-1);
    if (first && last && last[0] > first[0]) {
      rows.push({
        measure: `RSS growth per 1000 ops (${first[0]} -> ${last[0]} ops)`,
        value: ((last[1] - first[1]) / MB / (last[0] - first[0])) * 1000,
        unit: 'MB',
      });
    }
    rows.push({
      measure: `operations per second (${WORKERS} kiosks at once)`,
      value: done / seconds,
      unit: 'op/s',
    });
    note(`outbox depth after the run (offline, nothing acked): ${health.body.outboxDepth}`);
  } finally {
    await daemon.stop();
  }
}

async function coldStart(root: string): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const dir = join(root, `cold-${i}`);
    const daemon = startDaemon(writeConfig(root, cabinetConfig(dir, { port: 'sim:' })));
    try {
      const url = await daemon.url;
      const res = await fetch(`${url}/health`);
      if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
      times.push(performance.now() - daemon.spawnedAt);
    } finally {
      await daemon.stop();
    }
  }
  const bare: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
  }
  const fastify: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const c = startBareFastify();
    try {
      await fetch(`${await c.url}/health`);
      fastify.push(performance.now() - c.spawnedAt);
    } finally {
      await c.stop();
    }
  }
  const worst = Math.max(...times);
  rows.push({
    measure: `cold start -> /health, fresh db (median of ${COLD_RUNS})`,
    value: percentile(times, 50),
    unit: 'ms',
    baseline: percentile(bare, 50),
    baselineIs: 'node -e 0, spawn -> exit',
  });
  rows.push({
    measure: `cold start -> /health, fresh db (worst of ${COLD_RUNS})`,
    value: worst,
    unit: 'ms',
    baseline: Math.max(...bare),
    baselineIs: 'node -e 0, spawn -> exit',
    target: `<= ${COLD_TARGET_MS} ms`,
    pass: worst <= COLD_TARGET_MS,
  });
  rows.push({
    measure: `bare fastify process -> /health (median of ${COLD_RUNS})`,
    value: percentile(fastify, 50),
    unit: 'ms',
    baseline: percentile(bare, 50),
    baselineIs: 'node -e 0, spawn -> exit',
  });
}

function print(): void {
  const f = (n: number | undefined) => (n === undefined ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(2));
  console.log(`edge bench: daemon as a child process, 4 kerong boards x 16 locks, ${OPS} ops\n`);
  console.log(
    table(
      ['measure', 'value', 'baseline', 'ratio', 'target', 'met?'],
      rows.map((r) => [
        r.measure,
        `${f(r.value)} ${r.unit}`,
        r.baseline === undefined ? '-' : `${f(r.baseline)} ${r.unit}`,
        r.baseline ? `${(r.value / r.baseline).toFixed(2)}x` : '-',
        r.target ?? '-',
        r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
      ]),
    ),
  );
  const baselines = [...new Set(rows.flatMap((r) => (r.baselineIs ? [r.baselineIs] : [])))];
  console.log(`\nbaselines: ${baselines.join('; ')}`);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'locker-edge-bench-'));
  try {
    if (ONLY.includes('latency')) {
      note('latency: kiosk -> unlock frame over a pty pair ...');
      await latency(root);
    }
    if (ONLY.includes('memory')) {
      note(`memory: ${OPS} operations ...`);
      await memory(root);
    }
    if (ONLY.includes('cold')) {
      note('cold start ...');
      await coldStart(root);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (json) process.stdout.write(`${JSON.stringify({ bench: 'edge', ops: OPS, rows })}\n`);
  else print();
  process.exitCode = rows.every((r) => r.pass !== false) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 2;
});

#!/usr/bin/env node
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { makeVerifier } from '@locker/protocol';
import Fastify from 'fastify';
import pino from 'pino';
import { parseEdgeConfig } from '../config.js';
import { EdgeDaemon } from '../daemon.js';

/**
 * Edge bench: kiosk request -> unlock frame latency, resident memory with 64 boxes after many operations,
 * cold start to serving. Each figure comes with a baseline measured in the same run.
 * `node edge/dist/bench/main.js [--ops 10000]`
 */
const opsArg = process.argv.indexOf('--ops');
const OPS = opsArg > 0 ? Number(process.argv[opsArg + 1]) : 10_000;
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function cabinet(dir: string) {
  const boards = [0, 1, 2, 3].map((address) => ({ address, locks: 16 }));
  const config = parseEdgeConfig({
    cabinetId: 'BENCH01',
    dataDir: dir,
    logLevel: 'silent',
    kiosk: { enabled: false },
    bus: { family: 'kerong', port: 'sim:', boards, pollIntervalMs: 20 },
  });
  const d = new EdgeDaemon(config, { logger: pino({ level: 'silent' }) });
  await d.start();
  d.desired.apply({
    kind: 'snapshot',
    version: 1,
    couriers: [{ courierId: 'B', pin: await makeVerifier('1', { N: 1024 }) }],
    grants: [],
  });
  return d;
}

async function latency(d: EdgeDaemon, n: number) {
  const sim = d.driver.simulator;
  if (!sim) throw new Error('no simulator');
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = sim.frames.length;
    const t0 = performance.now();
    const res = await d.kioskApp.inject({
      method: 'POST',
      url: '/api/deposits',
      payload: { courierId: 'B', pin: '1', size: 'medium' },
    });
    const s = res.json() as { id: string; boxNo: string };
    const unlock = sim.frames.slice(before).find((f) => f.request.op === 'unlock');
    if (!unlock) throw new Error(`no unlock: ${res.body}`);
    samples.push(unlock.at - t0);
    const box = d.boxes.get(s.boxNo);
    sim.setDoor(box.board, box.lockNo, 'closed');
    await d.kioskApp.inject({ method: 'POST', url: `/api/sessions/${s.id}/cancel` });
  }
  return samples;
}

async function baselineRoute(n: number) {
  const app = Fastify();
  app.post('/x', async () => ({ ok: true }));
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await app.inject({ method: 'POST', url: '/x', payload: { a: 1 } });
    samples.push(performance.now() - t0);
  }
  await app.close();
  return samples;
}

async function coldStart(dir: string): Promise<number> {
  const file = join(dir, 'cold.json');
  writeFileSync(
    file,
    JSON.stringify({
      cabinetId: 'COLD01',
      dataDir: join(dir, 'cold'),
      logLevel: 'info',
      kiosk: { host: '127.0.0.1', port: 0 },
      bus: {
        family: 'kerong',
        port: 'sim:',
        boards: [0, 1, 2, 3].map((address) => ({ address, locks: 16 })),
      },
    }),
  );
  const main = fileURLToPath(new URL('../main.js', import.meta.url));
  const t0 = performance.now();
  const child = spawn(process.execPath, [main, '--config', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m =
        /"kiosk":"([^"]+)".*"cabinet daemon started"|"msg":"cabinet daemon started".*"kiosk":"([^"]+)"/.exec(
          buf,
        );
      if (m) resolve((m[1] ?? m[2]) as string);
    });
  });
  await fetch(`${url}/health`);
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  return ms;
}

function bareNode(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}

const dir = mkdtempSync(join(tmpdir(), 'locker-bench-'));
try {
  const base = await baselineRoute(500);
  const d = await cabinet(join(dir, 'a'));
  await latency(d, 50); // warm-up
  const lat = await latency(d, 500);
  const rssStart = process.memoryUsage().rss;
  const t0 = performance.now();
  await latency(d, OPS);
  const opsSec = OPS / ((performance.now() - t0) / 1000);
  const rss = process.memoryUsage().rss;
  await d.stop();
  const cold = await coldStart(dir);
  const node = bareNode();
  const row = (name: string, value: string, baseline: string, ratio: number, target: string) =>
    `${name.padEnd(40)} ${value.padStart(12)} ${baseline.padStart(14)} ${ratio.toFixed(1).padStart(7)}x  ${target}`;
  console.log(
    `${'edge bench'.padEnd(40)} ${'value'.padStart(12)} ${'baseline'.padStart(14)} ${'ratio'.padStart(8)}  target`,
  );
  console.log(
    row(
      'kiosk -> unlock frame p50 (ms)',
      pct(lat, 0.5).toFixed(2),
      pct(base, 0.5).toFixed(2),
      pct(lat, 0.5) / pct(base, 0.5),
      'bare fastify route',
    ),
  );
  console.log(
    row(
      'kiosk -> unlock frame p99 (ms)',
      pct(lat, 0.99).toFixed(2),
      pct(base, 0.99).toFixed(2),
      pct(lat, 0.99) / pct(base, 0.99),
      '<= 15 ms',
    ),
  );
  console.log(
    row(
      `RSS, 64 boxes, after ${OPS} ops (MB)`,
      (rss / 2 ** 20).toFixed(1),
      (rssStart / 2 ** 20).toFixed(1),
      rss / rssStart,
      '<= 90 MB',
    ),
  );
  console.log(row('operations per second', opsSec.toFixed(0), '-', 1, 'open + cancel'));
  console.log(
    row(
      'cold start to serving (ms)',
      cold.toFixed(0),
      node.toFixed(0),
      cold / node,
      '<= 1500 ms; baseline bare node',
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

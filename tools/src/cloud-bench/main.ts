#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudServer, parseCloudConfig } from '@locker/cloud';
import Fastify from 'fastify';
import pino from 'pino';
import { type LoadResult, runLoad } from './load.js';

/**
 * `npm run bench -w @locker/cloud`: throughput of an authenticated /v1 request (bearer token ->
 * hashed lookup -> user read -> JSON) as a ratio to a bare fastify route, measured in the same run.
 * BENCH_SECONDS and BENCH_CONCURRENCY tune it.
 */
async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-'));
  const config = parseCloudConfig({
    http: { host: '127.0.0.1', port: 0 },
    broker: { servicePassword: 'bench-service-password', embedded: { port: 0 } },
    database: { dialect: 'sqlite', file: join(dir, 'cloud.db') },
    adminToken: 'bench-admin-token-0123456789abcdef',
    logLevel: 'silent',
  });
  const cloud = new CloudServer(config, pino({ level: 'silent' }));
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ ok: true }));
  try {
    await cloud.start();
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const app = cloud.app;
    await app.inject({
      method: 'POST',
      url: '/v1/accounts',
      payload: { name: 'bench_user', password: 'bench-password' },
    });
    const login = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      payload: { login: 'bench_user', password: 'bench-password' },
    });
    const { token } = login.json() as { token: string };
    const addr = bare.server.address();
    const bareUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/bare`;
    const v1Url = `${cloud.httpUrl}/v1/me`;
    const headers = { authorization: `Bearer ${token}` };

    // Warm both up (JIT, SQLite page cache) before measuring.
    await runLoad(bareUrl, { seconds: 0.5, concurrency });
    await runLoad(v1Url, { seconds: 0.5, concurrency, headers });
    const base = await runLoad(bareUrl, { seconds, concurrency });
    const authed = await runLoad(v1Url, { seconds, concurrency, headers });
    print(
      [
        ['bare fastify GET /bare', base],
        ['authenticated GET /v1/me', authed],
      ],
      concurrency,
    );
    console.log(`\nratio /v1/me : bare = ${(authed.perSecond / base.perSecond).toFixed(3)}`);
    if (authed.failures > 0 || base.failures > 0) process.exitCode = 1;
  } finally {
    await bare.close();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(rows: Array<[string, LoadResult]>, concurrency: number): void {
  console.log(`cloud HTTP bench: ${concurrency} keep-alive clients on loopback, same process\n`);
  const head = ['target', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'failures'];
  const lines = rows.map(([name, r]) => [
    name,
    String(r.requests),
    r.perSecond.toFixed(0),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    String(r.failures),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});

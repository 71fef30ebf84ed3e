#!/usr/bin/env node
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, type Db, migrateToLatest, NearbyIndex } from '@locker/cloud';
import { sql } from 'kysely';
import pg from 'pg';
import { benchQuery, loadPoints, seeded } from './nearby-data.js';

/**
 * `npm run bench -- tasks`: nearby search over BENCH_TASKS (default 1,000,000) open tasks, on SQLite
 * and, when a server can be started or BENCH_PG_URL names one, on PostgreSQL. The baseline is the
 * same query answered by reading every point (what a search without the index would do), measured
 * in the same run on the same data; the figure to read is the ratio. BENCH_PG=0 skips PostgreSQL.
 */
const COUNT = Number(process.env.BENCH_TASKS ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 500);
const SCANS = Number(process.env.BENCH_SCANS ?? 5);

interface Figures {
  p50: number;
  p99: number;
  hits: number;
  scanP50: number;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
};

async function measure(db: Db, label: string): Promise<Figures> {
  const t0 = performance.now();
  await loadPoints(db, COUNT, seeded(2016));
  // What autovacuum would have done by now: statistics, and PostgreSQL's visibility map, which its
  // index-only scans need.
  await sql.raw(label === 'PostgreSQL' ? 'VACUUM ANALYZE nearby_points' : 'ANALYZE').execute(db);
  console.log(`${label}: loaded ${COUNT} points in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const index = new NearbyIndex(db);
  const rand = seeded(7);
  for (let i = 0; i < 50; i++) await index.search('task', { ...benchQuery(rand), limit: 50 });
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < QUERIES; i++) {
    const q = benchQuery(rand);
    const s = performance.now();
    const page = await index.search('task', { ...q, limit: 50 });
    times.push(performance.now() - s);
    hits += page.total;
  }
  const scans: number[] = [];
  const scanRand = seeded(7);
  for (let i = 0; i < SCANS; i++) {
    const q = benchQuery(scanRand);
    const s = performance.now();
    const n = await index.searchByFullScan('task', q);
    scans.push(performance.now() - s);
    // The index must give the same answer as reading everything.
    const page = await index.search('task', { ...q, limit: 1 });
    if (page.total !== n) throw new Error(`${label}: index found ${page.total}, full scan ${n}`);
  }
  return {
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    hits: hits / QUERIES,
    scanP50: quantile(scans, 0.5),
  };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A PostgreSQL database for the run: BENCH_PG_URL, or a throwaway cluster of our own. */
async function postgres(): Promise<{ url: string; stop(): void } | undefined> {
  if (process.env.BENCH_PG === '0') return undefined;
  const given = process.env.BENCH_PG_URL;
  if (given) return { url: given, stop() {} };
  const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
  const script = join(root, 'scripts/start-test-postgres.sh');
  if (!existsSync('/usr/lib/postgresql') || !existsSync(script)) return undefined;
  const dir = `/tmp/locker-bench-pg-${process.pid}`;
  const base = execFileSync('bash', [script, dir, String(await freePort())], { encoding: 'utf8' }).trim();
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query('CREATE DATABASE locker_bench');
  await admin.end();
  const url = new URL(base);
  url.pathname = '/locker_bench';
  return {
    url: url.toString(),
    stop() {
      execFileSync('bash', [join(root, 'scripts/stop-test-postgres.sh'), dir], { stdio: 'ignore' });
    },
  };
}

function print(rows: Array<[string, Figures]>): void {
  console.log(
    `\nnearby search, ${COUNT} open tasks, ${QUERIES} queries of 1/3/10 km near cities, first 50\n`,
  );
  const head = ['database', 'p50 ms', 'p99 ms', 'matches/query', 'full scan p50 ms', 'scan : index p50'];
  const lines = rows.map(([name, f]) => [
    name,
    f.p50.toFixed(2),
    f.p99.toFixed(2),
    f.hits.toFixed(0),
    f.scanP50.toFixed(0),
    (f.scanP50 / f.p50).toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
  // Other work on the machine shows in p99 first; the load says how quiet the run was.
  console.log(
    `\nload average during the run: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

async function main(): Promise<void> {
  const rows: Array<[string, Figures]> = [];
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-tasks-'));
  const lite = createDatabase({ dialect: 'sqlite', file: join(dir, 'cloud.db') });
  try {
    await migrateToLatest(lite);
    rows.push(['SQLite', await measure(lite, 'SQLite')]);
  } finally {
    await lite.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  const server = await postgres().catch((err: unknown) => {
    console.log(`PostgreSQL not measured: ${String(err)}`);
    return undefined;
  });
  if (server) {
    const db = createDatabase({ dialect: 'postgres', url: server.url });
    try {
      await migrateToLatest(db);
      rows.push(['PostgreSQL', await measure(db, 'PostgreSQL')]);
    } finally {
      await db.destroy();
      server.stop();
    }
  } else {
    console.log('PostgreSQL not measured (no server; set BENCH_PG_URL)');
  }
  print(rows);
  const sqlite = rows[0]?.[1];
  if (sqlite && sqlite.p99 > 10)
    console.log(`\nSQLite p99 ${sqlite.p99.toFixed(2)} ms is above the 10 ms target`);
}

main().catch((err: unknown) => {
  console.error('tasks bench failed:', err);
  process.exit(1);
});

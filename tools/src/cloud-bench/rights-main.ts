#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudServer, parseCloudConfig } from '@locker/cloud';
import Fastify from 'fastify';
import pino from 'pino';
import { type BenchUser, makeBenchUser } from './bench-users.js';
import { type BenchRequest, type LoadResult, runLoad, runRequests } from './load.js';
import { seedRights } from './rights-seed.js';

/**
 * `npm run bench -- cloud-rights`: reservation and authorization requests per second (the patent's
 * write path: token, quota, HMAC verifier of the access code, box claim, desired-state version,
 * timeline, notification, all in one unit of work) with 10,000 boxes, 100,000 parcels and 100,000
 * parcel steps in the database (SQLite, synchronous=FULL), as ratios to a bare fastify route in the
 * same run. BENCH_SECONDS and BENCH_CONCURRENCY tune it.
 */
const BOX_SIZES = ['large', 'medium', 'small', 'xlarge'];

async function main(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-rights-'));
  const config = parseCloudConfig({
    http: { host: '127.0.0.1', port: 0 },
    broker: { servicePassword: 'bench-service-password', embedded: { port: 0 } },
    database: { dialect: 'sqlite', file: join(dir, 'cloud.db') },
    adminToken: 'bench-admin-token-0123456789abcdef',
    logLevel: 'silent',
    rights: { maxActiveReservationsPerUser: 1000 },
    accounts: { limits: { registrationsPerAddress: 1000, loginAttemptsPerAddress: 1000 } },
  });
  const cloud = new CloudServer(config, pino({ level: 'silent' }));
  const bare = Fastify({ logger: false });
  bare.get('/bare', async () => ({ ok: true }));
  try {
    await cloud.start();
    await bare.listen({ host: '127.0.0.1', port: 0 });
    const sites = await seedRights(cloud, { sites: 100, boxesPerSite: 100, parcels: 100_000 });
    const users = await Promise.all(Array.from({ length: 32 }, (_, i) => makeUser(cloud, i)));
    const grantee = await makeUser(cloud, 99);
    const addr = bare.server.address();
    const bareUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/bare`;

    let n = 0;
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const reserve = (): BenchRequest => {
      const user = users[n % users.length] as BenchUser;
      // Every size in turn: the pool of free boxes (about 8,000) outlasts a run at full speed.
      const size = BOX_SIZES[Math.floor(n / sites.length) % BOX_SIZES.length] as string;
      const siteNo = sites[n++ % sites.length] as string;
      return {
        method: 'POST',
        path: '/v1/reservations',
        headers: user.auth,
        body: { siteNo, size, endsAt },
      };
    };
    const held: Array<{ user: BenchUser; siteNo: string; boxNo: string }> = [];
    const authorize = (): BenchRequest | undefined => {
      const h = held.pop();
      if (!h) return undefined;
      return {
        method: 'POST',
        path: '/v1/authorizations',
        headers: h.user.auth,
        body: { siteNo: h.siteNo, boxNo: h.boxNo, grantee: grantee.tel },
      };
    };
    const listBoxes = (): BenchRequest => ({
      method: 'GET',
      path: '/v1/me/boxes',
      headers: (users[n++ % users.length] as BenchUser).auth,
    });

    await runLoad(bareUrl, { seconds: 0.5, concurrency });
    const base = await runLoad(bareUrl, { seconds, concurrency });
    const before = { ...cloud.units.counters };
    const reserved = await runRequests(cloud.httpUrl, { seconds, concurrency }, reserve);
    for (const r of await cloud.rightsRecords.reservations.due('9999-12-31T00:00:00.000Z', 100_000)) {
      const user = users.find((u) => u.id === r.user_id);
      if (user) held.push({ user, siteNo: r.site_no, boxNo: r.box_no });
    }
    const reservationsMade = held.length;
    const authorized = await runRequests(cloud.httpUrl, { seconds, concurrency }, authorize);
    const commits = cloud.units.counters.commits - before.commits;
    const units = cloud.units.counters.units - before.units;
    const listed = await runRequests(cloud.httpUrl, { seconds, concurrency }, listBoxes);
    print(
      [
        ['bare fastify GET /bare', base],
        ['POST /v1/reservations', reserved],
        ['POST /v1/authorizations', authorized],
        ['GET /v1/me/boxes', listed],
      ],
      concurrency,
    );
    console.log(
      '\n10,000 boxes at 100 sites, 100,000 parcels, 100,000 parcel steps; access codes as HMAC verifiers',
    );
    console.log(
      `reservations and authorizations: ${units} units of work in ${commits} commits (${(units / Math.max(commits, 1)).toFixed(1)} per fsync)`,
    );
    console.log(`reservations made: ${reservationsMade}, authorized: ${authorized.requests}`);
    for (const [name, r] of [
      ['reservations', reserved],
      ['authorizations', authorized],
      ['held-box list', listed],
    ] as const) {
      console.log(`ratio ${name} : bare = ${(r.perSecond / base.perSecond).toFixed(3)}`);
    }
    if ([base, reserved, authorized, listed].some((r) => r.failures > 0)) process.exitCode = 1;
  } finally {
    await bare.close();
    await cloud.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The i-th bench user, with a phone number of its own. */
function makeUser(cloud: CloudServer, i: number): Promise<BenchUser> {
  return makeBenchUser(cloud, `bench_rights_${i}`, `134${String(i).padStart(8, '0')}`);
}

function print(rows: Array<[string, LoadResult]>, concurrency: number): void {
  console.log(`cloud rights bench: ${concurrency} keep-alive clients on loopback, same process\n`);
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

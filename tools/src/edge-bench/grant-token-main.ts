#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EdgeDaemon, parseEdgeConfig } from '@locker/edge';
import {
  checkAccess,
  generateGrantKey,
  grantPrivateKey,
  grantPublicKey,
  makeAccessVerifier,
  signGrantToken,
  verifyGrantToken,
} from '@locker/protocol';
import pino from 'pino';
import { percentile, table } from './stats.js';

/**
 * Signed grant tokens at the cabinet (ADR 0017), p50/p99 of one check:
 * - verify: the Ed25519 signature and claims alone (`verifyGrantToken`);
 * - cabinet: the whole check the kiosk runs (`useGrantToken` of the daemon's flows: limiter,
 *   signature, window, place, the revocation and use lookups in its SQLite file holding 10,000
 *   revocations and 10,000 uses) for tokens already used, so it ends before any door;
 * - baseline, same run: the HMAC access-code check a typed code gets (ADR 0015).
 *
 *   node tools/dist/edge-bench/grant-token-main.js [--samples 20000]
 */
const args = process.argv.slice(2);
const samples = Number(args[args.indexOf('--samples') + 1] || 20_000);
const SITE = '610091A01';

const dir = mkdtempSync(join(tmpdir(), 'locker-token-bench-'));
const config = parseEdgeConfig({
  cabinetId: SITE,
  dataDir: dir,
  logLevel: 'silent',
  bus: { family: 'kerong', port: 'sim:', boards: [{ address: 0, locks: 16 }], pollIntervalMs: 1000 },
  boxes: Array.from({ length: 16 }, (_, i) => ({
    boxNo: String(i + 1).padStart(2, '0'),
    board: 0,
    lock: i + 1,
    size: 'large',
  })),
  kiosk: { enabled: false },
});
const daemon = new EdgeDaemon(config, { logger: pino({ level: 'silent' }) });
await daemon.start();

const key = generateGrantKey('kbench');
const priv = grantPrivateKey(key.privateKeyPkcs8);
const until = new Date(Date.now() + 3_600_000).toISOString();
const N = 10_000;
daemon.desired.apply({
  kind: 'snapshot',
  version: 1,
  couriers: [],
  grants: [],
  grantKeys: [{ kid: key.kid, alg: 'ed25519', publicKey: key.publicKey }],
  revokedGrants: Array.from({ length: N }, (_, i) => ({ grantId: `GREV${i}`, until })),
});
for (let i = 0; i < N; i++) daemon.credentials.markGrantUsed(`GUSED${i}`, new Date().toISOString(), null);

const now = Math.floor(Date.now() / 1000);
const tokens = Array.from({ length: 1000 }, (_, i) =>
  signGrantToken(
    {
      v: 1,
      kid: key.kid,
      gid: `GUSED${i * 7}`,
      kind: 'deposit',
      site: SITE,
      box: String((i % 16) + 1).padStart(2, '0'),
      user: '13466666666',
      nbf: now - 60,
      exp: now + 3600,
    },
    priv,
  ),
);
const ring = new Map([[key.kid, { key: grantPublicKey(key.publicKey) }]]);
const accessKey = { kid: 'a1', key: Buffer.alloc(32, 3) };
const verifier = makeAccessVerifier(accessKey, 'G1', '12345678');
const keyring = new Map([[accessKey.kid, accessKey.key]]);

async function timed(run: (i: number) => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < 500; i++) await run(i); // warm-up
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await run(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const baseline = await timed(() => checkAccess('12345678', 'G1', verifier, keyring));
const verify = await timed((i) => {
  if (!verifyGrantToken(tokens[i % tokens.length] as string, ring, Date.now()).ok)
    throw new Error('bad token');
});
const cabinet = await timed(async (i) => {
  try {
    await daemon.flows.useGrantToken({ grantToken: tokens[i % tokens.length] as string });
    throw new Error('a used token opened');
  } catch (err) {
    if ((err as { code?: string }).code !== 'GRANT_TOKEN_USED') throw err;
  }
});
await daemon.stop();
rmSync(dir, { recursive: true, force: true });

const ms = (v: number) => v.toFixed(3);
const p50b = percentile(baseline, 50);
const p99b = percentile(baseline, 99);
const rows = [
  ['access-code HMAC (baseline)', ms(p50b), ms(p99b), '1.0'],
  [
    'token verify (Ed25519 + claims)',
    ms(percentile(verify, 50)),
    ms(percentile(verify, 99)),
    (percentile(verify, 99) / p99b).toFixed(1),
  ],
  [
    'token at the cabinet (full check, 10k revocations + 10k uses)',
    ms(percentile(cabinet, 50)),
    ms(percentile(cabinet, 99)),
    (percentile(cabinet, 99) / p99b).toFixed(1),
  ],
];
console.log(`${samples} checks each\n`);
console.log(table(['check', 'p50 ms', 'p99 ms', 'p99 / baseline'], rows));
const p99 = percentile(cabinet, 99);
console.log(
  `\ntoken check at the cabinet p99 ${ms(p99)} ms (target <= 2 ms): ${p99 <= 2 ? 'met' : 'NOT met'}`,
);

#!/usr/bin/env node
// `npm run bench`: every part's benchmark, one after another (they would disturb each other in
// parallel). Each part measures its own baseline in the same run and reports ratios to it, so the
// figures compare across machines. Pass part names to run only those: `npm run bench -- lockboard`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const parts = [
  {
    name: 'lockboard',
    entry: 'packages/lockboard/dist/bench/main.js',
    about: 'serial bus vs wire time at 9600 baud',
  },
  {
    name: 'edge',
    entry: 'tools/dist/edge-bench/main.js',
    about: 'cabinet daemon: kiosk to wire, memory, cold start',
  },
  {
    name: 'grant-tokens',
    entry: 'tools/dist/edge-bench/grant-token-main.js',
    about: 'signed grant token checks at the cabinet vs the access-code HMAC',
  },
  {
    name: 'cloud',
    entry: 'tools/dist/cloud-bench/main.js',
    about: 'authenticated /v1 vs a bare fastify route',
  },
  {
    name: 'tasks',
    entry: 'tools/dist/cloud-bench/tasks-main.js',
    about: 'nearby search at 1,000,000 tasks vs a full scan, SQLite and PostgreSQL',
  },
  {
    name: 'cloud-rights',
    entry: 'tools/dist/cloud-bench/rights-main.js',
    about: 'reservations and authorizations with 10k boxes, 100k parcels vs a bare fastify route',
  },
  {
    name: 'cloud-authorizers',
    entry: 'tools/dist/cloud-bench/authorizers-main.js',
    about: "third-party authorization via the example authorizer: overhead over the authorizer's own time",
  },
];
const wanted = process.argv.slice(2);
let failed = 0;
for (const part of parts) {
  if (wanted.length > 0 && !wanted.includes(part.name)) continue;
  const entry = join(root, part.entry);
  console.log(`\n=== ${part.name}: ${part.about} ===`);
  if (!existsSync(entry)) {
    console.log(`(no benchmark built at ${part.entry})`);
    failed++;
    continue;
  }
  const result = spawnSync(process.execPath, ['--expose-gc', entry], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    console.log(`${part.name} benchmark failed (exit ${result.status})`);
    failed++;
  }
}
process.exit(failed === 0 ? 0 : 1);

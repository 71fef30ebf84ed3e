import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { repoRoot } from './daemon-process.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL cluster (its own folder and port, so parallel runs do not meet)
 * for the suites that run the cloud on PostgreSQL, unless LOCKER_TEST_PG_URL already names one.
 * Workers inherit the URL through the environment.
 */
export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.LOCKER_TEST_PG_URL) return undefined;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server is not installed: run `bash scripts/install-test-deps.sh` (npm test does)',
    );
  }
  const dir = `/tmp/locker-test-pg-${process.pid}`;
  const port = await freePort();
  const url = execFileSync('bash', [`${repoRoot}scripts/start-test-postgres.sh`, dir, String(port)], {
    encoding: 'utf8',
  }).trim();
  process.env.LOCKER_TEST_PG_URL = url;
  return () => {
    try {
      execFileSync('bash', [`${repoRoot}scripts/stop-test-postgres.sh`, dir], { stdio: 'ignore' });
    } catch {
      // a cluster that is already gone is fine
    }
  };
}

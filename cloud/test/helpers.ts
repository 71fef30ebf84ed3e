import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { type CloudConfigInput, parseCloudConfig } from '../src/config.js';
import { CloudServer, type CloudServerOptions } from '../src/server.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** A started cloud on free ports whose SQLite file is in `dir` (a later one may reopen it). */
export async function startCloudIn(
  dir: string,
  overrides: Partial<CloudConfigInput> = {},
  options: CloudServerOptions = {},
): Promise<CloudServer> {
  const config = parseCloudConfig({
    http: { host: '127.0.0.1', port: 0 },
    broker: { servicePassword: 'service-password-for-tests', embedded: { port: 0 } },
    database: { dialect: 'sqlite', file: join(dir, 'cloud.db') },
    adminToken: ADMIN_TOKEN,
    commandTimeoutMs: 3000,
    logLevel: 'silent',
    ...overrides,
  });
  const server = new CloudServer(config, pino({ level: 'silent' }), options);
  await server.start();
  return server;
}

/** A cloud on free ports with its own SQLite file; `close()` stops it and removes the files. */
export async function startTestCloud(
  overrides: Partial<CloudConfigInput> = {},
  options: CloudServerOptions = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'locker-cloud-'));
  const server = await startCloudIn(dir, overrides, options);
  return {
    server,
    dir,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

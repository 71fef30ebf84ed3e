import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonProcess } from './daemon-process.js';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

export interface CloudHandle {
  process: DaemonProcess;
  httpUrl: string;
  brokerUrl: string;
  dir: string;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts the built cloud as a process on free ports (embedded broker, SQLite in `dir`). */
export async function startCloudProcess(
  dir: string,
  logLevel = 'info',
  extra: Record<string, unknown> = {},
): Promise<CloudHandle> {
  const configFile = join(dir, 'cloud.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      http: { host: '127.0.0.1', port: 0 },
      broker: { servicePassword: 'e2e-service-password', embedded: { host: '127.0.0.1', port: 0 } },
      database: { dialect: 'sqlite', file: join(dir, 'cloud.db') },
      adminToken: ADMIN_TOKEN,
      commandTimeoutMs: 5000,
      logLevel,
      ...extra,
    }),
  );
  const proc = new DaemonProcess('cloud/dist/main.js', ['--config', configFile]);
  const started = await proc.waitForLine((l) => l.msg === 'cloud started', 20_000);
  const httpUrl = String(started.http);
  const brokerUrl = String(started.broker);
  return {
    process: proc,
    httpUrl,
    brokerUrl,
    dir,
    async admin(method, path, body) {
      const res = await fetch(`${httpUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

export async function registerCabinet(
  cloud: CloudHandle,
  id: string,
): Promise<{ username: string; password: string }> {
  const res = await cloud.admin('POST', '/v1/admin/cabinets', { id, name: `Cabinet ${id}` });
  if (res.status !== 201) throw new Error(`cabinet registration failed: ${JSON.stringify(res.body)}`);
  return (res.body as { broker: { username: string; password: string } }).broker;
}

/** Registers a cabinet: its broker credentials and its access key (edge config `accessKeys`, ADR 0015). */
export async function provisionCabinet(
  cloud: CloudHandle,
  id: string,
): Promise<{ broker: { username: string; password: string }; accessKeys: Record<string, string> }> {
  const res = await cloud.admin('POST', '/v1/admin/cabinets', { id, name: `Cabinet ${id}` });
  if (res.status !== 201) throw new Error(`cabinet registration failed: ${JSON.stringify(res.body)}`);
  const body = res.body as {
    broker: { username: string; password: string };
    accessKeys: Record<string, string>;
  };
  return { broker: body.broker, accessKeys: body.accessKeys };
}

/**
 * Waits until the cloud itself has applied a cabinet's online status. Seeing the retained status on
 * the broker is not enough: the cloud applies it a moment later, and a command sent in between is
 * rightly refused as CABINET_OFFLINE.
 */
export async function waitForCloudOnline(cloud: CloudHandle, id: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await cloud.admin('GET', `/v1/admin/cabinets/${id}`);
    const status = (res.body as { cabinet?: { status?: string } }).cabinet?.status;
    if (status === 'online') return;
    if (Date.now() > deadline) throw new Error(`cloud still sees cabinet ${id} as ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function createBrokerAccount(
  cloud: CloudHandle,
  username: string,
  role: 'operator' | 'viewer',
): Promise<{ username: string; password: string }> {
  const res = await cloud.admin('POST', '/v1/admin/operators', { username, role });
  if (res.status !== 201) throw new Error(`operator creation failed: ${JSON.stringify(res.body)}`);
  return (res.body as { broker: { username: string; password: string } }).broker;
}

/** Writes an edge config and starts the built edge daemon on it. */
export function startEdgeProcess(dir: string, config: Record<string, unknown>): DaemonProcess {
  const configFile = join(dir, 'edge.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir, 'edge-data'),
      logLevel: 'info',
      // a free port for the touchscreen API, so parallel tests never meet on 8080
      kiosk: { host: '127.0.0.1', port: 0 },
      ...config,
    }),
  );
  return new DaemonProcess('edge/dist/main.js', ['--config', configFile]);
}

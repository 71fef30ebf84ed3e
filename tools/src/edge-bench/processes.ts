import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EDGE_ENV, EDGE_NODE_ARGS } from '@locker/edge';
import { DAEMON_MAIN, DAEMON_MODULE } from '../edge-paths.js';

/** The repository root (cwd of every child). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Resident and peak resident memory of a process, in bytes, from /proc/<pid>/status; `anon` is the
 * part that is the process's own (RSS also counts the node binary's mapped code, ~40 MB, shared).
 */
export function memoryOf(pid: number): { rss: number; hwm: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024, anon: kb('RssAnon') * 1024 };
}

/**
 * A child node process that announces where it serves with one JSON line on stdout (the daemon's
 * 'cabinet daemon started' log line with `kiosk`, or a baseline script's `{ "url": ... }`). Stdout is
 * drained for the whole life of the child, so its logging never blocks on a full pipe.
 */
export class Child {
  readonly child: ChildProcess;
  readonly spawnedAt = performance.now();
  readonly url: Promise<string>;
  readonly exited: Promise<void>;
  private stderr = '';

  constructor(
    args: string[],
    ready: (line: Record<string, unknown>) => string | undefined,
    env: Readonly<Record<string, string>> = {},
  ) {
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.url = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not start: ${this.stderr}`)), 30_000);
      let found = false;
      createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (found || !line.startsWith('{')) return;
        try {
          const url = ready(JSON.parse(line) as Record<string, unknown>);
          if (url) {
            found = true;
            clearTimeout(timer);
            resolve(url);
          }
        } catch {
          // not JSON
        }
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        if (!found) reject(new Error(`child exited (${code}) before serving: ${this.stderr}`));
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('child has no pid');
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The built cabinet daemon on a config file, started the way production starts it (runtime.ts). */
export function startDaemon(configFile: string): Child {
  return new Child(
    [...EDGE_NODE_ARGS, DAEMON_MAIN, '--config', configFile],
    (l) => (l.msg === 'cabinet daemon started' && typeof l.kiosk === 'string' ? l.kiosk : undefined),
    EDGE_ENV,
  );
}

/** A bare fastify app with one POST route, as the kiosk app is built (no logger, 4 KiB body limit). */
const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify({ logger: false, bodyLimit: 4096 });
app.post('/x', async (req, reply) => reply.code(201).send({ ok: true, echo: req.body }));
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url: 'http://127.0.0.1:' + app.server.address().port }));
`;

export function startBareFastify(): Child {
  return new Child(['--input-type=module', '-e', BARE_FASTIFY], (l) =>
    typeof l.url === 'string' ? l.url : undefined,
  );
}

/**
 * The memory baseline: a node process that imports the daemon's whole module graph (fastify, pino, zod,
 * better-sqlite3, serialport, prom-client, mqtt, ...) and then idles without starting anything.
 */
export function startIdleImports(): Child {
  const daemon = DAEMON_MODULE;
  return new Child(
    [
      ...EDGE_NODE_ARGS,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(daemon)}); console.log(JSON.stringify({ url: 'idle' })); setInterval(() => {}, 1000);`,
    ],
    (l) => (typeof l.url === 'string' ? l.url : undefined),
    EDGE_ENV,
  );
}

/** A bare node process, idling. */
export function startIdleNode(): Child {
  return new Child(
    ['-e', `console.log(JSON.stringify({ url: 'idle' })); setInterval(() => {}, 1000);`],
    (l) => (typeof l.url === 'string' ? l.url : undefined),
  );
}

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** One JSON request (fetch keeps the connection alive between calls, for the daemon and the baseline). */
export async function call<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<HttpResult<T>> {
  const res = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on loopback (the OS picks it; tiny race before the caller binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function mosquittoBinary(): string {
  for (const candidate of ['/usr/sbin/mosquitto', 'mosquitto']) {
    try {
      execFileSync(candidate, ['-h'], { stdio: 'ignore' });
      return candidate;
    } catch (err) {
      // `mosquitto -h` exits 3 after printing usage; only a missing binary is ENOENT
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return candidate;
    }
  }
  throw new Error('mosquitto is not installed (apt-get install mosquitto; .ci/run does this)');
}

export interface MosquittoHandle {
  url: string;
  pidFile: string;
  process: ChildProcess;
  log: string[];
  stop(): Promise<void>;
}

/** The policy lines of the shipped deploy/mosquitto/locker.conf, so tests run the limits operators deploy. */
const POLICY_KEYS = new Set(['use_username_as_clientid', 'max_packet_size', 'message_size_limit']);
function deployedPolicy(): string[] {
  const conf = readFileSync(new URL('../../deploy/mosquitto/locker.conf', import.meta.url), 'utf8');
  return conf
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => POLICY_KEYS.has(l.split(/\s+/)[0] ?? ''));
}

/** Runs Debian's Mosquitto in the foreground with the password and ACL files the cloud writes. */
export async function startMosquitto(
  dir: string,
  passwordFile: string,
  aclFile: string,
): Promise<MosquittoHandle> {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  const pidFile = join(dir, 'mosquitto.pid');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      ...deployedPolicy(),
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      // As root Mosquitto would drop to its own user, which cannot read a test's private temp dir.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      '',
    ].join('\n'),
  );
  const child = spawn(mosquittoBinary(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => log.push(t));
  writeFileSync(pidFile, String(child.pid));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`mosquitto did not start: ${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pidFile,
    process: child,
    log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { LockerError } from '@locker/protocol';

export interface PtyPair {
  /** The end the host (driver) opens. */
  host: string;
  /** The end the simulated board opens. */
  board: string;
  close(): Promise<void>;
  /** Kills socat at once (SIGKILL): both ends vanish as if the cable were pulled. */
  kill(): Promise<void>;
}

/**
 * Makes a linked pseudo-terminal pair with `socat -d -d pty,raw,echo=0 pty,raw,echo=0`: two device paths
 * that behave like the two ends of a null-modem cable, so both sides use the real serialport stack.
 */
export interface PtyPairOptions {
  timeoutMs?: number;
  /**
   * Fixed paths (symlinks socat makes to the two ends), so a pair killed and made again appears at the
   * same place, as a replugged USB adapter does.
   */
  links?: { host: string; board: string };
}

export function openPtyPair(options: PtyPairOptions | number = {}): Promise<PtyPair> {
  const { timeoutMs = 5000, links } = typeof options === 'number' ? { timeoutMs: options } : options;
  const end = (link: string | undefined) => (link ? `pty,raw,echo=0,link=${link}` : 'pty,raw,echo=0');
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn('socat', ['-d', '-d', end(links?.host), end(links?.board)], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      reject(err);
      return;
    }
    const stop = (signal: NodeJS.Signals) =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill(signal);
      });
    const paths: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(
        new LockerError('INTERNAL', `socat gave no pty pair in ${timeoutMs} ms: ${stderr.slice(0, 500)}`),
      );
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new LockerError('INTERNAL', `cannot run socat (apt-get install socat): ${err.message}`));
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr += text;
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (m[1]) paths.push(m[1]);
      // "starting data transfer loop" means both ends exist and are linked.
      if (paths.length >= 2 && stderr.includes('starting data transfer loop')) {
        clearTimeout(timer);
        const [ptyHost, ptyBoard] = paths as [string, string];
        const host = links?.host ?? ptyHost;
        const board = links?.board ?? ptyBoard;
        resolve({
          host,
          board,
          close: () => stop('SIGTERM'),
          kill: () => stop('SIGKILL'),
        });
      }
    });
  });
}

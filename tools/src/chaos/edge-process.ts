import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DAEMON_MAIN as MAIN } from '../edge-paths.js';

/** The built edge daemon as a child process, for the power-cut harness: started, then SIGKILLed. */
export class EdgeProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private stderr = '';

  constructor(configFile: string) {
    this.child = spawn(process.execPath, [MAIN, '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Resolves with the kiosk URL once the daemon says it started (after restart reconciliation). */
  ready(timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`edge did not start: ${this.stderr}`)), timeoutMs);
      const lines = createInterface({ input: this.child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        try {
          const l = JSON.parse(line) as { msg?: string; kiosk?: string };
          if (l.msg === 'cabinet daemon started' && l.kiosk) {
            clearTimeout(timer);
            resolve(l.kiosk);
          }
        } catch {
          // not a log line
        }
      });
      this.child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`edge exited (${code}) before it started: ${this.stderr}`));
      });
    });
  }

  /** The power cut. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}

import type { Logger } from 'pino';
import type { Subsystem } from './subsystem-plan.js';

export interface IntervalWorkerOptions {
  name: string;
  intervalMs: number;
  /** One pass of the work; it should finish well within the interval. */
  run: () => Promise<unknown>;
  logger: Logger;
}

/**
 * A background worker (a sweep, a reminder, a retry loop) in the subsystem plan: runs its pass every
 * `intervalMs`, never two passes at once; a failed pass is logged and the next one runs as usual.
 * `stop` waits for a pass under way, so the database it uses is still open while it finishes.
 */
export class IntervalWorker implements Subsystem {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly opts: IntervalWorkerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs one pass now (tests, and a pass on demand); waits for a pass already under way first. */
  async runOnce(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.opts
      .run()
      .then(
        () => undefined,
        (err: unknown) => this.opts.logger.error({ err, worker: this.opts.name }, 'worker pass failed'),
      )
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }
}

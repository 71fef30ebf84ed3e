import { performance } from 'node:perf_hooks';

/**
 * Runs a callback at an absolute `performance.now()` time with sub-millisecond accuracy: setTimeout alone
 * overshoots by about a millisecond, which at 9600 baud is a whole byte, so the last stretch is covered by
 * setImmediate turns.
 */
export class PreciseScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private stopped = false;

  at(targetMs: number, fn: () => void): void {
    if (this.stopped) return;
    const remaining = targetMs - performance.now();
    if (remaining > 2) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.spin(targetMs, fn);
      }, remaining - 1.5);
      this.timers.add(t);
      return;
    }
    this.spin(targetMs, fn);
  }

  private spin(targetMs: number, fn: () => void): void {
    if (this.stopped) return;
    const i = setImmediate(() => {
      this.immediates.delete(i);
      if (this.stopped) return;
      if (performance.now() >= targetMs) fn();
      else this.spin(targetMs, fn);
    });
    this.immediates.add(i);
  }

  /** Cancels everything scheduled; later calls to `at` are ignored until `restart`. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const i of this.immediates) clearImmediate(i);
    this.timers.clear();
    this.immediates.clear();
  }

  restart(): void {
    this.stopped = false;
  }
}

import type { Logger } from 'pino';

/** A part of the cloud with a lifetime: the constructor does no I/O, `start` and `stop` do. */
export interface Subsystem {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The cloud's subsystems in start order (the edge daemon's shape): each starts after the ones before
 * it, and they stop in reverse. A stop that fails is logged, not thrown, so the rest still stop; a
 * start that fails stops what had started and then throws.
 */
export class SubsystemPlan {
  private readonly plan: Array<[string, Subsystem]> = [];
  private readonly started: Array<[string, Subsystem]> = [];

  constructor(private readonly logger: Logger) {}

  /** Adds a subsystem at the end of the plan (absent ones, such as a disabled broker, are skipped). */
  add(name: string, subsystem: Subsystem | undefined): this {
    if (subsystem) this.plan.push([name, subsystem]);
    return this;
  }

  names(): string[] {
    return this.plan.map(([name]) => name);
  }

  async start(): Promise<void> {
    for (const [name, sub] of this.plan) {
      try {
        await sub.start();
      } catch (err) {
        this.logger.error({ err, subsystem: name }, 'start failed');
        await this.stop();
        throw err;
      }
      this.started.push([name, sub]);
    }
  }

  async stop(): Promise<void> {
    for (const [name, sub] of this.started.splice(0).reverse()) {
      try {
        await sub.stop();
      } catch (err) {
        this.logger.error({ err, subsystem: name }, 'stop failed');
      }
    }
  }
}

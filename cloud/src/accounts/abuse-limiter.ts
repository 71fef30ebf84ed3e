import { LockerError } from '@locker/protocol';

export interface AbuseLimits {
  windowSeconds: number;
  loginFailuresPerAccount: number;
  loginAttemptsPerAddress: number;
  registrationsPerAddress: number;
  registrationsPerAccount: number;
}

/**
 * Sliding-window counters for login and registration abuse, per account and per client address.
 * In memory: one cloud process holds them; a restart forgets them, which only errs towards letting
 * people in. Both APIs go through the same AccountService, so both share these counters.
 */
export class AbuseLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limits: AbuseLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws RATE_LIMITED when `key` already has `limit` events in the window. */
  check(key: string, limit: number): void {
    const events = this.recent(key);
    if (events.length >= limit) {
      const retryAfter = Math.ceil(
        ((events[0] as number) + this.limits.windowSeconds * 1000 - this.now()) / 1000,
      );
      throw new LockerError('RATE_LIMITED', `too many attempts; try again in ${Math.max(retryAfter, 1)} s`, {
        retryAfterSeconds: Math.max(retryAfter, 1),
      });
    }
  }

  record(key: string): void {
    const events = this.recent(key);
    events.push(this.now());
    this.hits.set(key, events);
    if (this.hits.size > 50_000) this.sweep();
  }

  /** check + record in one step, for limits that count every attempt. */
  take(key: string, limit: number): void {
    this.check(key, limit);
    this.record(key);
  }

  /**
   * check + record for several limits at once: every one is checked before any is recorded, so an
   * attempt refused by one limit does not use up the others.
   */
  takeAll(limits: ReadonlyArray<readonly [key: string, limit: number]>): void {
    for (const [key, limit] of limits) this.check(key, limit);
    for (const [key] of limits) this.record(key);
  }

  forget(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.now() - this.limits.windowSeconds * 1000;
    const events = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (events.length === 0) this.hits.delete(key);
    return events;
  }

  private sweep(): void {
    for (const key of [...this.hits.keys()]) this.recent(key);
  }
}

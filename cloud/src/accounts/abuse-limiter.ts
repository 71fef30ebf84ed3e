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
 * There is deliberately no separate "check" and "record": an attempt is counted when it is let
 * through, before its outcome is known (see `reserve`).
 */
export class AbuseLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limits: AbuseLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one attempt against `key`, or throws RATE_LIMITED when `limit` attempts are already
   * counted in the window. The check and the count are one synchronous step, so parallel requests
   * cannot all pass the check before any of them is counted; call it before any await (the slow
   * scrypt of a login) and the attempt is reserved whatever that await brings.
   */
  reserve(key: string, limit: number): void {
    this.reserveAll([[key, limit]]);
  }

  /**
   * `reserve` for several limits at once: every one is checked before any is counted, so an
   * attempt refused by one limit does not use up the others.
   */
  reserveAll(limits: ReadonlyArray<readonly [key: string, limit: number]>): void {
    const windows = limits.map(([key, limit]) => {
      const events = this.recent(key);
      if (events.length >= limit) throw this.refusal(events);
      return [key, events] as const;
    });
    const now = this.now();
    for (const [key, events] of windows) {
      events.push(now);
      this.hits.set(key, events);
    }
    if (this.hits.size > 50_000) this.sweep();
  }

  forget(key: string): void {
    this.hits.delete(key);
  }

  private refusal(events: number[]): LockerError {
    const retryAfter = Math.max(
      Math.ceil(((events[0] as number) + this.limits.windowSeconds * 1000 - this.now()) / 1000),
      1,
    );
    return new LockerError('RATE_LIMITED', `too many attempts; try again in ${retryAfter} s`, {
      retryAfterSeconds: retryAfter,
    });
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

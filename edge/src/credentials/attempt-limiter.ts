import { LockerError } from '@locker/protocol';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { EdgeConfig } from '../config.js';
import type { EdgeStore } from '../store/edge-store.js';

export const CABINET_SUBJECT = 'cabinet';

interface AttemptRow {
  subject: string;
  failures: number;
  window_start: string;
  locked_until: string | null;
}

/**
 * Limits wrong codes per credential (a courier id, a user number, a code value) and for the whole
 * cabinet, so guessing a 6-digit code at the screen is slow and noticed. Reaching a limit locks that
 * subject for `lockoutSec` and raises a `code_lockout` alarm; the counters are in the database, so a
 * restart does not reset them.
 */
export class AttemptLimiter {
  constructor(
    private readonly store: EdgeStore,
    private readonly alarms: AlarmKeeper,
    private readonly limits: EdgeConfig['attempts'],
  ) {}

  /** Throws CODE_LOCKED_OUT if the cabinet or the subject is locked now. */
  check(subject: string, now = Date.now()): void {
    for (const s of [CABINET_SUBJECT, subject]) {
      const until = this.lockedUntil(s, now);
      if (until) {
        const who = s === CABINET_SUBJECT ? 'This cabinet' : 'This code';
        throw new LockerError(
          'CODE_LOCKED_OUT',
          `${who} is locked after too many wrong attempts. Try again after ${until.slice(11, 16)} UTC.`,
          { until },
        );
      }
    }
  }

  /** Records a wrong attempt; returns how many tries are left for the subject before a lockout. */
  fail(subject: string, now = Date.now()): number {
    return this.store.tx(() => {
      const left = this.bump(subject, this.limits.perCredential, now);
      const cabinetLeft = this.bump(CABINET_SUBJECT, this.limits.perCabinet, now);
      return Math.min(left, cabinetLeft);
    });
  }

  /** A right code resets that subject's counter (not the cabinet's: a guesser may get lucky). */
  succeed(subject: string): void {
    this.store.db.prepare('DELETE FROM attempts WHERE subject = ?').run(subject);
  }

  lockedUntil(subject: string, now = Date.now()): string | undefined {
    const row = this.row(subject);
    return row?.locked_until && Date.parse(row.locked_until) > now ? row.locked_until : undefined;
  }

  /** Clears the alarms of lockouts that have run out (called by the sweeper). */
  sweep(now = Date.now()): void {
    const rows = this.store.db
      .prepare('SELECT * FROM attempts WHERE locked_until IS NOT NULL')
      .all() as AttemptRow[];
    for (const r of rows) {
      if (r.locked_until && Date.parse(r.locked_until) <= now) {
        this.store.tx(() => {
          this.store.db.prepare('DELETE FROM attempts WHERE subject = ?').run(r.subject);
          this.alarms.clear('code_lockout', r.subject);
        });
      }
    }
  }

  private row(subject: string): AttemptRow | undefined {
    return this.store.db.prepare('SELECT * FROM attempts WHERE subject = ?').get(subject) as
      | AttemptRow
      | undefined;
  }

  private bump(subject: string, limit: number, now: number): number {
    const row = this.row(subject);
    const windowOpen = row && now - Date.parse(row.window_start) < this.limits.windowSec * 1000;
    const failures = windowOpen ? row.failures + 1 : 1;
    const windowStart = windowOpen ? row.window_start : new Date(now).toISOString();
    let lockedUntil = row?.locked_until ?? null;
    if (failures >= limit) {
      lockedUntil = new Date(now + this.limits.lockoutSec * 1000).toISOString();
      const who = subject === CABINET_SUBJECT ? 'the cabinet' : subject;
      this.alarms.raise(
        'code_lockout',
        subject,
        `${failures} wrong codes for ${who}; locked until ${lockedUntil}`,
      );
    }
    this.store.db
      .prepare(
        `INSERT INTO attempts (subject, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
         locked_until = excluded.locked_until`,
      )
      .run(subject, failures, windowStart, lockedUntil);
    return Math.max(0, limit - failures);
  }
}

import { LockerError } from '@locker/protocol';
import type { AlarmKeeper } from '../alarms/alarm-keeper.js';
import type { EdgeConfig } from '../config.js';
import type { EdgeStore } from '../store/edge-store.js';

export const CABINET_SUBJECT = 'cabinet';

interface AttemptRow {
  subject: string;
  failures: number;
  /** Per subject: start of the fixed window. For the cabinet: the last counted attempt (the window slides). */
  window_start: string;
  /** Per subject: end of its lockout. For the cabinet: the earliest time the next code is looked at. */
  locked_until: string | null;
}

/** How an attempt reserved before its (slow) check ends. Each settles once; later calls do nothing. */
export interface AttemptReservation {
  /** The credential was right: the subject's counter resets, and the attempt leaves the cabinet's count. */
  succeed(): void;
  /** The credential was wrong: the attempt stays counted. Returns the tries left for the subject. */
  fail(): number;
  /** It was no guess (a real code, already used or expired): the attempt leaves both counts. */
  release(): void;
}

export interface CabinetSlowdown {
  until: string;
  retryAfterMs: number;
}

/**
 * Limits wrong codes per credential (a courier id, a user number, a code value) and for the whole
 * cabinet (ADR 0009). Each attempt is reserved, counted as wrong, in one transaction BEFORE the check,
 * so parallel requests cannot all pass a limit that only counts after a slow scrypt.
 *
 * - Per credential: `perCredential` wrong tries in `windowSec` lock that credential for `lockoutSec`,
 *   with a `code_lockout` alarm.
 * - Cabinet-wide (codes, QR tokens, grantee access codes; not courier logins, which are identified and
 *   limited per courier): from the `perCabinet`-th wrong try on, each further try must wait a rising delay
 *   (1 s, 2 s, 4 s, ... up to `cabinetDelayMaxSec`) and the alarm is raised. Nobody is locked out: after
 *   the wait, a right code opens its box. The count falls back to zero after `windowSec` with no tries.
 *
 * The counters are in the database, so a restart does not reset them.
 */
export class AttemptLimiter {
  constructor(
    private readonly store: EdgeStore,
    private readonly alarms: AlarmKeeper,
    private readonly limits: EdgeConfig['attempts'],
  ) {}

  /**
   * Reserves one attempt for `subject` (and the cabinet when `cabinetWide`), or throws CODE_LOCKED_OUT
   * (the subject is locked) or CODE_ENTRY_SLOWED (the cabinet's delay has not run out), both with
   * `details.retryAfterMs`. A refused attempt is not counted.
   */
  reserve(subject: string, opts: { cabinetWide: boolean }, now = Date.now()): AttemptReservation {
    this.store.tx(() => {
      const own = this.current(subject, now);
      const ownUntil = own.locked_until ? Date.parse(own.locked_until) : 0;
      if (ownUntil > now || own.failures >= this.limits.perCredential) {
        // Locked, or the last allowed tries are being checked right now (their lockout starts if they fail).
        const until = ownUntil > now ? ownUntil : now + this.limits.lockoutSec * 1000;
        throw new LockerError(
          'CODE_LOCKED_OUT',
          `Too many wrong attempts: locked until ${new Date(until).toISOString().slice(11, 16)} UTC.`,
          { until: new Date(until).toISOString(), retryAfterMs: until - now },
        );
      }
      if (opts.cabinetWide) this.countCabinet(now);
      this.write(subject, own.failures + 1, own.window_start, null);
    });
    let settled = false;
    const settle = <T>(fn: () => T): T | undefined => {
      if (settled) return undefined;
      settled = true;
      return this.store.tx(fn);
    };
    return {
      succeed: () =>
        settle(() => {
          this.store.prepare('DELETE FROM attempts WHERE subject = ?').run(subject);
          if (opts.cabinetWide) this.uncount(CABINET_SUBJECT);
        }),
      fail: () => settle(() => this.failed(subject, Date.now())) ?? 0,
      release: () =>
        settle(() => {
          this.uncount(subject);
          if (opts.cabinetWide) this.uncount(CABINET_SUBJECT);
        }),
    };
  }

  /** The cabinet's current wait before the next code is looked at, if any. */
  slowdown(now = Date.now()): CabinetSlowdown | undefined {
    const until = this.row(CABINET_SUBJECT)?.locked_until;
    const ms = until ? Date.parse(until) - now : 0;
    return until && ms > 0 ? { until, retryAfterMs: ms } : undefined;
  }

  /**
   * Wrong codes the cabinet still takes before its rising delay starts (0: the next try waits). The
   * kiosk shows this, not the per-code count: each different wrong code has a fresh count of its own.
   */
  cabinetTriesLeft(now = Date.now()): number {
    const cab = this.row(CABINET_SUBJECT);
    const open = cab && now - Date.parse(cab.window_start) < this.limits.windowSec * 1000;
    return Math.max(0, this.limits.perCabinet - (open ? cab.failures : 0));
  }

  /** Clears lockouts and cabinet counts that have run out, with their alarms (called by the sweeper). */
  sweep(now = Date.now()): void {
    const rows = this.store.prepare('SELECT * FROM attempts').all() as AttemptRow[];
    for (const r of rows) {
      const cabinet = r.subject === CABINET_SUBJECT;
      const quiet = now - Date.parse(r.window_start) >= this.limits.windowSec * 1000;
      const lockOver = !r.locked_until || Date.parse(r.locked_until) <= now;
      if (cabinet ? quiet && lockOver : r.locked_until ? lockOver : quiet) {
        this.store.tx(() => {
          this.store.prepare('DELETE FROM attempts WHERE subject = ?').run(r.subject);
          this.alarms.clear('code_lockout', r.subject);
        });
      }
    }
  }

  /** The delay a cabinet-wide count of `failures` imposes on the next try (0 below the threshold). */
  delayAfter(failures: number): number {
    if (failures < this.limits.perCabinet) return 0;
    const doubling = Math.min(failures - this.limits.perCabinet, 30);
    return Math.min(1000 * 2 ** doubling, this.limits.cabinetDelayMaxSec * 1000);
  }

  private countCabinet(now: number): void {
    const cab = this.row(CABINET_SUBJECT);
    const open = cab && now - Date.parse(cab.window_start) < this.limits.windowSec * 1000;
    const waitUntil = cab?.locked_until ? Date.parse(cab.locked_until) : 0;
    if (waitUntil > now) {
      const seconds = Math.ceil((waitUntil - now) / 1000);
      throw new LockerError(
        'CODE_ENTRY_SLOWED',
        `Too many wrong codes at this cabinet. Please wait ${seconds} s and try again.`,
        { until: new Date(waitUntil).toISOString(), retryAfterMs: waitUntil - now },
      );
    }
    const failures = (open ? cab.failures : 0) + 1;
    const delay = this.delayAfter(failures);
    this.write(
      CABINET_SUBJECT,
      failures,
      new Date(now).toISOString(),
      delay > 0 ? new Date(now + delay).toISOString() : null,
    );
    if (delay > 0) {
      this.alarms.raise(
        'code_lockout',
        CABINET_SUBJECT,
        `${failures} wrong codes at the cabinet; each further try waits up to ${this.limits.cabinetDelayMaxSec} s`,
      );
    }
  }

  private failed(subject: string, now: number): number {
    const row = this.row(subject);
    const failures = row?.failures ?? 1;
    if (failures >= this.limits.perCredential) {
      const lockedUntil = new Date(now + this.limits.lockoutSec * 1000).toISOString();
      this.write(subject, failures, row?.window_start ?? new Date(now).toISOString(), lockedUntil);
      this.alarms.raise(
        'code_lockout',
        subject,
        `${failures} wrong codes for ${subject}; locked until ${lockedUntil}`,
      );
    }
    return Math.max(0, this.limits.perCredential - failures);
  }

  private uncount(subject: string): void {
    this.store.prepare('UPDATE attempts SET failures = MAX(0, failures - 1) WHERE subject = ?').run(subject);
  }

  /** The subject's row, as a fresh window when the stored one has run out (and no lockout is on). */
  private current(subject: string, now: number): AttemptRow {
    const row = this.row(subject);
    const open = row && now - Date.parse(row.window_start) < this.limits.windowSec * 1000;
    const lock = row?.locked_until ? Date.parse(row.locked_until) : undefined;
    // A lockout that ran out starts a fresh window, even before the sweeper deletes the row.
    if (row && (lock === undefined ? open : lock > now)) return row;
    return { subject, failures: 0, window_start: new Date(now).toISOString(), locked_until: null };
  }

  private row(subject: string): AttemptRow | undefined {
    return this.store.prepare('SELECT * FROM attempts WHERE subject = ?').get(subject) as
      | AttemptRow
      | undefined;
  }

  private write(subject: string, failures: number, windowStart: string, lockedUntil: string | null): void {
    this.store
      .prepare(
        `INSERT INTO attempts (subject, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
         ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
         locked_until = excluded.locked_until`,
      )
      .run(subject, failures, windowStart, lockedUntil);
  }
}

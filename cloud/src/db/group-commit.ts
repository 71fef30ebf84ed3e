import { sql, type Transaction } from 'kysely';
import type { Db } from './database.js';
import type { CloudDatabase } from './schema.js';

/** Work to do once the unit's transaction has committed (push to sockets, publish to cabinets). */
export interface AfterCommit {
  after(fn: () => void): void;
}

export type UnitOfWork<T> = (trx: Transaction<CloudDatabase>, commit: AfterCommit) => Promise<T>;

interface Job {
  work: UnitOfWork<unknown>;
  after: Array<() => void>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/** Units per commit at most: bounds how long one batch holds SQLite's single writer. */
const MAX_BATCH = 64;

/**
 * Units of work, each all-or-nothing, committed together when they arrive together (ADR 0015).
 * SQLite has one writer and `synchronous=FULL` pays an fsync per commit, so a request that commits
 * alone waits on the disk; units that arrive while a commit is in flight run in the next
 * transaction, each inside its own savepoint (a unit that throws is rolled back alone, the others
 * commit). A unit resolves only after the commit that holds it, so nothing is answered or
 * published before it is durable. PostgreSQL has concurrent writers: each unit is its own
 * transaction there.
 */
export class GroupCommit {
  private readonly queue: Job[] = [];
  private flushing = false;
  /** Grouped commits made and the units they held (the bench reads units per commit). */
  readonly counters = { commits: 0, units: 0 };

  constructor(
    private readonly db: Db,
    private readonly grouped: boolean,
    private readonly onAfterError: (err: unknown) => void = () => undefined,
  ) {}

  run<T>(work: UnitOfWork<T>): Promise<T> {
    if (!this.grouped) return this.alone(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, after: [], resolve: resolve as (v: unknown) => void, reject });
      if (!this.flushing) {
        // Until the requests read off the sockets in this turn of the event loop have queued theirs.
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async alone<T>(work: UnitOfWork<T>): Promise<T> {
    const after: Array<() => void> = [];
    const value = await this.db.transaction().execute((trx) => work(trx, { after: (fn) => after.push(fn) }));
    this.runAfter(after);
    return value;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        this.counters.commits++;
        this.counters.units += batch.length;
        try {
          await this.db.transaction().execute(async (trx) => {
            for (const job of batch) await this.runInSavepoint(trx, job);
          });
        } catch (err) {
          // The commit itself failed (disk full, I/O error): no unit of the batch is durable.
          for (const job of batch) if (job.outcome?.ok) job.outcome = { ok: false, error: err };
        }
        for (const job of batch) {
          if (job.outcome?.ok) {
            this.runAfter(job.after);
            job.resolve(job.outcome.value);
          } else {
            job.reject(job.outcome?.error ?? new Error('unit of work was not run'));
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async runInSavepoint(trx: Transaction<CloudDatabase>, job: Job): Promise<void> {
    await sql`savepoint unit_of_work`.execute(trx);
    try {
      const value = await job.work(trx, { after: (fn) => job.after.push(fn) });
      await sql`release unit_of_work`.execute(trx);
      job.outcome = { ok: true, value };
    } catch (error) {
      job.after.length = 0;
      job.outcome = { ok: false, error };
      await sql`rollback to unit_of_work`.execute(trx);
      await sql`release unit_of_work`.execute(trx);
    }
  }

  private runAfter(fns: Array<() => void>): void {
    for (const fn of fns) {
      try {
        fn();
      } catch (err) {
        this.onAfterError(err);
      }
    }
  }
}

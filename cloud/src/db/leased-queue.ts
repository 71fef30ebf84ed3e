import type { Kysely } from 'kysely';
import type { Db } from './database.js';

/** The columns every leased queue table has (outbound messages, authorizer deliveries). */
interface LeasedColumns {
  id: string;
  attempts: number;
  next_attempt_at: string;
  sent_at: string | null;
  failed_at: string | null;
  last_error: string | null;
}

export type LeasedTable = 'outbound_messages' | 'authorizer_deliveries';

/**
 * A durable queue of things to send, one table per kind. A row is claimed by moving its next
 * attempt ahead (a lease) with a conditional UPDATE, so two workers or two cloud processes never
 * send the same try; a crash mid-send only delays it until the lease runs out. Subclasses add how
 * rows are made and read.
 */
export class LeasedQueue<Row extends LeasedColumns> {
  // One shape for both tables: the columns above are all this class touches.
  private readonly leased: Kysely<Record<LeasedTable, LeasedColumns>>;

  constructor(
    protected readonly db: Db,
    private readonly table: LeasedTable,
    /** How many rows one claim takes at most. */
    private readonly batch: number,
  ) {
    this.leased = db as unknown as Kysely<Record<LeasedTable, LeasedColumns>>;
  }

  /** Due rows, each claimed for `leaseMs`; those another worker claimed first are left out. */
  async claimDue(now: Date, leaseMs: number, limit = this.batch): Promise<Row[]> {
    const due = (await this.leased
      .selectFrom(this.table)
      .selectAll()
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('next_attempt_at', '<=', now.toISOString())
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute()) as Row[];
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    const claimed: Row[] = [];
    for (const row of due) {
      const r = await this.leased
        .updateTable(this.table)
        .set({ next_attempt_at: lease })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .where('sent_at', 'is', null)
        .where('failed_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) claimed.push({ ...row, next_attempt_at: lease });
    }
    return claimed;
  }

  async markSent(id: string, at: Date, db: Pick<Db, 'updateTable'> = this.db): Promise<void> {
    await (db as unknown as Kysely<Record<LeasedTable, LeasedColumns>>)
      .updateTable(this.table)
      .set((eb) => ({ sent_at: at.toISOString(), attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', '=', id)
      .execute();
  }

  /** A failed try: retried at `retryAt`, or given up on (`failed_at`, a dead letter) when undefined. */
  async markFailed(id: string, error: string, at: Date, retryAt: Date | undefined): Promise<void> {
    await this.leased
      .updateTable(this.table)
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 500),
        ...(retryAt ? { next_attempt_at: retryAt.toISOString() } : { failed_at: at.toISOString() }),
      }))
      .where('id', '=', id)
      .execute();
  }
}

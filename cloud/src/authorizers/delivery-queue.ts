import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuthorizerDeliveriesTable } from '../db/schema.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

export type DeliveryRow = Selectable<AuthorizerDeliveriesTable>;

/**
 * The durable queue of signed POSTs to authorizers. Rows are written in the unit of work of the
 * change they tell of, so a restart loses none; a try is claimed by moving its next attempt ahead
 * (a lease) with a conditional UPDATE, so two workers never send the same try; a crash mid-send
 * only delays it, and the Idempotency-Key lets the authorizer drop the repeat.
 */
export class DeliveryQueue {
  constructor(private readonly db: Db) {}

  async enqueue(
    trx: Executor,
    d: { requestId: string; authorizerNo: string; kind: DeliveryRow['kind']; body: unknown },
    now = new Date(),
  ): Promise<string> {
    const id = `D${now.getTime().toString(36)}${randomBytes(8).toString('hex')}`;
    await trx
      .insertInto('authorizer_deliveries')
      .values({
        id,
        request_id: d.requestId,
        authorizer_no: d.authorizerNo,
        kind: d.kind,
        body: JSON.stringify(d.body),
        attempts: 0,
        next_attempt_at: now.toISOString(),
        sent_at: null,
        failed_at: null,
        last_error: null,
        created_at: now.toISOString(),
      })
      .execute();
    return id;
  }

  /** Due tries, each claimed for `leaseMs`; those another worker claimed first are left out. */
  async claimDue(now: Date, leaseMs: number, limit = 20): Promise<DeliveryRow[]> {
    const due = await this.db
      .selectFrom('authorizer_deliveries')
      .selectAll()
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('next_attempt_at', '<=', now.toISOString())
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    const claimed: DeliveryRow[] = [];
    for (const row of due) {
      const r = await this.db
        .updateTable('authorizer_deliveries')
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

  async markSent(id: string, at: Date, db: Executor = this.db): Promise<void> {
    await db
      .updateTable('authorizer_deliveries')
      .set((eb) => ({ sent_at: at.toISOString(), attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', '=', id)
      .execute();
  }

  /** A failed try: retried at `retryAt`, or dead-lettered (`failed_at`) when that is undefined. */
  async markFailed(id: string, error: string, at: Date, retryAt: Date | undefined): Promise<void> {
    await this.db
      .updateTable('authorizer_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 500),
        ...(retryAt ? { next_attempt_at: retryAt.toISOString() } : { failed_at: at.toISOString() }),
      }))
      .where('id', '=', id)
      .execute();
  }

  forRequest(requestId: string): Promise<DeliveryRow[]> {
    return this.db
      .selectFrom('authorizer_deliveries')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('created_at')
      .execute();
  }
}

import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { LeasedQueue } from '../db/leased-queue.js';
import type { AuthorizerDeliveriesTable } from '../db/schema.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

export type DeliveryRow = Selectable<AuthorizerDeliveriesTable>;

/**
 * The durable queue of signed POSTs to authorizers. Rows are written in the unit of work of the
 * change they tell of, so a restart loses none; a try is claimed by moving its next attempt ahead
 * (a lease) with a conditional UPDATE, so two workers never send the same try; a crash mid-send
 * only delays it, and the Idempotency-Key lets the authorizer drop the repeat.
 */
export class DeliveryQueue extends LeasedQueue<DeliveryRow> {
  constructor(db: Db) {
    super(db, 'authorizer_deliveries', 20);
  }

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

  forRequest(requestId: string): Promise<DeliveryRow[]> {
    return this.db
      .selectFrom('authorizer_deliveries')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('created_at')
      .execute();
  }
}

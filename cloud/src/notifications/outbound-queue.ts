import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { OutboundMessagesTable } from '../db/schema.js';

export type OutboundRow = OutboundMessagesTable;

/**
 * SMS and push messages waiting to go out. A message is claimed by moving its next attempt ahead
 * (a lease), so two cloud processes never send the same one at once; a crash mid-send only delays it.
 */
export class OutboundQueue {
  constructor(private readonly db: Db) {}

  async enqueue(
    channel: OutboundRow['channel'],
    to: string,
    kind: string,
    payload: unknown,
    now = new Date(),
  ) {
    const id = `M${now.getTime().toString(36)}${randomBytes(8).toString('hex')}`;
    await this.db
      .insertInto('outbound_messages')
      .values({
        id,
        channel,
        to_address: to,
        kind,
        payload: JSON.stringify(payload),
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

  /** Due messages, each claimed for `leaseMs`; those another process claimed first are left out. */
  async claimDue(now: Date, leaseMs: number, limit = 50): Promise<OutboundRow[]> {
    const due = await this.db
      .selectFrom('outbound_messages')
      .selectAll()
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('next_attempt_at', '<=', now.toISOString())
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const lease = new Date(now.getTime() + leaseMs).toISOString();
    const claimed: OutboundRow[] = [];
    for (const row of due) {
      const r = await this.db
        .updateTable('outbound_messages')
        .set({ next_attempt_at: lease })
        .where('id', '=', row.id)
        .where('next_attempt_at', '=', row.next_attempt_at)
        .where('sent_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) claimed.push({ ...row, next_attempt_at: lease });
    }
    return claimed;
  }

  async markSent(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('outbound_messages')
      .set((eb) => ({ sent_at: at.toISOString(), attempts: eb('attempts', '+', 1), last_error: null }))
      .where('id', '=', id)
      .execute();
  }

  /** Records a failed try: retried at `retryAt`, or given up on (`failed_at`) when that is undefined. */
  async markFailed(id: string, error: string, at: Date, retryAt: Date | undefined): Promise<void> {
    await this.db
      .updateTable('outbound_messages')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 500),
        ...(retryAt ? { next_attempt_at: retryAt.toISOString() } : { failed_at: at.toISOString() }),
      }))
      .where('id', '=', id)
      .execute();
  }

  async get(id: string): Promise<OutboundRow | undefined> {
    return this.db.selectFrom('outbound_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

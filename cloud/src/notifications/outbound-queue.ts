import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import { LeasedQueue } from '../db/leased-queue.js';
import type { OutboundMessagesTable } from '../db/schema.js';

export type OutboundRow = OutboundMessagesTable;

/**
 * SMS and push messages waiting to go out. A message is claimed by moving its next attempt ahead
 * (a lease), so two cloud processes never send the same one at once; a crash mid-send only delays it.
 */
export class OutboundQueue extends LeasedQueue<OutboundRow> {
  constructor(db: Db) {
    super(db, 'outbound_messages', 50);
  }

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

  async get(id: string): Promise<OutboundRow | undefined> {
    return this.db.selectFrom('outbound_messages').selectAll().where('id', '=', id).executeTakeFirst();
  }
}

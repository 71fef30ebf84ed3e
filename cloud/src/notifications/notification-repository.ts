import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

export interface StoredNotification {
  id: string;
  kind: string;
  payload: unknown;
  createdAt: string;
}

let lastMs = 0;
let counter = 0;

/** Ids sort by creation time (fixed-width base-36 ms + counter), so pending ones replay in order. */
function newNotificationId(now: Date): string {
  const ms = now.getTime();
  counter = ms === lastMs ? counter + 1 : 0;
  lastMs = ms;
  return `N${ms.toString(36).padStart(9, '0')}${counter.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}

/** Notifications stay until their owner acknowledges them. */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  async add(
    userId: string,
    kind: string,
    payload: unknown,
    now = new Date(),
    db: Executor = this.db,
  ): Promise<StoredNotification> {
    const n = { id: newNotificationId(now), kind, payload, createdAt: now.toISOString() };
    await db
      .insertInto('notifications')
      .values({
        id: n.id,
        user_id: userId,
        kind,
        payload: JSON.stringify(payload ?? null),
        created_at: n.createdAt,
        acked_at: null,
      })
      .execute();
    return n;
  }

  async pending(userId: string, limit = 500): Promise<StoredNotification[]> {
    const rows = await this.db
      .selectFrom('notifications')
      .select(['id', 'kind', 'payload', 'created_at'])
      .where('user_id', '=', userId)
      .where('acked_at', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      payload: JSON.parse(r.payload) as unknown,
      createdAt: r.created_at,
    }));
  }

  /** Marks the user's own notifications acknowledged; returns how many changed. */
  async ack(userId: string, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('notifications')
      .set({ acked_at: new Date().toISOString() })
      .where('user_id', '=', userId)
      .where('id', 'in', ids)
      .where('acked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}

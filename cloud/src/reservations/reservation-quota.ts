import { LockerError } from '@locker/protocol';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

/**
 * How many live reservations each user holds. Taken with a conditional UPDATE (`active < limit`)
 * in the reservation's unit of work, so parallel requests cannot pass the quota on either dialect.
 */
export class ReservationQuota {
  constructor(private readonly db: Db) {}

  async take(userId: string, limit: number, db: Executor = this.db): Promise<void> {
    // One statement: the first reservation inserts the row, later ones count up while under the
    // limit; a user at the limit changes nothing. In the reservation's unit of work, a reservation
    // that fails later gives its count back with the rollback.
    const res = await db
      .insertInto('reservation_counts')
      .values({ user_id: userId, active: 1 })
      .onConflict((oc) =>
        oc
          .column('user_id')
          .doUpdateSet({ active: sql<number>`reservation_counts.active + 1` })
          .where('reservation_counts.active', '<', limit),
      )
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) !== 1 || limit < 1) {
      throw new LockerError('RESERVATION_QUOTA_EXCEEDED', `you already hold ${limit} reservations`);
    }
  }

  async release(userId: string, db: Executor = this.db): Promise<void> {
    await db
      .updateTable('reservation_counts')
      .set({ active: sql<number>`active - 1` })
      .where('user_id', '=', userId)
      .where('active', '>', 0)
      .execute();
  }

  async active(userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('reservation_counts')
      .select('active')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? Number(row.active) : 0;
  }
}

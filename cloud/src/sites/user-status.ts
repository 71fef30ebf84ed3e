import { LockerError } from '@locker/protocol';
import { type Db, nowIso } from '../db/database.js';
import type { UserStatus } from '../db/schema.js';

/** The patent's user status: a disabled user cannot reserve, hand on, or be granted a box. */
export class UserStatusRepository {
  constructor(private readonly db: Db) {}

  async set(userId: string, status: UserStatus): Promise<void> {
    const res = await this.db
      .updateTable('users')
      .set({ status, updated_at: nowIso() })
      .where('id', '=', userId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new LockerError('USER_NOT_FOUND', `no user ${userId}`);
  }
}

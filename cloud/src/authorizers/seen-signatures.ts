import { LockerError } from '@locker/protocol';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

/**
 * Signatures of authorizers' messages seen inside the timestamp window. The insert is the check
 * (a primary key on authorizer and signature), so two copies of one message racing each other on
 * two cloud processes cannot both pass. Rows outlive the window, then the sweep removes them.
 */
export class SeenSignatures {
  constructor(private readonly db: Db) {}

  async remember(
    authorizerNo: string,
    signature: string,
    expiresAt: Date,
    db: Executor = this.db,
  ): Promise<void> {
    try {
      await db
        .insertInto('authorizer_signatures')
        .values({ authorizer_no: authorizerNo, signature, expires_at: expiresAt.toISOString() })
        .execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new LockerError('SIGNATURE_REPLAYED', 'this message was received already');
      throw err;
    }
  }

  async prune(now: Date): Promise<number> {
    const res = await this.db
      .deleteFrom('authorizer_signatures')
      .where('expires_at', '<', now.toISOString())
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

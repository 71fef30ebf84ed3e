import type { Db } from '../db/database.js';

/**
 * Login hashes already accepted, kept until their timestamp has left the window. Stored in the
 * database (not memory) so a replay is refused across restarts and across cloud instances.
 */
export class UsedLoginHashes {
  constructor(
    private readonly db: Db,
    private readonly keepMs: number,
  ) {}

  /** True when this call is the first to use `hash`; the insert decides atomically. */
  async claim(hash: string, now: Date = new Date()): Promise<boolean> {
    await this.db.deleteFrom('used_login_hashes').where('expires_at', '<', now.toISOString()).execute();
    const result = await this.db
      .insertInto('used_login_hashes')
      .values({ hash, expires_at: new Date(now.getTime() + this.keepMs).toISOString() })
      .onConflict((oc) => oc.column('hash').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
}

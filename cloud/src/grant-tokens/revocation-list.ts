import type { RevokedGrantDoc } from '@locker/protocol';
import type { Db } from '../db/database.js';
import type { Tx } from '../fleet/desired/desired-version-repository.js';

/**
 * Grants revoked while a signed token of theirs may still be valid (ADR 0017). Each entry lives
 * only until the latest expiry such a token can have, so the list a cabinet holds stays short.
 */
export class RevocationList {
  constructor(private readonly db: Db) {}

  /** In the revocation's own unit of work. */
  async add(
    trx: Tx,
    entry: { grantId: string; siteNo: string; until: string; at: string },
  ): Promise<RevokedGrantDoc> {
    await trx
      .insertInto('revoked_grants')
      .values({ grant_id: entry.grantId, site_no: entry.siteNo, until: entry.until, created_at: entry.at })
      .onConflict((oc) => oc.column('grant_id').doNothing())
      .execute();
    return { grantId: entry.grantId, until: entry.until };
  }

  /** Every revocation still in force at a cabinet, for its snapshot. */
  async liveAt(siteNo: string, now: string): Promise<RevokedGrantDoc[]> {
    const rows = await this.db
      .selectFrom('revoked_grants')
      .select(['grant_id', 'until'])
      .where('site_no', '=', siteNo)
      .where('until', '>', now)
      .orderBy('until')
      .execute();
    return rows.map((r) => ({ grantId: r.grant_id, until: r.until }));
  }

  /** The sweep forgets entries no token can concern any more. */
  async prune(now: string): Promise<number> {
    const r = await this.db.deleteFrom('revoked_grants').where('until', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

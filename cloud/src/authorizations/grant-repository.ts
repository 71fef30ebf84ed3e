import { AccessVerifier, type GrantDoc, LockerError } from '@locker/protocol';
import type { Selectable } from 'kysely';
import { type Db, nowIso } from '../db/database.js';
import type { BoxGrantsTable, GrantState } from '../db/schema.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type { GrantSource } from '../fleet/desired/grant-source.js';

export type GrantRow = Selectable<BoxGrantsTable>;

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === '23505' || /UNIQUE constraint/.test(e.message ?? '')
  );
}

/** Rights handed on by their holders (box_grants); the only code that writes the table. */
export class GrantRepository implements GrantSource {
  constructor(private readonly db: Db) {}

  /** One live grant per box is a unique index: a second one fails here even under a race. */
  async insert(trx: Executor, row: GrantRow): Promise<void> {
    try {
      await trx.insertInto('box_grants').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new LockerError(
          'BOX_ALREADY_GRANTED',
          `box ${row.box_no} at ${row.site_no} is already granted`,
        );
      }
      throw err;
    }
  }

  find(id: string, db: Executor = this.db): Promise<GrantRow | undefined> {
    return db.selectFrom('box_grants').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(id: string, db: Executor = this.db): Promise<GrantRow> {
    const row = await this.find(id, db);
    if (!row) throw new LockerError('GRANT_NOT_FOUND', `no grant ${id}`);
    return row;
  }

  activeForBox(siteNo: string, boxNo: string, db: Executor = this.db): Promise<GrantRow | undefined> {
    return db
      .selectFrom('box_grants')
      .selectAll()
      .where('site_no', '=', siteNo)
      .where('box_no', '=', boxNo)
      .where('state', '=', 'active')
      .executeTakeFirst();
  }

  activeAt(siteNo: string): Promise<GrantRow[]> {
    return this.db
      .selectFrom('box_grants')
      .selectAll()
      .where('site_no', '=', siteNo)
      .where('state', '=', 'active')
      .orderBy('box_no')
      .limit(1000)
      .execute();
  }

  /** Grants a user gave (as holder) or received (as grantee), newest first. */
  listFor(userId: string, role: 'holder' | 'grantee'): Promise<GrantRow[]> {
    return this.db
      .selectFrom('box_grants')
      .selectAll()
      .where(role === 'holder' ? 'holder_id' : 'grantee_id', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
  }

  due(now: string, limit = 200): Promise<GrantRow[]> {
    return this.db
      .selectFrom('box_grants')
      .selectAll()
      .where('state', '=', 'active')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
  }

  async move(trx: Executor, id: string, to: Exclude<GrantState, 'active'>): Promise<boolean> {
    const res = await trx
      .updateTable('box_grants')
      .set({ state: to, closed_at: nowIso() })
      .where('id', '=', id)
      .where('state', '=', 'active')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async liveGrants(cabinetId: string, now: string): Promise<GrantDoc[]> {
    const rows = await this.db
      .selectFrom('box_grants as g')
      .innerJoin('users as grantee', 'grantee.id', 'g.grantee_id')
      .leftJoin('users as holder', 'holder.id', 'g.holder_id')
      .selectAll('g')
      .select(['grantee.tel as grantee_tel', 'holder.tel as holder_tel'])
      .where('g.site_no', '=', cabinetId)
      .where('g.state', '=', 'active')
      .where('g.expires_at', '>', now)
      .orderBy('g.id')
      .execute();
    return rows.flatMap((r) => (r.grantee_tel ? [toGrantDoc(r, r.grantee_tel, r.holder_tel)] : []));
  }
}

export function toGrantDoc(row: GrantRow, userNo: string, holderNo: string | null | undefined): GrantDoc {
  return {
    grantId: row.id,
    kind: row.kind,
    boxNo: row.box_no,
    userNo,
    ...(holderNo ? { holderNo } : {}),
    ...(row.authorizer_no ? { authorizerId: row.authorizer_no } : {}),
    access: AccessVerifier.parse(JSON.parse(row.verifier)),
    expiresAt: row.expires_at,
  };
}

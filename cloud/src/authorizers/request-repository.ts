import { LockerError } from '@locker/protocol';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuthorizationRequestState, AuthorizationRequestsTable } from '../db/schema.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

export type RequestRow = Selectable<AuthorizationRequestsTable>;
export const OPEN_STATES: AuthorizationRequestState[] = ['requested', 'sent'];

/** Holders' third-party requests (method 2); the only code that writes the table. */
export class RequestRepository {
  constructor(readonly db: Db) {}

  /** One open request per box is a unique index: a second one fails here even under a race. */
  async insert(trx: Executor, row: RequestRow): Promise<void> {
    try {
      await trx.insertInto('authorization_requests').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new LockerError(
          'AUTHORIZATION_REQUEST_OPEN',
          `box ${row.box_no} at ${row.site_no} already has an open request to an authorizer`,
        );
      }
      throw err;
    }
  }

  find(id: string, db: Executor = this.db): Promise<RequestRow | undefined> {
    return db.selectFrom('authorization_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(id: string, db: Executor = this.db): Promise<RequestRow> {
    const row = await this.find(id, db);
    if (!row) throw new LockerError('AUTHORIZATION_REQUEST_NOT_FOUND', `no request ${id}`);
    return row;
  }

  listFor(holderId: string): Promise<RequestRow[]> {
    return this.db
      .selectFrom('authorization_requests')
      .selectAll()
      .where('holder_id', '=', holderId)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
  }

  /** `requested` -> `sent`: the authorizer took the request and will call back. */
  async markSent(id: string, at: string): Promise<boolean> {
    const res = await this.db
      .updateTable('authorization_requests')
      .set({ state: 'sent', updated_at: at })
      .where('id', '=', id)
      .where('state', '=', 'requested')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Closes an open request; false when it was closed already (answered twice, a race). */
  async close(
    trx: Executor,
    id: string,
    to: { state: 'granted'; granteeId: string; grantId: string } | { state: 'failed'; code: string },
    at: string,
  ): Promise<boolean> {
    const res = await trx
      .updateTable('authorization_requests')
      .set(
        to.state === 'granted'
          ? {
              state: 'granted',
              grantee_id: to.granteeId,
              grant_id: to.grantId,
              open_box: null,
              updated_at: at,
            }
          : { state: 'failed', failure_code: to.code, open_box: null, updated_at: at },
      )
      .where('id', '=', id)
      .where('state', 'in', OPEN_STATES)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Open requests past their expiry, for the sweep. */
  due(now: string, limit = 200): Promise<RequestRow[]> {
    return this.db
      .selectFrom('authorization_requests')
      .selectAll()
      .where('state', 'in', OPEN_STATES)
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
  }
}

import { LockerError } from '@locker/protocol';
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { AuthorizersTable } from '../db/schema.js';
import { isUniqueViolation } from '../db/unique-violation.js';

export type AuthorizerRow = Selectable<AuthorizersTable>;

/** The authorizers table (the patent's authorizer records); the only code that writes it. */
export class AuthorizerRepository {
  constructor(private readonly db: Db) {}

  async insert(row: AuthorizerRow): Promise<void> {
    try {
      await this.db.insertInto('authorizers').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new LockerError('AUTHORIZER_NUMBER_TAKEN', `authorizer ${row.no} exists already`);
      throw err;
    }
  }

  find(no: string): Promise<AuthorizerRow | undefined> {
    return this.db.selectFrom('authorizers').selectAll().where('no', '=', no).executeTakeFirst();
  }

  async get(no: string): Promise<AuthorizerRow> {
    const row = await this.find(no);
    if (!row) throw new LockerError('AUTHORIZER_NOT_FOUND', `no authorizer ${no}`);
    return row;
  }

  list(status?: AuthorizerRow['status']): Promise<AuthorizerRow[]> {
    let q = this.db.selectFrom('authorizers').selectAll();
    if (status) q = q.where('status', '=', status);
    return q.orderBy('no').limit(1000).execute();
  }

  async update(
    no: string,
    patch: Partial<
      Pick<
        AuthorizerRow,
        'name' | 'status' | 'url' | 'secret_sealed' | 'previous_secret_sealed' | 'previous_until'
      >
    >,
    at: string,
  ): Promise<AuthorizerRow> {
    const res = await this.db
      .updateTable('authorizers')
      .set({ ...patch, updated_at: at })
      .where('no', '=', no)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1)
      throw new LockerError('AUTHORIZER_NOT_FOUND', `no authorizer ${no}`);
    return this.get(no);
  }
}

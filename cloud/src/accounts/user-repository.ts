import { LockerError } from '@locker/protocol';
import type { Selectable } from 'kysely';
import { type Db, nowIso } from '../db/database.js';
import type { UsersTable, VerifyStatus } from '../db/schema.js';

export type UserRow = Selectable<UsersTable>;

export interface NewUser {
  id: string;
  name: string;
  tel: string | null;
  email: string | null;
  passwordHash: string;
  pashSealed: string;
}

export interface IdentityUpdate {
  realName: string;
  prcIdSealed: string;
  address: string;
}

/** Unique-constraint violations look different on SQLite and PostgreSQL; both name the column. */
function uniqueViolation(err: unknown): 'name' | 'tel' | 'other' | undefined {
  const e = err as { code?: string; message?: string; detail?: string };
  const text = `${e.message ?? ''} ${e.detail ?? ''}`;
  if (e.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e.code !== '23505' && !/UNIQUE constraint/.test(text)) {
    return undefined;
  }
  if (/\bname\b|users_name/.test(text)) return 'name';
  if (/\btel\b|users_tel/.test(text)) return 'tel';
  return 'other';
}

function rethrowUnique(err: unknown): never {
  const which = uniqueViolation(err);
  if (which === 'name') throw new LockerError('NAME_TAKEN', 'that user name is taken');
  if (which === 'tel') throw new LockerError('TEL_TAKEN', 'that phone number belongs to another account');
  throw err;
}

/** The users table; the only code that writes it. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  async create(user: NewUser): Promise<void> {
    const now = nowIso();
    try {
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          name: user.name,
          tel: user.tel,
          email: user.email,
          password_hash: user.passwordHash,
          pash_sealed: user.pashSealed,
          real_name: null,
          prc_id_sealed: null,
          address: null,
          verify_note: null,
          verify_submitted_at: null,
          verify_decided_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    } catch (err) {
      rethrowUnique(err);
    }
  }

  async find(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(id: string): Promise<UserRow> {
    const row = await this.find(id);
    if (!row) throw new LockerError('USER_NOT_FOUND', `no user ${id}`);
    return row;
  }

  async findBy(field: 'id' | 'tel' | 'name', value: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where(field, '=', value).executeTakeFirst();
  }

  async updateContact(id: string, fields: { name?: string; tel?: string | null; email?: string | null }) {
    try {
      await this.db
        .updateTable('users')
        .set({ ...fields, updated_at: nowIso() })
        .where('id', '=', id)
        .execute();
    } catch (err) {
      rethrowUnique(err);
    }
  }

  async updateCredentials(id: string, passwordHash: string, pashSealed: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, pash_sealed: pashSealed, updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
  }

  /** Stores submitted identity data and puts the account in the pending state. */
  async submitIdentity(id: string, identity: IdentityUpdate): Promise<void> {
    const now = nowIso();
    await this.db
      .updateTable('users')
      .set({
        real_name: identity.realName,
        prc_id_sealed: identity.prcIdSealed,
        address: identity.address,
        verify_status: 'pending',
        verify_note: null,
        verify_submitted_at: now,
        verify_decided_at: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Moves pending -> passed/rejected; false when the account was not pending (someone decided first). */
  async decide(id: string, status: 'passed' | 'rejected', note: string | null): Promise<boolean> {
    const now = nowIso();
    const result = await this.db
      .updateTable('users')
      .set({ verify_status: status, verify_note: note, verify_decided_at: now, updated_at: now })
      .where('id', '=', id)
      .where('verify_status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listByStatus(status: VerifyStatus, limit = 100): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('verify_status', '=', status)
      .orderBy('verify_submitted_at')
      .limit(limit)
      .execute();
  }
}

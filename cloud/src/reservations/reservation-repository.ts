import { AccessVerifier, type GrantDoc, LockerError } from '@locker/protocol';
import type { Selectable } from 'kysely';
import { type Db, nowIso } from '../db/database.js';
import type { ReservationState, ReservationsTable } from '../db/schema.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type { GrantSource } from '../fleet/desired/grant-source.js';

export type ReservationRow = Selectable<ReservationsTable>;

/** States in which the reservation's right is still out (with the reserver, or handed on). */
export const OPEN_STATES: ReservationState[] = ['active', 'handed_on'];

/** The reservations table; the only code that writes it. Also the cabinet's reservation grants. */
export class ReservationRepository implements GrantSource {
  constructor(private readonly db: Db) {}

  async insert(trx: Executor, row: ReservationRow): Promise<void> {
    await trx.insertInto('reservations').values(row).execute();
  }

  find(id: string, db: Executor = this.db): Promise<ReservationRow | undefined> {
    return db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(id: string, db: Executor = this.db): Promise<ReservationRow> {
    const row = await this.find(id, db);
    if (!row) throw new LockerError('RESERVATION_NOT_FOUND', `no reservation ${id}`);
    return row;
  }

  /** The open reservation of a box, if any (at most one: the box is claimed while it is open). */
  openForBox(siteNo: string, boxNo: string, db: Executor = this.db): Promise<ReservationRow | undefined> {
    return db
      .selectFrom('reservations')
      .selectAll()
      .where('site_no', '=', siteNo)
      .where('box_no', '=', boxNo)
      .where('state', 'in', OPEN_STATES)
      .executeTakeFirst();
  }

  listOf(userId: string, states: ReservationState[] = OPEN_STATES): Promise<ReservationRow[]> {
    return this.db
      .selectFrom('reservations')
      .selectAll()
      .where('user_id', '=', userId)
      .where('state', 'in', states)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute();
  }

  openAt(siteNo: string): Promise<ReservationRow[]> {
    return this.db
      .selectFrom('reservations')
      .selectAll()
      .where('site_no', '=', siteNo)
      .where('state', 'in', OPEN_STATES)
      .orderBy('box_no')
      .limit(1000)
      .execute();
  }

  /** Open reservations whose window has ended, oldest first. */
  due(now: string, limit = 200): Promise<ReservationRow[]> {
    return this.db
      .selectFrom('reservations')
      .selectAll()
      .where('state', 'in', OPEN_STATES)
      .where('ends_at', '<=', now)
      .orderBy('ends_at')
      .limit(limit)
      .execute();
  }

  /** Moves a reservation on, only from one of `from`; answers whether it moved. */
  async move(trx: Executor, id: string, from: ReservationState[], to: ReservationState): Promise<boolean> {
    const closing = to !== 'active' && to !== 'handed_on';
    const res = await trx
      .updateTable('reservations')
      .set({ state: to, closed_at: closing ? nowIso() : null })
      .where('id', '=', id)
      .where('state', 'in', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** The reserver's own deposit right, as the cabinet holds it. */
  async grantDoc(row: ReservationRow, db: Executor = this.db): Promise<GrantDoc | undefined> {
    const user = await db.selectFrom('users').select('tel').where('id', '=', row.user_id).executeTakeFirst();
    return user?.tel ? toGrantDoc(row, user.tel) : undefined;
  }

  /** Reservations still with their reserver (a handed-on one is replaced by its authorization). */
  async liveGrants(cabinetId: string, now: string): Promise<GrantDoc[]> {
    const rows = await this.db
      .selectFrom('reservations')
      .innerJoin('users', 'users.id', 'reservations.user_id')
      .selectAll('reservations')
      .select('users.tel')
      .where('reservations.site_no', '=', cabinetId)
      .where('reservations.state', '=', 'active')
      .where('reservations.ends_at', '>', now)
      .orderBy('reservations.id')
      .execute();
    return rows.flatMap((r) => (r.tel ? [toGrantDoc(r, r.tel)] : []));
  }
}

export function toGrantDoc(row: ReservationRow, userNo: string): GrantDoc {
  return {
    grantId: row.id,
    kind: 'deposit',
    boxNo: row.box_no,
    userNo,
    access: AccessVerifier.parse(JSON.parse(row.verifier)),
    expiresAt: row.ends_at,
  };
}

import { randomBytes } from 'node:crypto';
import { LockerError } from '@locker/protocol';
import type { Db } from '../db/database.js';
import type { ParcelState, ParcelsTable } from '../db/schema.js';

export type ParcelRow = ParcelsTable;

/** States in which the parcel is in a box and its code still opens it. */
export const IN_BOX: readonly ParcelState[] = ['deposited', 'notified'];

export const newParcelId = (at = new Date()): string =>
  `PC${at.getTime().toString(36)}${randomBytes(8).toString('hex')}`;

const isUnique = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string };
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === '23505' || /UNIQUE constraint/.test(e.message ?? '')
  );
};

export interface NewParcel {
  state: ParcelState;
  waybill: string | null;
  size: string | null;
  recipientUserId: string | null;
  recipientTel: string | null;
  announcedBy: string | null;
}

export interface Deposit {
  cabinetId: string;
  boxNo: string;
  cabinetParcelId: string;
  depositor: string | null;
  size: string | null;
  sealedCode: string | null;
  expiresAt: string | null;
  at: string;
}

export interface ParcelFilter {
  state?: ParcelState | undefined;
  cabinetId?: string | undefined;
  limit: number;
}

/** The parcels table; the only code that writes it. Every move is conditional on the state it leaves. */
export class ParcelRepository {
  constructor(private readonly db: Db) {}

  async create(p: NewParcel, extra: Partial<ParcelRow> = {}): Promise<ParcelRow> {
    const now = new Date().toISOString();
    const row: ParcelRow = {
      id: newParcelId(),
      state: p.state,
      waybill: p.waybill,
      size: p.size,
      recipient_user_id: p.recipientUserId,
      recipient_tel: p.recipientTel,
      announced_by: p.announcedBy,
      cabinet_id: null,
      box_no: null,
      cabinet_parcel_id: null,
      depositor: null,
      sealed_code: null,
      expires_at: null,
      created_at: now,
      updated_at: now,
      deposited_at: null,
      notified_at: null,
      reminded_at: null,
      picked_up_at: null,
      expired_at: null,
      recollected_at: null,
      ...extra,
    };
    try {
      await this.db.insertInto('parcels').values(row).execute();
    } catch (err) {
      if (isUnique(err) && row.waybill) {
        throw new LockerError('WAYBILL_TAKEN', `waybill ${row.waybill} is already announced`);
      }
      throw err;
    }
    return row;
  }

  async get(id: string): Promise<ParcelRow> {
    const row = await this.db.selectFrom('parcels').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new LockerError('PARCEL_NOT_FOUND', `no parcel ${id}`);
    return row;
  }

  async byCabinetParcel(cabinetId: string, cabinetParcelId: string): Promise<ParcelRow | undefined> {
    return this.db
      .selectFrom('parcels')
      .selectAll()
      .where('cabinet_id', '=', cabinetId)
      .where('cabinet_parcel_id', '=', cabinetParcelId)
      .executeTakeFirst();
  }

  async byWaybill(waybill: string): Promise<ParcelRow | undefined> {
    return this.db.selectFrom('parcels').selectAll().where('waybill', '=', waybill).executeTakeFirst();
  }

  /** Links an announced parcel to its deposit; false when it was no longer announced. */
  async linkDeposit(id: string, d: Deposit): Promise<boolean> {
    const r = await this.db
      .updateTable('parcels')
      .set({ state: 'deposited', ...depositColumns(d) })
      .where('id', '=', id)
      .where('state', '=', 'announced')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Names the account of a recipient known only by phone (it may have registered after the announcement). */
  async setRecipientUser(id: string, userId: string): Promise<void> {
    await this.db
      .updateTable('parcels')
      .set({ recipient_user_id: userId })
      .where('id', '=', id)
      .where('recipient_user_id', 'is', null)
      .execute();
  }

  /**
   * A deposit nobody announced. Returns undefined when the same cabinet parcel is already recorded
   * (a redelivered event, or two processes racing): the unique index decides.
   */
  async createDeposited(p: NewParcel, d: Deposit): Promise<ParcelRow | undefined> {
    try {
      return await this.create(p, { ...depositColumns(d), created_at: d.at });
    } catch (err) {
      if (isUnique(err) && (await this.byCabinetParcel(d.cabinetId, d.cabinetParcelId))) return undefined;
      throw err;
    }
  }

  /** Moves a parcel from one of `from` to `to`, stamping `column`; false when it was in none of them. */
  async move(
    id: string,
    from: readonly ParcelState[],
    to: ParcelState,
    column: 'notified_at' | 'picked_up_at' | 'expired_at' | 'recollected_at',
    at: string,
  ): Promise<boolean> {
    // A code that no longer opens anything is not kept, even sealed.
    const clear = to === 'notified' ? {} : { sealed_code: null };
    const r = await this.db
      .updateTable('parcels')
      .set({ state: to, [column]: at, updated_at: at, ...clear })
      .where('id', '=', id)
      .where('state', 'in', [...from])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Claims a parcel's one reminder; false when it was already reminded or left the box. */
  async claimReminder(id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('parcels')
      .set({ reminded_at: at, updated_at: at })
      .where('id', '=', id)
      .where('reminded_at', 'is', null)
      .where('state', 'in', [...IN_BOX])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Parcels in a box whose expiry is at or before `before` (reminders with `unreminded`, expiry without). */
  async inBoxExpiringBy(before: string, opts: { unreminded: boolean; limit: number }): Promise<ParcelRow[]> {
    let q = this.db
      .selectFrom('parcels')
      .selectAll()
      .where('state', 'in', [...IN_BOX])
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', before);
    if (opts.unreminded) q = q.where('reminded_at', 'is', null);
    return q.orderBy('expires_at').limit(opts.limit).execute();
  }

  /** The recipient's parcels: addressed to their user id, or to their phone number. */
  async forRecipient(userId: string, tel: string | null, limit: number): Promise<ParcelRow[]> {
    return this.db
      .selectFrom('parcels')
      .selectAll()
      .where((eb) =>
        tel
          ? eb.or([eb('recipient_user_id', '=', userId), eb('recipient_tel', '=', tel)])
          : eb('recipient_user_id', '=', userId),
      )
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  async announcedBy(userId: string, limit: number): Promise<ParcelRow[]> {
    return this.db
      .selectFrom('parcels')
      .selectAll()
      .where('announced_by', '=', userId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  async list(filter: ParcelFilter): Promise<ParcelRow[]> {
    let q = this.db.selectFrom('parcels').selectAll();
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.cabinetId) q = q.where('cabinet_id', '=', filter.cabinetId);
    return q.orderBy('created_at', 'desc').limit(filter.limit).execute();
  }
}

function depositColumns(d: Deposit) {
  return {
    cabinet_id: d.cabinetId,
    box_no: d.boxNo,
    cabinet_parcel_id: d.cabinetParcelId,
    depositor: d.depositor,
    sealed_code: d.sealedCode,
    expires_at: d.expiresAt,
    deposited_at: d.at,
    updated_at: d.at,
    ...(d.size ? { size: d.size } : {}),
  };
}

import { LockerError } from '@locker/protocol';
import type { Db } from '../db/database.js';
import { nowIso } from '../db/database.js';

export interface AddressFields {
  addr: string;
  zip: string;
  province?: string | null | undefined;
  city?: string | null | undefined;
  district?: string | null | undefined;
  township?: string | null | undefined;
  village?: string | null | undefined;
}

export interface DeliveryAddress {
  id: string;
  addr: string;
  zip: string;
  province: string | null;
  city: string | null;
  district: string | null;
  township: string | null;
  village: string | null;
  updatedAt: string;
}

const columns = (f: AddressFields) => ({
  addr: f.addr,
  zip: f.zip,
  province: f.province ?? null,
  city: f.city ?? null,
  district: f.district ?? null,
  township: f.township ?? null,
  village: f.village ?? null,
});

/** Delivery addresses; every statement is scoped by owner so one user never touches another's. */
export class AddressRepository {
  constructor(private readonly db: Db) {}

  async add(userId: string, id: string, fields: AddressFields): Promise<void> {
    const now = nowIso();
    await this.db
      .insertInto('delivery_addresses')
      .values({ id, user_id: userId, ...columns(fields), created_at: now, updated_at: now })
      .execute();
  }

  async change(userId: string, id: string, fields: AddressFields): Promise<void> {
    const r = await this.db
      .updateTable('delivery_addresses')
      .set({ ...columns(fields), updated_at: nowIso() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1)
      throw new LockerError('ADDRESS_NOT_FOUND', `no address ${id} of yours`);
  }

  async remove(userId: string, id: string): Promise<void> {
    const r = await this.db
      .deleteFrom('delivery_addresses')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1)
      throw new LockerError('ADDRESS_NOT_FOUND', `no address ${id} of yours`);
  }

  async list(userId: string): Promise<DeliveryAddress[]> {
    const rows = await this.db
      .selectFrom('delivery_addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      addr: r.addr,
      zip: r.zip,
      province: r.province,
      city: r.city,
      district: r.district,
      township: r.township,
      village: r.village,
      updatedAt: r.updated_at,
    }));
  }
}

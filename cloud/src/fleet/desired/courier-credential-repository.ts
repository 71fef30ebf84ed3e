import type { CourierCredentialDoc } from '@locker/protocol';
import { type Db, nowIso } from '../../db/database.js';
import type { Executor } from './desired-version-repository.js';

/** Courier credentials a cabinet holds (PINs as scrypt verifiers only). */
export class CourierCredentialRepository {
  constructor(private readonly db: Db) {}

  async put(trx: Executor, cabinetId: string, doc: CourierCredentialDoc): Promise<void> {
    const values = { doc: JSON.stringify(doc), updated_at: nowIso() };
    await trx
      .insertInto('desired_couriers')
      .values({ cabinet_id: cabinetId, courier_id: doc.courierId, ...values })
      .onConflict((oc) => oc.columns(['cabinet_id', 'courier_id']).doUpdateSet(values))
      .execute();
  }

  async remove(trx: Executor, cabinetId: string, courierId: string): Promise<void> {
    await trx
      .deleteFrom('desired_couriers')
      .where('cabinet_id', '=', cabinetId)
      .where('courier_id', '=', courierId)
      .execute();
  }

  async list(cabinetId: string): Promise<CourierCredentialDoc[]> {
    const rows = await this.db
      .selectFrom('desired_couriers')
      .select('doc')
      .where('cabinet_id', '=', cabinetId)
      .orderBy('courier_id')
      .execute();
    return rows.map((r) => JSON.parse(r.doc) as CourierCredentialDoc);
  }
}

import type { BoxSettingDoc } from '@locker/protocol';
import { type Db, nowIso } from '../../db/database.js';
import type { Executor } from './desired-version-repository.js';

/** Per-box settings the cabinet follows (out of service). */
export class BoxSettingRepository {
  constructor(private readonly db: Db) {}

  async put(trx: Executor, cabinetId: string, setting: BoxSettingDoc): Promise<void> {
    const values = { out_of_service: setting.outOfService ? 1 : 0, updated_at: nowIso() };
    await trx
      .insertInto('desired_box_settings')
      .values({ cabinet_id: cabinetId, box_no: setting.boxNo, ...values })
      .onConflict((oc) => oc.columns(['cabinet_id', 'box_no']).doUpdateSet(values))
      .execute();
  }

  async list(cabinetId: string): Promise<BoxSettingDoc[]> {
    const rows = await this.db
      .selectFrom('desired_box_settings')
      .select(['box_no', 'out_of_service'])
      .where('cabinet_id', '=', cabinetId)
      .orderBy('box_no')
      .execute();
    return rows.map((b) => ({ boxNo: b.box_no, outOfService: b.out_of_service === 1 }));
  }
}

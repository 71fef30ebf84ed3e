import {
  type CourierCredentialDoc,
  type DesiredState,
  DesiredState as DesiredStateSchema,
  makeVerifier,
} from '@locker/protocol';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { type Db, nowIso } from '../db/database.js';
import type { CloudDatabase } from '../db/schema.js';
import type { CabinetRepository } from './cabinet-repository.js';

type Tx = Transaction<CloudDatabase>;

export interface DesiredPublisher {
  publishDesired(cabinetId: string, doc: DesiredState): Promise<void>;
}

export interface CourierInput {
  courierId: string;
  pin: string;
  name?: string | undefined;
  company?: string | undefined;
  expiresAt?: string | undefined;
}

export interface DesiredSummary {
  version: number;
  couriers: Array<Omit<CourierCredentialDoc, 'pin'>>;
  boxes: Array<{ boxNo: string; outOfService: boolean }>;
}

/**
 * The cloud's side of desired state (ADR 0002): every change bumps the cabinet's version and is
 * pushed as a delta; a cabinet that asks with an older version gets a snapshot. Secrets leave the
 * cloud only as scrypt verifiers the cabinet can check offline.
 */
export class DesiredStateService {
  constructor(
    private readonly db: Db,
    private readonly cabinets: CabinetRepository,
    private readonly publisher: DesiredPublisher,
    private readonly logger: Logger,
  ) {}

  async putCourier(cabinetId: string, input: CourierInput): Promise<number> {
    await this.cabinets.get(cabinetId);
    const doc: CourierCredentialDoc = {
      courierId: input.courierId,
      ...(input.name ? { name: input.name } : {}),
      ...(input.company ? { company: input.company } : {}),
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
      pin: await makeVerifier(input.pin),
    };
    const version = await this.db.transaction().execute(async (trx) => {
      const v = await this.bump(trx, cabinetId);
      const values = { doc: JSON.stringify(doc), updated_at: nowIso() };
      await trx
        .insertInto('desired_couriers')
        .values({ cabinet_id: cabinetId, courier_id: doc.courierId, ...values })
        .onConflict((oc) => oc.columns(['cabinet_id', 'courier_id']).doUpdateSet(values))
        .execute();
      return v;
    });
    await this.push(cabinetId, { kind: 'delta', version, baseVersion: version - 1, couriers: [doc] });
    return version;
  }

  async removeCourier(cabinetId: string, courierId: string): Promise<number> {
    await this.cabinets.get(cabinetId);
    const version = await this.db.transaction().execute(async (trx) => {
      const v = await this.bump(trx, cabinetId);
      await trx
        .deleteFrom('desired_couriers')
        .where('cabinet_id', '=', cabinetId)
        .where('courier_id', '=', courierId)
        .execute();
      return v;
    });
    await this.push(cabinetId, {
      kind: 'delta',
      version,
      baseVersion: version - 1,
      removeCouriers: [courierId],
    });
    return version;
  }

  async setOutOfService(cabinetId: string, boxNo: string, outOfService: boolean): Promise<number> {
    await this.cabinets.get(cabinetId);
    const version = await this.db.transaction().execute(async (trx) => {
      const v = await this.bump(trx, cabinetId);
      const values = { out_of_service: outOfService ? 1 : 0, updated_at: nowIso() };
      await trx
        .insertInto('desired_box_settings')
        .values({ cabinet_id: cabinetId, box_no: boxNo, ...values })
        .onConflict((oc) => oc.columns(['cabinet_id', 'box_no']).doUpdateSet(values))
        .execute();
      return v;
    });
    await this.push(cabinetId, {
      kind: 'delta',
      version,
      baseVersion: version - 1,
      boxes: [{ boxNo, outOfService }],
    });
    return version;
  }

  /** The whole cabinet out of service or back; the flag lives on the cabinet row (0004). */
  async setCabinetOutOfService(cabinetId: string, outOfService: boolean): Promise<number> {
    await this.cabinets.get(cabinetId);
    const version = await this.db.transaction().execute(async (trx) => {
      const v = await this.bump(trx, cabinetId);
      await trx
        .updateTable('cabinets')
        .set({ out_of_service: outOfService ? 1 : 0 })
        .where('id', '=', cabinetId)
        .execute();
      return v;
    });
    await this.push(cabinetId, {
      kind: 'delta',
      version,
      baseVersion: version - 1,
      cabinet: { outOfService },
    });
    return version;
  }

  /** What an operator may see: everything but the verifiers. */
  async summary(cabinetId: string): Promise<DesiredSummary> {
    await this.cabinets.get(cabinetId);
    const snap = await this.snapshot(cabinetId);
    return {
      version: snap.version,
      couriers: snap.couriers.map(({ pin: _pin, ...rest }) => rest),
      boxes: snap.boxes,
    };
  }

  /**
   * A cabinet asked for changes since `appliedVersion`. Up to date: nothing to send. Behind: a
   * snapshot. Ahead (the cloud's database was restored from a backup): the version jumps past the
   * cabinet's so the snapshot is not ignored as stale.
   */
  async answer(cabinetId: string, appliedVersion: number): Promise<void> {
    if (!(await this.cabinets.find(cabinetId))) return;
    let current = await this.currentVersion(this.db, cabinetId);
    if (appliedVersion === current && current > 0) return;
    if (appliedVersion >= current) {
      current = await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('desired_versions')
          .values({ cabinet_id: cabinetId, version: appliedVersion + 1 })
          .onConflict((oc) => oc.column('cabinet_id').doUpdateSet({ version: appliedVersion + 1 }))
          .execute();
        return appliedVersion + 1;
      });
    }
    const snap = await this.snapshot(cabinetId);
    await this.publisher.publishDesired(cabinetId, { ...snap, version: current });
  }

  private async snapshot(cabinetId: string): Promise<Extract<DesiredState, { kind: 'snapshot' }>> {
    const version = await this.currentVersion(this.db, cabinetId);
    const couriers = await this.db
      .selectFrom('desired_couriers')
      .select('doc')
      .where('cabinet_id', '=', cabinetId)
      .orderBy('courier_id')
      .execute();
    const boxes = await this.db
      .selectFrom('desired_box_settings')
      .select(['box_no', 'out_of_service'])
      .where('cabinet_id', '=', cabinetId)
      .orderBy('box_no')
      .execute();
    const cabinet = await this.cabinets.get(cabinetId);
    return {
      kind: 'snapshot',
      version: Math.max(version, 1),
      issuedAt: nowIso(),
      couriers: couriers.map((r) => JSON.parse(r.doc) as CourierCredentialDoc),
      grants: [],
      boxes: boxes.map((b) => ({ boxNo: b.box_no, outOfService: b.out_of_service === 1 })),
      cabinet: { outOfService: cabinet.outOfService },
    };
  }

  private async currentVersion(db: Db | Tx, cabinetId: string): Promise<number> {
    const row = await db
      .selectFrom('desired_versions')
      .select('version')
      .where('cabinet_id', '=', cabinetId)
      .executeTakeFirst();
    return row ? Number(row.version) : 0;
  }

  private async bump(trx: Tx, cabinetId: string): Promise<number> {
    const next = (await this.currentVersion(trx, cabinetId)) + 1;
    await trx
      .insertInto('desired_versions')
      .values({ cabinet_id: cabinetId, version: next })
      .onConflict((oc) => oc.column('cabinet_id').doUpdateSet({ version: next }))
      .execute();
    return next;
  }

  private async push(cabinetId: string, doc: Record<string, unknown>): Promise<void> {
    const parsed = DesiredStateSchema.parse({ issuedAt: nowIso(), ...doc });
    try {
      await this.publisher.publishDesired(cabinetId, parsed);
    } catch (err) {
      // The cabinet catches up with a snapshot when it next asks; the change is committed.
      this.logger.warn({ cabinetId, reason: (err as Error).message }, 'desired-state delta not sent');
    }
  }
}

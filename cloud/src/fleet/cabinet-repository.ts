import { type BoxState, type CabinetEvent, LockerError } from '@locker/protocol';
import { defaultBoxNumbers } from '../broker/broker-limits.js';
import { type Db, nowIso } from '../db/database.js';
import type { CabinetsTable } from '../db/schema.js';
import type { Executor } from './desired/desired-version-repository.js';

export interface CabinetView {
  id: string;
  name: string;
  status: 'online' | 'offline' | 'unknown';
  statusAt: string | null;
  appliedSeq: number;
  /** Its box numbers: the only box topics its broker account may publish. */
  boxes: string[];
  /** The whole cabinet is out of service (it refuses deposits and pickups). */
  outOfService: boolean;
}

type CabinetRow = Omit<CabinetsTable, 'applied_seq' | 'boxes' | 'out_of_service'> & {
  applied_seq: number;
  boxes: string | null;
  out_of_service: number;
};

/** Cabinets as the cloud knows them: registry, last reported box states, and applied events. */
export class CabinetRepository {
  constructor(
    private readonly db: Db,
    /** Box numbers 01..N of a cabinet registered without a layout (broker.limits.defaultBoxCount). */
    private readonly defaultBoxCount = 32,
  ) {}

  private view(row: CabinetRow): CabinetView {
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      statusAt: row.status_at,
      appliedSeq: Number(row.applied_seq),
      boxes: row.boxes ? (JSON.parse(row.boxes) as string[]) : defaultBoxNumbers(this.defaultBoxCount),
      outOfService: Number(row.out_of_service) === 1,
    };
  }

  /** Registers a cabinet; `boxes` is its layout (default: 01..defaultBoxCount). */
  async create(id: string, name: string, boxes?: string[]): Promise<CabinetView> {
    const existing = await this.find(id);
    if (existing) throw new LockerError('CONFLICT', `cabinet ${id} already exists`);
    await this.db
      .insertInto('cabinets')
      .values({
        id,
        name,
        status: 'unknown',
        status_at: null,
        applied_seq: 0,
        created_at: nowIso(),
        boxes: boxes ? JSON.stringify(uniqueSorted(boxes)) : null,
      })
      .execute();
    return this.get(id);
  }

  /** Replaces a cabinet's box layout. */
  async setBoxes(id: string, boxes: string[]): Promise<CabinetView> {
    await this.get(id);
    await this.db
      .updateTable('cabinets')
      .set({ boxes: JSON.stringify(uniqueSorted(boxes)) })
      .where('id', '=', id)
      .execute();
    return this.get(id);
  }

  async setOutOfService(id: string, outOfService: boolean, db: Executor = this.db): Promise<void> {
    await db
      .updateTable('cabinets')
      .set({ out_of_service: outOfService ? 1 : 0 })
      .where('id', '=', id)
      .execute();
  }

  async find(id: string): Promise<CabinetView | undefined> {
    const row = await this.db.selectFrom('cabinets').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.view(row as CabinetRow);
  }

  async get(id: string): Promise<CabinetView> {
    const c = await this.find(id);
    if (!c) throw new LockerError('CABINET_NOT_FOUND', `no cabinet ${id}`);
    return c;
  }

  async list(): Promise<CabinetView[]> {
    const rows = await this.db.selectFrom('cabinets').selectAll().orderBy('id').execute();
    return rows.map((r) => this.view(r as CabinetRow));
  }

  async setStatus(id: string, status: 'online' | 'offline', at: string): Promise<void> {
    await this.db.updateTable('cabinets').set({ status, status_at: at }).where('id', '=', id).execute();
  }

  async upsertBox(cabinetId: string, box: BoxState): Promise<void> {
    const values = {
      size: box.size ?? null,
      door: box.door,
      lock: box.lock,
      occupancy: box.occupancy,
      usage: box.usage,
      since: box.since,
      updated_at: nowIso(),
    };
    await this.db
      .insertInto('box_states')
      .values({ cabinet_id: cabinetId, box_no: box.boxNo, ...values })
      .onConflict((oc) => oc.columns(['cabinet_id', 'box_no']).doUpdateSet(values))
      .execute();
  }

  async listBoxes(cabinetId: string): Promise<BoxState[]> {
    const rows = await this.db
      .selectFrom('box_states')
      .selectAll()
      .where('cabinet_id', '=', cabinetId)
      .orderBy('box_no')
      .execute();
    return rows.map((r) => ({
      boxNo: r.box_no,
      ...(r.size ? { size: r.size as BoxState['size'] } : {}),
      door: r.door as BoxState['door'],
      lock: r.lock as BoxState['lock'],
      occupancy: r.occupancy as BoxState['occupancy'],
      usage: r.usage as BoxState['usage'],
      since: r.since,
    }));
  }

  /**
   * Records an event once. Returns false for a duplicate (same id): the cabinet re-sends until acked,
   * so duplicates are normal and must change nothing.
   */
  async recordEvent(ev: CabinetEvent): Promise<boolean> {
    const result = await this.db
      .insertInto('cabinet_events')
      .values({
        id: ev.id,
        cabinet_id: ev.cabinetId,
        seq: ev.seq,
        type: ev.type,
        at: ev.at,
        data: JSON.stringify(ev.data),
        received_at: nowIso(),
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    const inserted = Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    if (inserted) await this.advanceAppliedSeq(ev.cabinetId);
    return inserted;
  }

  /** Moves `applied_seq` over every contiguous event now present. */
  private async advanceAppliedSeq(cabinetId: string): Promise<void> {
    const cab = await this.get(cabinetId);
    let seq = cab.appliedSeq;
    for (;;) {
      const next = await this.db
        .selectFrom('cabinet_events')
        .select('seq')
        .where('cabinet_id', '=', cabinetId)
        .where('seq', '=', seq + 1)
        .executeTakeFirst();
      if (!next) break;
      seq += 1;
    }
    if (seq !== cab.appliedSeq) {
      await this.db.updateTable('cabinets').set({ applied_seq: seq }).where('id', '=', cabinetId).execute();
    }
  }

  async listEvents(cabinetId: string, afterSeq = 0, limit = 100): Promise<CabinetEvent[]> {
    const rows = await this.db
      .selectFrom('cabinet_events')
      .selectAll()
      .where('cabinet_id', '=', cabinetId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(
      (r) =>
        ({
          id: r.id,
          seq: Number(r.seq),
          cabinetId: r.cabinet_id,
          type: r.type,
          at: r.at,
          data: JSON.parse(r.data) as unknown,
        }) as CabinetEvent,
    );
  }
}

const uniqueSorted = (boxes: string[]): string[] => [...new Set(boxes)].sort();

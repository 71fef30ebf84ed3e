import { CabinetEvent } from '@locker/protocol';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';

const PARCEL_EVENTS = [
  'parcel.deposited',
  'parcel.picked_up',
  'parcel.expired',
  'parcel.recollected',
] as const;
const CURSOR = 'parcel-events';

export interface ParcelEventSink {
  applyEvent(ev: CabinetEvent): Promise<void>;
}

/**
 * The slow path behind FleetLink's `event`: a cabinet event is stored and acknowledged before the
 * parcel side hears of it, so a crash or a failed handler in between would lose the notification.
 * This pass re-reads stored parcel events in arrival order from a cursor and applies them again;
 * applying is idempotent, so events the live path handled change nothing. It looks only at events
 * older than `settleMs`, leaving fresh ones to the live path.
 */
export class ParcelCatchUp {
  constructor(
    private readonly db: Db,
    private readonly sink: ParcelEventSink,
    private readonly logger: Logger,
    private readonly settleMs = 30_000,
  ) {}

  async pass(now = new Date(), limit = 500): Promise<number> {
    const cursor = await this.db
      .selectFrom('worker_cursors')
      .select('position')
      .where('name', '=', CURSOR)
      .executeTakeFirst();
    const [afterAt = '', afterId = ''] = (cursor?.position ?? '').split('|');
    const settled = new Date(now.getTime() - this.settleMs).toISOString();
    const rows = await this.db
      .selectFrom('cabinet_events')
      .selectAll()
      .where('type', 'in', [...PARCEL_EVENTS])
      .where('received_at', '<=', settled)
      .where((eb) =>
        eb.or([
          eb('received_at', '>', afterAt),
          eb.and([eb('received_at', '=', afterAt), eb('id', '>', afterId)]),
        ]),
      )
      .orderBy('received_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    for (const row of rows) {
      const ev = CabinetEvent.safeParse({
        id: row.id,
        seq: row.seq,
        cabinetId: row.cabinet_id,
        at: row.at,
        type: row.type,
        data: JSON.parse(row.data) as unknown,
      });
      if (ev.success) await this.sink.applyEvent(ev.data);
      else this.logger.warn({ eventId: row.id }, 'stored parcel event no longer parses; skipped');
      await this.save(`${row.received_at}|${row.id}`);
    }
    return rows.length;
  }

  private async save(position: string): Promise<void> {
    const updated_at = new Date().toISOString();
    await this.db
      .insertInto('worker_cursors')
      .values({ name: CURSOR, position, updated_at })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position, updated_at }))
      .execute();
  }
}

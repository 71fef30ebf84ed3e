import { LockerError } from '@locker/protocol';
import type { Selectable } from 'kysely';
import { type Db, nowIso } from '../db/database.js';
import type { SiteBoxesTable, SiteBoxStatus, SitesTable } from '../db/schema.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';

export type SiteRow = Selectable<SitesTable>;
export type BoxRow = Selectable<SiteBoxesTable>;

export interface SiteInput {
  siteNo: string;
  name: string;
  address?: string | undefined;
  location?: { lat: number; lon: number } | undefined;
}

export interface BoxPatch {
  status?: SiteBoxStatus;
  holderId?: string | null;
  depositor?: string | null;
  parcelNo?: string | null;
}

/** Sites and their boxes; the only code that writes `sites` and `site_boxes`. */
export class SiteRepository {
  constructor(readonly db: Db) {}

  async putSite(site: SiteInput): Promise<void> {
    const now = nowIso();
    const values = {
      name: site.name,
      address: site.address ?? null,
      lat: site.location?.lat ?? null,
      lon: site.location?.lon ?? null,
      updated_at: now,
    };
    await this.db
      .insertInto('sites')
      .values({ site_no: site.siteNo, created_at: now, ...values })
      .onConflict((oc) => oc.column('site_no').doUpdateSet(values))
      .execute();
  }

  findSite(siteNo: string): Promise<SiteRow | undefined> {
    return this.db.selectFrom('sites').selectAll().where('site_no', '=', siteNo).executeTakeFirst();
  }

  async getSite(siteNo: string): Promise<SiteRow> {
    const site = await this.findSite(siteNo);
    if (!site) throw new LockerError('SITE_NOT_FOUND', `no site ${siteNo}`);
    return site;
  }

  listSites(): Promise<SiteRow[]> {
    return this.db.selectFrom('sites').selectAll().orderBy('site_no').limit(1000).execute();
  }

  /** Adds boxes (free) or changes their size; holders and contents stay. */
  async putBoxes(siteNo: string, boxes: Array<{ boxNo: string; size: string }>): Promise<void> {
    const now = nowIso();
    for (const b of boxes) {
      await this.db
        .insertInto('site_boxes')
        .values({
          site_no: siteNo,
          box_no: b.boxNo,
          size: b.size,
          status: 'free',
          holder_id: null,
          depositor: null,
          parcel_no: null,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['site_no', 'box_no']).doUpdateSet({ size: b.size, updated_at: now }))
        .execute();
    }
  }

  listBoxes(siteNo: string): Promise<BoxRow[]> {
    return this.db
      .selectFrom('site_boxes')
      .selectAll()
      .where('site_no', '=', siteNo)
      .orderBy('box_no')
      .execute();
  }

  findBox(siteNo: string, boxNo: string, db: Executor = this.db): Promise<BoxRow | undefined> {
    return db
      .selectFrom('site_boxes')
      .selectAll()
      .where('site_no', '=', siteNo)
      .where('box_no', '=', boxNo)
      .executeTakeFirst();
  }

  async getBox(siteNo: string, boxNo: string, db: Executor = this.db): Promise<BoxRow> {
    const box = await this.findBox(siteNo, boxNo, db);
    if (!box) throw new LockerError('BOX_NOT_FOUND', `no box ${boxNo} at site ${siteNo}`);
    return box;
  }

  /** Free boxes of each size at a site (what a reservation could get now). */
  async freeBySize(siteNo: string): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('site_boxes')
      .select(['size', (eb) => eb.fn.countAll<number>().as('n')])
      .where('site_no', '=', siteNo)
      .where('status', '=', 'free')
      .groupBy('size')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.size, Number(r.n)]));
  }

  /** Boxes whose holder (空箱使用人) is the user. */
  heldBy(userId: string): Promise<BoxRow[]> {
    return this.db
      .selectFrom('site_boxes')
      .selectAll()
      .where('holder_id', '=', userId)
      .orderBy('site_no')
      .orderBy('box_no')
      .limit(500)
      .execute();
  }

  /**
   * Takes a free box of the size for a holder. Each candidate is taken with a conditional UPDATE
   * (`status = 'free'`), so two reservations racing for one box cannot both get it, on either dialect.
   */
  async claimFree(
    trx: Executor,
    siteNo: string,
    size: string,
    holderId: string,
  ): Promise<string | undefined> {
    for (let round = 0; round < 3; round++) {
      const candidates = await trx
        .selectFrom('site_boxes')
        .select('box_no')
        .where('site_no', '=', siteNo)
        .where('size', '=', size)
        .where('status', '=', 'free')
        .orderBy('box_no')
        .limit(16)
        .execute();
      if (candidates.length === 0) return undefined;
      // The lowest free box first; after a lost race (parallel reservations on PostgreSQL) the
      // others in a random order, so the losers rarely queue on the same row again.
      const [first, ...rest] = candidates;
      for (const c of first ? [first, ...shuffled(rest)] : []) {
        const res = await trx
          .updateTable('site_boxes')
          .set({ status: 'reserved', holder_id: holderId, updated_at: nowIso() })
          .where('site_no', '=', siteNo)
          .where('box_no', '=', c.box_no)
          .where('status', '=', 'free')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) return c.box_no;
      }
    }
    return undefined;
  }

  /** Changes a box; with `onlyIf`, only while it still has that status (returns whether it changed). */
  async patch(
    db: Executor,
    siteNo: string,
    boxNo: string,
    patch: BoxPatch,
    onlyIf?: { status?: SiteBoxStatus; holderId?: string },
  ): Promise<boolean> {
    let q = db
      .updateTable('site_boxes')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.holderId !== undefined ? { holder_id: patch.holderId } : {}),
        ...(patch.depositor !== undefined ? { depositor: patch.depositor } : {}),
        ...(patch.parcelNo !== undefined ? { parcel_no: patch.parcelNo } : {}),
        updated_at: nowIso(),
      })
      .where('site_no', '=', siteNo)
      .where('box_no', '=', boxNo);
    if (onlyIf?.status) q = q.where('status', '=', onlyIf.status);
    if (onlyIf?.holderId) q = q.where('holder_id', '=', onlyIf.holderId);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

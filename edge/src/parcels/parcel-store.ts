import { randomUUID } from 'node:crypto';
import type { BoxNo, BoxSize, BoxUsage } from '@locker/protocol';
import type { EdgeStore } from '../store/edge-store.js';
import type { Outbox } from '../store/outbox.js';

export interface Parcel {
  parcelId: string;
  boxNo: BoxNo;
  state: 'deposited' | 'picked_up' | 'expired' | 'recollected';
  size: BoxSize | null;
  depositor: string | null;
  /** The depositing courier's company when deposited (null for grant deposits). */
  depositorCompany: string | null;
  grantId: string | null;
  depositedAt: string;
  expiresAt: string;
}

interface ParcelRow {
  parcel_id: string;
  box_no: string;
  state: Parcel['state'];
  size: BoxSize | null;
  depositor: string | null;
  depositor_company: string | null;
  grant_id: string | null;
  deposited_at: string;
  expires_at: string;
}

const toParcel = (r: ParcelRow): Parcel => ({
  parcelId: r.parcel_id,
  boxNo: r.box_no,
  state: r.state,
  size: r.size,
  depositor: r.depositor,
  depositorCompany: r.depositor_company,
  grantId: r.grant_id,
  depositedAt: r.deposited_at,
  expiresAt: r.expires_at,
});

/** Parcels in boxes. Writes run inside the caller's transaction (with the box change and its events). */
export class ParcelStore {
  constructor(
    private readonly store: EdgeStore,
    private readonly outbox: Outbox,
  ) {}

  create(p: {
    boxNo: BoxNo;
    size: BoxSize | null;
    depositor: string | null;
    depositorCompany: string | null;
    grantId: string | null;
    expiresAt: string;
  }): Parcel {
    const parcelId = `P-${randomUUID()}`;
    const now = new Date().toISOString();
    this.store
      .prepare(
        `INSERT INTO parcels (parcel_id, box_no, state, size, depositor, depositor_company, grant_id, deposited_at, expires_at)
         VALUES (?, ?, 'deposited', ?, ?, ?, ?, ?, ?)`,
      )
      .run(parcelId, p.boxNo, p.size, p.depositor, p.depositorCompany, p.grantId, now, p.expiresAt);
    return { parcelId, state: 'deposited', depositedAt: now, ...p };
  }

  get(parcelId: string): Parcel | undefined {
    const row = this.store.prepare('SELECT * FROM parcels WHERE parcel_id = ?').get(parcelId) as
      | ParcelRow
      | undefined;
    return row && toParcel(row);
  }

  /** The parcel still in a box (deposited or expired), if any. */
  inBox(boxNo: BoxNo): Parcel | undefined {
    const row = this.store
      .prepare(
        "SELECT * FROM parcels WHERE box_no = ? AND state IN ('deposited', 'expired') ORDER BY deposited_at DESC",
      )
      .get(boxNo) as ParcelRow | undefined;
    return row && toParcel(row);
  }

  markPickedUp(parcelId: string, at: string): void {
    this.store
      .prepare("UPDATE parcels SET state = 'picked_up', closed_at = ? WHERE parcel_id = ?")
      .run(at, parcelId);
  }

  /**
   * Expired parcels a courier may take back: the ones they deposited, and those of couriers of the same
   * company when their credential names one. Grant deposits (a private person's) never qualify.
   */
  recollectable(courierId: string, company: string | null): Parcel[] {
    const rows = this.store
      .prepare(
        `SELECT * FROM parcels WHERE state = 'expired' AND grant_id IS NULL
         AND (depositor = ? OR (? IS NOT NULL AND depositor_company = ?)) ORDER BY box_no, deposited_at`,
      )
      .all(courierId, company, company) as ParcelRow[];
    return rows.map(toParcel);
  }

  markRecollected(parcelId: string, at: string): void {
    this.store
      .prepare("UPDATE parcels SET state = 'recollected', closed_at = ? WHERE parcel_id = ?")
      .run(at, parcelId);
  }

  /** Marks overdue parcels expired (one event each), in one transaction. */
  expireDue(now = new Date().toISOString()): Parcel[] {
    return this.store.tx(() => {
      const rows = this.store
        .prepare("SELECT * FROM parcels WHERE state = 'deposited' AND expires_at <= ?")
        .all(now) as ParcelRow[];
      for (const r of rows) {
        this.store.prepare("UPDATE parcels SET state = 'expired' WHERE parcel_id = ?").run(r.parcel_id);
        this.outbox.append('parcel.expired', { boxNo: r.box_no, parcelId: r.parcel_id });
      }
      return rows.map(toParcel);
    });
  }

  count(state: Parcel['state']): number {
    return (
      this.store.prepare('SELECT COUNT(*) AS n FROM parcels WHERE state = ?').get(state) as { n: number }
    ).n;
  }
}

/** The usage a box returns to when nothing is going on at it: what is inside and what rights it carries. */
export function restingUsage(store: EdgeStore, boxNo: BoxNo, now = new Date().toISOString()): BoxUsage {
  if (
    store.prepare("SELECT 1 FROM parcels WHERE box_no = ? AND state IN ('deposited', 'expired')").get(boxNo)
  ) {
    return 'occupied';
  }
  if (
    store
      .prepare(
        "SELECT 1 FROM grants WHERE box_no = ? AND kind = 'deposit' AND used_at IS NULL AND expires_at > ?",
      )
      .get(boxNo, now)
  ) {
    return 'reserved';
  }
  return 'free';
}

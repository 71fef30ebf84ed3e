import type { RightsDeps } from '../reservations/rights-deps.js';
import type { GrantRepository } from './grant-repository.js';

/** A box the user may hand on (the patent's step B). */
export interface HeldBox {
  siteNo: string;
  boxNo: string;
  size: string;
  right: 'deposit' | 'pickup';
  until: string | null;
  reservationId: string | null;
  parcelNo: string | null;
}

/** Step B: boxes holding a right of the user that no one else has been granted yet. */
export async function heldBoxes(
  d: RightsDeps,
  grants: GrantRepository,
  userId: string,
  now: string,
): Promise<HeldBox[]> {
  const out: HeldBox[] = [];
  for (const b of await d.sites.heldBy(userId)) {
    if (await grants.activeForBox(b.site_no, b.box_no)) continue;
    if (b.status === 'reserved') {
      const r = await d.reservations.openForBox(b.site_no, b.box_no);
      if (!r || r.user_id !== userId || r.state !== 'active' || r.ends_at <= now) continue;
      out.push({ ...base(b), right: 'deposit', until: r.ends_at, reservationId: r.id, parcelNo: null });
    } else if (b.status === 'occupied') {
      out.push({ ...base(b), right: 'pickup', until: null, reservationId: null, parcelNo: b.parcel_no });
    }
  }
  return out;
}

function base(b: { site_no: string; box_no: string; size: string }) {
  return { siteNo: b.site_no, boxNo: b.box_no, size: b.size };
}

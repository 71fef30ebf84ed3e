import type { BoxStateMachine } from '../boxes/box-state-machine.js';
import { restingUsage } from '../parcels/parcel-store.js';
import type { EdgeStore } from '../store/edge-store.js';

/**
 * The cabinet's own expiry of reservations: a box held `reserved` by a deposit right whose time ran
 * out goes back to `free`, offline too (the cloud's sweep removes the grant when it can reach us).
 * A box someone is using is left alone: only boxes at rest with a closed door change.
 */
export function releaseExpiredReservations(store: EdgeStore, boxes: BoxStateMachine, now: string): number {
  let released = 0;
  for (const box of boxes.list()) {
    if (box.usage !== 'reserved' || box.door === 'open') continue;
    if (restingUsage(store, box.boxNo, now) === 'free') {
      boxes.apply(box.boxNo, { usage: 'free' }, 'reconcile');
      released++;
    }
  }
  return released;
}

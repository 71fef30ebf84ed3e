import { LockerError } from '@locker/protocol';
import type { EdgeStore } from '../store/edge-store.js';

/** Whether an operator took the whole cabinet out of service (desired state, kept across restarts). */
export function cabinetOutOfService(store: EdgeStore): boolean {
  const row = store.db.prepare('SELECT cabinet_out_of_service FROM desired_meta WHERE id = 1').get() as
    | { cabinet_out_of_service: number }
    | undefined;
  return row?.cabinet_out_of_service === 1;
}

/**
 * Called before a new deposit, ahead of any credential check (so no attempt is spent on it).
 * Pickups and recollections go on: a cabinet out of service should empty, not hold parcels hostage.
 */
export function refuseDepositsWhenOutOfService(store: EdgeStore): void {
  if (cabinetOutOfService(store)) {
    throw new LockerError(
      'CABINET_OUT_OF_SERVICE',
      'This cabinet is out of service and takes no parcels right now. Collecting a parcel still works.',
    );
  }
}

import type { GrantDoc, RevokedGrantDoc } from '@locker/protocol';

/**
 * Where the grants of a cabinet's desired state come from: reservations (the reserver's own
 * deposit right) and authorizations (rights handed on). Each source owns its table.
 */
export interface GrantSource {
  liveGrants(cabinetId: string, now: string): Promise<GrantDoc[]>;
}

/** What a change of rights sends to the cabinet as a delta. */
export interface GrantDelta {
  grants: GrantDoc[];
  removeGrants: string[];
  /** Revoked grants whose signed tokens the cabinet must refuse (ADR 0017). */
  revokedGrants?: RevokedGrantDoc[];
}

import { z } from 'zod';
import { BoxNo, IsoTime } from './ids.js';

export const DoorState = z.enum(['open', 'closed', 'unknown']);
export type DoorState = z.infer<typeof DoorState>;

export const LockState = z.enum(['locked', 'unlocked', 'unknown']);
export type LockState = z.infer<typeof LockState>;

export const Occupancy = z.enum(['empty', 'occupied', 'unknown']);
export type Occupancy = z.infer<typeof Occupancy>;

/** What the box is for right now, as the business sees it (independent of the door). */
export const BoxUsage = z.enum(['free', 'reserved', 'occupied', 'out_of_service', 'blocked']);
export type BoxUsage = z.infer<typeof BoxUsage>;

export const BoxSize = z.enum(['small', 'medium', 'large', 'xlarge']);
export type BoxSize = z.infer<typeof BoxSize>;

/** The retained per-box document on `lockers/{cabinetId}/boxes/{boxNo}`. */
export const BoxState = z.object({
  boxNo: BoxNo,
  size: BoxSize.optional(),
  door: DoorState,
  lock: LockState,
  occupancy: Occupancy,
  usage: BoxUsage,
  /** When the state last changed. */
  since: IsoTime,
});
export type BoxState = z.infer<typeof BoxState>;

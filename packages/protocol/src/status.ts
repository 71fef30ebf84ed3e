import { z } from 'zod';
import { IsoTime } from './ids.js';

/** The retained `lockers/{cabinetId}/status` document; the will message sets it `offline`. */
export const CabinetStatus = z.object({
  state: z.enum(['online', 'offline']),
  at: IsoTime,
  /** Why the cabinet went offline: `stopped` (clean stop) or `lost` (will message). */
  reason: z.enum(['started', 'stopped', 'lost']).optional(),
  software: z.string().max(64).optional(),
});
export type CabinetStatus = z.infer<typeof CabinetStatus>;

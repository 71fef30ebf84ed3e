import { BoxNo, CabinetId } from '@locker/protocol';
import { z } from 'zod';
import { UserId } from '../accounts/ids.js';

/** Half the Earth's circumference: no search or task radius needs more. */
export const MAX_RADIUS_M = 20_037_509;
/** 1,000,000 yuan in fen; keeps every amount inside a 32-bit integer column. */
export const MAX_FEN = 100_000_000;

export const Longitude = z.number().min(-180).max(180).describe('longitude ew in degrees, east positive');
export const Latitude = z.number().min(-90).max(90).describe('latitude ns in degrees, north positive');
export const RadiusMetres = z
  .number()
  .positive('radius must be greater than 0')
  .max(MAX_RADIUS_M)
  .describe('radius r in metres, > 0');
export const WeightKg = z.number().positive('weight must be greater than 0').max(1000).describe('kg, > 0');
const Centimetres = z.number().positive('each side must be greater than 0').max(1000);
export const Size = z
  .object({ x: Centimetres, y: Centimetres, z: Centimetres })
  .strict()
  .describe('length, width, height in cm');
export type Size = z.infer<typeof Size>;
export const Fen = z.number().int('fen: a whole number').min(0, 'a price is never negative').max(MAX_FEN);
export const Delta = z.number().int('fen: a whole number').min(-MAX_FEN).max(MAX_FEN);
export const Text = z.string().max(500);
export const Handover = z.enum(['pickup', 'deposit']);

/** What publishing (and FIX) takes, in domain names; both APIs map their fields onto it. */
export const TaskInput = z
  .object({
    ew: Longitude,
    ns: Latitude,
    r: RadiusMetres,
    wei: WeightKg,
    size: Size,
    note: Text.optional(),
    cost: Fen.describe('price in fen, >= 0'),
    intr: Text.optional(),
    linked: UserId.optional().describe('the collector (party B), if already agreed'),
    cabinet: CabinetId.optional().describe('cabinet for the hand-over'),
    box: BoxNo.optional().describe('box for the hand-over'),
    handover: Handover.optional().describe('pickup: the parcel is in the box; deposit: a reserved box'),
  })
  .strict()
  .refine((t) => (t.cabinet === undefined) === (t.box === undefined), {
    message: 'cabinet and box come together',
    path: ['box'],
  });
export type TaskInput = z.infer<typeof TaskInput>;

export const AgentInput = z
  .object({ dd: Text.min(1), ew: Longitude, ns: Latitude, r: RadiusMetres })
  .strict();
export type AgentInput = z.infer<typeof AgentInput>;

export const NearbyQuery = z.object({
  ew: Longitude,
  ns: Latitude,
  r: RadiusMetres,
  offset: z.number().int().min(0).max(100_000).default(0),
  limit: z.number().int().min(1).max(200).default(50),
});
export type NearbyQuery = z.infer<typeof NearbyQuery>;

/** The Dingo size text: `(x,y,z)` in cm, brackets optional, spaces allowed. */
export function parseSizeText(text: string): Size | undefined {
  const m = /^\s*\(?\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)?\s*$/.exec(text);
  if (!m) return undefined;
  const [x, y, z] = [m[1], m[2], m[3]].map((v) => (/^\d+(\.\d+)?$/.test(v ?? '') ? Number(v) : Number.NaN));
  const parsed = Size.safeParse({ x, y, z });
  return parsed.success ? parsed.data : undefined;
}

export const sizeText = (s: Size): string => `(${s.x},${s.y},${s.z})`;

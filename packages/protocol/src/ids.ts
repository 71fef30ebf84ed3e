import { z } from 'zod';

/**
 * A cabinet id doubles as the patent's site number (e.g. `610091A01`) and as an MQTT topic level,
 * so it may not contain `/`, `+`, `#` or whitespace.
 */
export const CabinetId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'cabinet id: letters, digits, _ and -, at most 64');
export type CabinetId = z.infer<typeof CabinetId>;

/** Box numbers are the labels printed on the doors: digits, zero-padded to at least two (`01`). */
export const BoxNo = z.string().regex(/^[0-9]{2,4}$/, 'box number: 2 to 4 digits, e.g. "01"');
export type BoxNo = z.infer<typeof BoxNo>;

/** Formats a door number as its canonical box number (`1` -> `01`). */
export function boxNoOf(n: number): BoxNo {
  return String(n).padStart(2, '0');
}

/** Correlates a command with its response; aedes speaks MQTT 3.1.1, so it lives in the payload. */
export const TransactionId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/);
export type TransactionId = z.infer<typeof TransactionId>;

export const EventId = z.string().uuid();
export type EventId = z.infer<typeof EventId>;

export const IsoTime = z.iso.datetime({ offset: true });
export type IsoTime = z.infer<typeof IsoTime>;

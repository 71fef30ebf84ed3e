import { LockerError } from '@locker/protocol';

/** Haskell's `show` of a UTCTime, the form the 2016 clients echo back: `2016-06-01 12:34:56.789 UTC`. */
const HASKELL_UTC = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))? UTC$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Milliseconds since the epoch of a TIME-STAMP header in either accepted form. */
export function parseTimeStamp(text: string): number {
  const h = HASKELL_UTC.exec(text);
  if (h) {
    const [, y, mo, d, hh, mm, ss, frac = ''] = h;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm), Number(ss));
    return ms + Number(`0.${frac || '0'}`) * 1000;
  }
  if (ISO_8601.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new LockerError(
    'VALIDATION_FAILED',
    'TIME-STAMP must look like "2016-06-01 12:34:56.789 UTC" or ISO 8601 "2016-06-01T12:34:56.789Z"',
  );
}

/** The server time as the 2016 server's `GET /` showed it (trailing zeros of the fraction dropped). */
export function formatHaskellUtc(at: Date): string {
  const iso = at.toISOString(); // 2016-06-01T12:34:56.789Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''} UTC`;
}

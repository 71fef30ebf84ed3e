import { randomBytes, randomInt } from 'node:crypto';

/**
 * An access code a person types at the kiosk with their user number: 8 digits. It leaves the cloud
 * only in the one response (or sealed notification) that shows it; tables hold its scrypt verifier.
 */
export function newAccessCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

/** Ids of rights double as the cabinet's grant ids (`R…` reservation, `G…` authorization). */
export function newRightId(prefix: 'R' | 'G'): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/** `yyyy-mm-dd` of a time, in UTC, as the Dingo ids carry it. */
export function dateStamp(at: Date = new Date()): string {
  return at.toISOString().slice(0, 10);
}

/**
 * `U` + date + 40 hex. The 2016 server hashed the name and the date, so two users registering the
 * same name on one day collided; a random salt in the hash keeps ids unique however many per day.
 */
export function newUserId(name: string, at: Date = new Date()): string {
  const hash = createHash('sha1').update(name).update(randomBytes(16)).digest('hex');
  return `U${dateStamp(at)}${hash}`;
}

/** `A` + date + SHA-256; salted for the same reason (the same text saved twice must get two ids). */
export function newAddressId(userId: string, addr: string, at: Date = new Date()): string {
  const hash = createHash('sha256').update(userId).update(addr).update(randomBytes(16)).digest('hex');
  return `A${dateStamp(at)}${hash}`;
}

export const UserId = z
  .string()
  .regex(/^U\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/, 'user id: U + yyyy-mm-dd + 40 hex')
  .describe('user id, e.g. U2016-06-01 followed by 40 hex digits');
export const AddressId = z
  .string()
  .regex(/^A\d{4}-\d{2}-\d{2}[0-9a-f]{64}$/, 'address id: A + yyyy-mm-dd + 64 hex')
  .describe('address id, e.g. A2016-06-01 followed by 64 hex digits');

import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The Dingo `pash`: SHA-256 hex of the password, what the 2016 clients send at registration. */
export const Pash = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'pash: 64 lower-case hex digits (SHA-256 of the password)');

/** /v1 clients send the password; it becomes the same pash so one account works on both APIs. */
export function pashOf(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

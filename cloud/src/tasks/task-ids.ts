import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { dateStamp } from '../accounts/ids.js';

/**
 * `T` + date + 40 hex (Dingo A.26). The 2016 server hashed uid + date, so a user's second task of a
 * day collided with the first; 16 random bytes in the hash make every id new.
 */
export function newTaskId(publisherId: string, at: Date = new Date()): string {
  const hash = createHash('sha1').update(publisherId).update(randomBytes(16)).digest('hex');
  return `T${dateStamp(at)}${hash}`;
}

/** A collector's status id: the document gives no shape, so it follows the task id with `D`. */
export function newAgentId(userId: string, at: Date = new Date()): string {
  const hash = createHash('sha1').update(userId).update(randomBytes(16)).digest('hex');
  return `D${dateStamp(at)}${hash}`;
}

export const TaskId = z
  .string()
  .regex(/^T\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/, 'task id: T + yyyy-mm-dd + 40 hex')
  .describe('task id, e.g. T2016-06-01 followed by 40 hex digits');
export const AgentId = z
  .string()
  .regex(/^D\d{4}-\d{2}-\d{2}[0-9a-f]{40}$/, 'collector status id: D + yyyy-mm-dd + 40 hex')
  .describe('collector status id, e.g. D2016-06-01 followed by 40 hex digits');

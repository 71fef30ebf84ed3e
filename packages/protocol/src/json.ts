import type { z } from 'zod';
import { describeIssues, LockerError } from './errors.js';

const MAX_PAYLOAD = 256 * 1024;

/**
 * Parses an MQTT payload (bytes) as JSON and validates it. Throws a `PAYLOAD_INVALID` LockerError
 * that says what is wrong, never the raw payload (it may hold secrets).
 */
export function decodePayload<T>(schema: z.ZodType<T>, payload: Uint8Array | string): T {
  const size = typeof payload === 'string' ? payload.length : payload.byteLength;
  if (size > MAX_PAYLOAD) throw new LockerError('PAYLOAD_INVALID', `payload of ${size} bytes is too large`);
  let value: unknown;
  try {
    const text =
      typeof payload === 'string' ? payload : new TextDecoder('utf-8', { fatal: true }).decode(payload);
    value = JSON.parse(text);
  } catch {
    throw new LockerError('PAYLOAD_INVALID', 'payload is not UTF-8 JSON');
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new LockerError('PAYLOAD_INVALID', describeIssues(result.error));
  return result.data;
}

export function encodePayload<T>(schema: z.ZodType<T>, value: T): string {
  return JSON.stringify(schema.parse(value));
}

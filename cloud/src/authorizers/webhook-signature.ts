import { createHmac, timingSafeEqual } from 'node:crypto';
import { LockerError } from '@locker/protocol';

/** The headers of every signed message, both ways (docs/authorizers.md). */
export const SIGNATURE_HEADERS = {
  timestamp: 'x-locker-timestamp',
  signature: 'x-locker-signature',
  authorizer: 'x-locker-authorizer',
  idempotencyKey: 'idempotency-key',
} as const;

/**
 * `v1=` + hex HMAC-SHA256 under the shared secret (its UTF-8 bytes) over `timestamp + "." + body`,
 * the timestamp in Unix seconds as sent in X-Locker-Timestamp and the body byte for byte.
 */
export function signBody(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** The headers to send with a body signed now. */
export function signedHeaders(secret: string, body: string, now = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.signature]: signBody(secret, timestamp, body),
  };
}

export interface SignedParts {
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
}

/**
 * Checks a signed message: the timestamp within ±`windowSeconds` of `now` (TIMESTAMP_OUT_OF_WINDOW),
 * then the signature (SIGNATURE_INVALID), compared in constant time. Answers the signature's hex,
 * which the caller remembers for the window to refuse a replay.
 */
export function verifySignature(secret: string, m: SignedParts, now: Date, windowSeconds: number): string {
  if (!m.timestamp || !/^\d{1,12}$/.test(m.timestamp)) {
    throw new LockerError('SIGNATURE_INVALID', 'X-Locker-Timestamp is missing or not Unix seconds');
  }
  const skew = Math.abs(now.getTime() / 1000 - Number(m.timestamp));
  if (skew > windowSeconds) {
    throw new LockerError('TIMESTAMP_OUT_OF_WINDOW', `timestamp is ${Math.round(skew)} s from server time`);
  }
  const given = /^v1=([0-9a-f]{64})$/.exec(m.signature ?? '')?.[1];
  const expected = signBody(secret, m.timestamp, m.body).slice(3);
  if (!given || !timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(expected, 'hex'))) {
    throw new LockerError('SIGNATURE_INVALID', 'X-Locker-Signature does not match the body');
  }
  return given;
}

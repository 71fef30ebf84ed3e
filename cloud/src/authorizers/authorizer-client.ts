import { SIGNATURE_HEADERS, signedHeaders } from './webhook-signature.js';

export interface AuthorizerResponse {
  status: number;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * One signed POST to an authorizer's service URL, with a timeout. Throws on a network failure or
 * the timeout; any HTTP status is an answer (the worker decides what it means).
 */
export async function postSigned(
  url: string,
  secret: string,
  m: { authorizerNo: string; idempotencyKey: string; body: string },
  timeoutMs: number,
): Promise<AuthorizerResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADERS.authorizer]: m.authorizerNo,
      [SIGNATURE_HEADERS.idempotencyKey]: m.idempotencyKey,
      // Signed now, not at enqueue time: a retry hours later still falls inside the window.
      ...signedHeaders(secret, m.body),
    },
    body: m.body,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  // Bounded: an authorizer's answer is a few hundred bytes.
  const body = (await res.text()).slice(0, 64 * 1024);
  return {
    status: res.status,
    body,
    timestamp: res.headers.get(SIGNATURE_HEADERS.timestamp) ?? undefined,
    signature: res.headers.get(SIGNATURE_HEADERS.signature) ?? undefined,
  };
}

/**
 * Exponential backoff with jitter: about `base * 2^(attempts-1)`, capped at `max`, drawn from its
 * upper half so many failed requests do not retry in step.
 */
export function retryDelayMs(attempts: number, base: number, max: number, random = Math.random): number {
  const full = Math.min(base * 2 ** Math.max(0, attempts - 1), max);
  return Math.round(full / 2 + random() * (full / 2));
}

import { readFileSync } from 'node:fs';
import { LockerError } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../src/authorizers/webhook-signature.js';

/** The test vectors of docs/authorizers.md: if the recipe changes, the doc must change with it. */
const SECRET = 'las_example_secret_do_not_use_in_production';
const TIMESTAMP = '1767225600';
const ANSWER =
  '{"requestId":"Q0123456789abcdef01234567","siteNo":"610091A01","boxNo":"01","grantee":"13466666666","authorizerNo":"0001"}';
const ANSWER_SIGNATURE = 'v1=36ec35f250fcd85df97b4171bfae2ef7e2f61f666449da9eb21e9f7d9931177a';
const REQUEST =
  '{"type":"authorization_request","requestId":"Q0123456789abcdef01234567","authorizerNo":"0001","siteNo":"610091A01","boxNo":"01","size":"large","holder":"13488888888","expiresAt":"2026-01-01T00:30:00.000Z"}';
const REQUEST_SIGNATURE = 'v1=ec2ace7a09aa99b18c30a885616af803e6bf3e57096eee19a3bbe464ebce95a6';
const at = new Date(Number(TIMESTAMP) * 1000);

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof LockerError ? err.code : 'NOT_CODED';
  }
};

describe('the webhook signature recipe', () => {
  it('signs the documented vectors to the documented signatures', () => {
    expect(signBody(SECRET, TIMESTAMP, ANSWER)).toBe(ANSWER_SIGNATURE);
    expect(signBody(SECRET, TIMESTAMP, REQUEST)).toBe(REQUEST_SIGNATURE);
  });

  it('keeps docs/authorizers.md saying exactly these vectors', () => {
    const doc = readFileSync(new URL('../../docs/authorizers.md', import.meta.url), 'utf8');
    for (const text of [SECRET, TIMESTAMP, ANSWER, ANSWER_SIGNATURE, REQUEST, REQUEST_SIGNATURE]) {
      expect(doc).toContain(text);
    }
  });

  it('accepts a vector inside the window and answers its hex for the replay memory', () => {
    const parts = { timestamp: TIMESTAMP, signature: ANSWER_SIGNATURE, body: ANSWER };
    expect(verifySignature(SECRET, parts, at, 300)).toBe(ANSWER_SIGNATURE.slice(3));
    expect(verifySignature(SECRET, parts, new Date(at.getTime() + 300_000), 300)).toHaveLength(64);
  });

  it('refuses a timestamp 301 s away either way as TIMESTAMP_OUT_OF_WINDOW, before looking at the signature', () => {
    for (const skew of [-301_000, 301_000]) {
      const parts = { timestamp: TIMESTAMP, signature: 'v1=00', body: ANSWER };
      expect(codeOf(() => verifySignature(SECRET, parts, new Date(at.getTime() + skew), 300))).toBe(
        'TIMESTAMP_OUT_OF_WINDOW',
      );
    }
  });

  it('refuses another secret, another body, a missing or malformed signature or timestamp as SIGNATURE_INVALID', () => {
    const ok = { timestamp: TIMESTAMP, signature: ANSWER_SIGNATURE, body: ANSWER };
    const cases = [
      () => verifySignature('las_other', ok, at, 300),
      () => verifySignature(SECRET, { ...ok, body: ANSWER.replace('13466666666', '13466666667') }, at, 300),
      () => verifySignature(SECRET, { ...ok, signature: undefined }, at, 300),
      () => verifySignature(SECRET, { ...ok, signature: ANSWER_SIGNATURE.slice(3) }, at, 300),
      () => verifySignature(SECRET, { ...ok, signature: `v2=${ANSWER_SIGNATURE.slice(3)}` }, at, 300),
      () => verifySignature(SECRET, { ...ok, timestamp: undefined }, at, 300),
      () => verifySignature(SECRET, { ...ok, timestamp: '2026-01-01T00:00:00Z' }, at, 300),
    ];
    for (const c of cases) expect(codeOf(c)).toBe('SIGNATURE_INVALID');
  });
});

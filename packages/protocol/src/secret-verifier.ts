import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptVerifier } from './desired.js';

/**
 * How a secret (a courier PIN, a grantee's access code) becomes a verifier the cabinet can check
 * offline without learning the secret, and how it is checked. Both ends must derive it the same
 * way, so it lives with the contract. NFKC makes full-width digits typed on a phone match.
 */
const KEY_LEN = 32;

function derive(secret: string, v: Pick<ScryptVerifier, 'N' | 'r' | 'p' | 'salt'>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      secret.normalize('NFKC'),
      Buffer.from(v.salt, 'base64'),
      KEY_LEN,
      { N: v.N, r: v.r, p: v.p, maxmem: 256 * v.N * v.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** Checks a secret against a verifier, in constant time. */
export async function verifyAgainst(secret: string, v: ScryptVerifier): Promise<boolean> {
  const expected = Buffer.from(v.hash, 'base64');
  if (expected.length !== KEY_LEN) return false;
  const actual = await derive(secret, v);
  return timingSafeEqual(actual, expected);
}

/** Makes the verifier of a secret (the cloud does this before sending credentials to a cabinet). */
export async function makeVerifier(
  secret: string,
  cost: { N?: number; r?: number; p?: number } = {},
): Promise<ScryptVerifier> {
  const base = {
    N: cost.N ?? 16_384,
    r: cost.r ?? 8,
    p: cost.p ?? 1,
    salt: randomBytes(16).toString('base64'),
  };
  const hash = (await derive(secret, base)).toString('base64');
  return { alg: 'scrypt', ...base, hash };
}

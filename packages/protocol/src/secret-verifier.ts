import { createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { AccessVerifier, HmacVerifier, ScryptVerifier } from './desired.js';

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

/** A cabinet access key (ADR 0015): 32 bytes, named by its key id. */
export interface AccessKey {
  kid: string;
  key: Buffer;
}

/** The access keys a cabinet holds, by key id (more than one while a new key is rolled out). */
export type AccessKeyring = ReadonlyMap<string, Buffer>;

/** The outcome of a code check; `key-missing` is a provisioning fault, not a wrong code. */
export type AccessCheck = 'match' | 'mismatch' | 'key-missing';

// The grant id is in the message, so a verifier copied onto another grant does not match.
function accessMac(key: Buffer, grantId: string, code: string): Buffer {
  return createHmac('sha256', key)
    .update(`locker-access v1\0${grantId}\0${code.normalize('NFKC')}`, 'utf8')
    .digest();
}

/** The verifier of a grant's access code under the cabinet's key (the cloud makes it). */
export function makeAccessVerifier(key: AccessKey, grantId: string, code: string): HmacVerifier {
  return { alg: 'hmac-sha256', kid: key.kid, hash: accessMac(key.key, grantId, code).toString('base64') };
}

/** Checks a typed access code against a grant's verifier, in constant time (the cabinet does this). */
export async function checkAccess(
  code: string,
  grantId: string,
  v: AccessVerifier,
  keys: AccessKeyring,
): Promise<AccessCheck> {
  if (v.alg === 'scrypt') return (await verifyAgainst(code, v)) ? 'match' : 'mismatch';
  const key = keys.get(v.kid);
  if (!key) return 'key-missing';
  const expected = Buffer.from(v.hash, 'base64');
  const actual = accessMac(key, grantId, code);
  return expected.length === actual.length && timingSafeEqual(actual, expected) ? 'match' : 'mismatch';
}

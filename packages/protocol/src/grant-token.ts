import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { z } from 'zod';
import { GrantKeyId, UserNo } from './desired.js';
import { BoxNo, CabinetId } from './ids.js';

/**
 * A signed grant token (ADR 0017): what lets a cabinet open a box for a grantee with no network and
 * without having received the grant in desired state. The cloud signs the claims with Ed25519; the
 * cabinet checks them against the public keys it holds from desired state. The text is
 * `LG1.<claims>.<signature>`, both base64url, so it fits a QR code and a scanner can type it.
 * It is a bearer secret: shown to the grantee, never stored or logged in the clear.
 */
export const GRANT_TOKEN_PREFIX = 'LG1';

export const GrantTokenClaims = z
  .object({
    v: z.literal(1),
    kid: GrantKeyId,
    /** The grant id: the cabinet records its use under it, and revocations name it. */
    gid: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
    kind: z.enum(['deposit', 'pickup']),
    site: CabinetId,
    box: BoxNo,
    user: UserNo,
    /** A pickup right names the parcel it is for, so it does not open the box for the next one. */
    parcel: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .optional(),
    /** Unix seconds: not valid before, and expiry. */
    nbf: z.number().int().nonnegative(),
    exp: z.number().int().positive(),
  })
  .strict()
  .refine((c) => c.exp > c.nbf, 'exp must be after nbf');
export type GrantTokenClaims = z.infer<typeof GrantTokenClaims>;

/** The keys a cabinet accepts, by key id; `acceptUntil` (ms) ends a rotated-away key. */
export type GrantKeyring = ReadonlyMap<string, { key: KeyObject; acceptUntil?: number | undefined }>;

export type GrantTokenCheck =
  | { ok: true; claims: GrantTokenClaims }
  | { ok: false; reason: 'malformed' | 'unknown-key' | 'bad-signature' | 'not-yet-valid' | 'expired' };

const SHAPE = /^LG1\.([A-Za-z0-9_-]{20,800})\.([A-Za-z0-9_-]{86})$/;

/** A grant-signing key pair; the private half in PKCS#8 DER, base64 (the cloud seals it at rest). */
export interface GrantKeyPair {
  kid: string;
  publicKey: string;
  privateKeyPkcs8: string;
}

export function generateGrantKey(kid: string): GrantKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    kid: GrantKeyId.parse(kid),
    publicKey: rawPublicKey(publicKey),
    privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

/** The base64url raw 32-byte public key, as desired state carries it. */
export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return jwk.x;
}

export function grantPublicKey(raw: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
}

export function grantPrivateKey(pkcs8Base64: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8Base64, 'base64'), format: 'der', type: 'pkcs8' });
}

/** Signs claims into a token (the cloud does this). */
export function signGrantToken(claims: GrantTokenClaims, privateKey: KeyObject): string {
  const body = `${GRANT_TOKEN_PREFIX}.${Buffer.from(JSON.stringify(GrantTokenClaims.parse(claims))).toString('base64url')}`;
  return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
}

/** Whether a text looks like a grant token at all (the touchscreen routes a scan by it). */
export function isGrantToken(text: string): boolean {
  return SHAPE.test(text);
}

/**
 * Checks a token's form, key, signature and validity window (the cabinet does this). Place,
 * revocation and single use are the cabinet's own checks on the claims returned. `skewSeconds`
 * forgives a cabinet clock a little behind the cloud's at `nbf`, never at `exp`.
 */
export function verifyGrantToken(
  token: string,
  keys: GrantKeyring,
  nowMs: number,
  skewSeconds = 300,
): GrantTokenCheck {
  const m = SHAPE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, payload = '', signature = ''] = m;
  let claims: GrantTokenClaims;
  try {
    const parsed = GrantTokenClaims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const key = keys.get(claims.kid);
  if (!key || (key.acceptUntil !== undefined && key.acceptUntil <= nowMs)) {
    return { ok: false, reason: 'unknown-key' };
  }
  const body = Buffer.from(`${GRANT_TOKEN_PREFIX}.${payload}`);
  if (!verify(null, body, key.key, Buffer.from(signature, 'base64url'))) {
    return { ok: false, reason: 'bad-signature' };
  }
  const now = Math.floor(nowMs / 1000);
  if (claims.nbf > now + skewSeconds) return { ok: false, reason: 'not-yet-valid' };
  if (claims.exp <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { z } from 'zod';
import { LockerError } from './errors.js';

/**
 * A pickup code sealed by the cabinet to the cloud's X25519 public key (ADR 0013): an ephemeral
 * X25519 key agreement, HKDF-SHA256 to an AES-256-GCM key, the cabinet and parcel bound in as
 * associated data. Only the holder of the private key (the cloud's notification service) opens it;
 * an operator reading the event sees ciphertext. Both ends use this one implementation.
 */
export const SealedCode = z
  .object({
    alg: z.literal('x25519-hkdf-sha256-a256gcm'),
    /** base64url of the ephemeral 32-byte X25519 public key */
    epk: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    /** base64url of the 12-byte GCM nonce */
    iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
    /** base64url of the ciphertext and its 16-byte tag */
    ct: z.string().regex(/^[A-Za-z0-9_-]{22,200}$/),
  })
  .strict();
export type SealedCode = z.infer<typeof SealedCode>;

/** What a sealed code holds: the 6-digit code typed at the kiosk and the QR token. */
export const CodeSecret = z
  .object({ pickupCode: z.string().min(1).max(32), pickupToken: z.string().min(1).max(64) })
  .strict();
export type CodeSecret = z.infer<typeof CodeSecret>;

const INFO = Buffer.from('locker sealed pickup code v1');
const RAW_KEY = /^[A-Za-z0-9_-]{43}$/;

/** The associated data: a code sealed for one parcel of one cabinet opens for no other. */
export const sealedCodeContext = (cabinetId: string, parcelId: string): string =>
  `locker-code:${cabinetId}:${parcelId}`;

function publicKeyFrom(raw: string): KeyObject {
  if (!RAW_KEY.test(raw))
    throw new LockerError('CONFIG_INVALID', 'X25519 public key: 43 base64url characters');
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: raw }, format: 'jwk' });
}

/** The cloud's private key from its config (base64url of the raw 32 bytes). */
export function codeKeyFromPrivate(rawPrivate: string): { privateKey: KeyObject; publicKey: string } {
  if (!RAW_KEY.test(rawPrivate)) {
    throw new LockerError('CONFIG_INVALID', 'X25519 private key: 43 base64url characters');
  }
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b656e04220420', 'hex'),
    Buffer.from(rawPrivate, 'base64url'),
  ]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: String(jwk.x) };
}

/** A new key pair, both halves as base64url of the raw 32 bytes (for `locker-cloud code-key`). */
export function newCodeKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return {
    privateKey: String(privateKey.export({ format: 'jwk' }).d),
    publicKey: String(publicKey.export({ format: 'jwk' }).x),
  };
}

function aeadKey(shared: Buffer, epk: string, recipient: string): Buffer {
  const salt = Buffer.concat([Buffer.from(epk, 'base64url'), Buffer.from(recipient, 'base64url')]);
  return Buffer.from(hkdfSync('sha256', shared, salt, INFO, 32));
}

/** Seals a code to the cloud's public key; synchronous so it runs inside the deposit's transaction. */
export function sealCode(secret: CodeSecret, recipientPublicKey: string, context: string): SealedCode {
  const recipient = publicKeyFrom(recipientPublicKey);
  const eph = generateKeyPairSync('x25519');
  const epk = String(eph.publicKey.export({ format: 'jwk' }).x);
  const key = aeadKey(
    diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }),
    epk,
    recipientPublicKey,
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ct = Buffer.concat([cipher.update(JSON.stringify(secret)), cipher.final(), cipher.getAuthTag()]);
  key.fill(0);
  return {
    alg: 'x25519-hkdf-sha256-a256gcm',
    epk,
    iv: iv.toString('base64url'),
    ct: ct.toString('base64url'),
  };
}

/** Opens a sealed code; a wrong key, context or a tampered box throws SEALED_CODE_INVALID. */
export function openSealedCode(
  sealed: SealedCode,
  key: { privateKey: KeyObject; publicKey: string },
  context: string,
): CodeSecret {
  try {
    const shared = diffieHellman({ privateKey: key.privateKey, publicKey: publicKeyFrom(sealed.epk) });
    const aes = aeadKey(shared, sealed.epk, key.publicKey);
    const body = Buffer.from(sealed.ct, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', aes, Buffer.from(sealed.iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(body.subarray(body.length - 16));
    const plain = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
    aes.fill(0);
    return CodeSecret.parse(JSON.parse(plain.toString('utf8')));
  } catch {
    throw new LockerError('SEALED_CODE_INVALID', 'sealed code does not open with this key and parcel');
  }
}

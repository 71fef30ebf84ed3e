import { describe, expect, it } from 'vitest';
import {
  codeKeyFromPrivate,
  newCodeKeyPair,
  openSealedCode,
  SealedCode,
  sealCode,
  sealedCodeContext,
} from '../src/index.js';

const secret = { pickupCode: '123456', pickupToken: 'tok-abcdefghijklmnop' };

describe('sealed pickup codes (ADR 0013)', () => {
  const pair = newCodeKeyPair();
  const key = codeKeyFromPrivate(pair.privateKey);
  const ctx = sealedCodeContext('610091A01', 'P1');

  it('derives the same public key from the private key that the pair reported', () => {
    expect(key.publicKey).toBe(pair.publicKey);
  });

  it('opens with the private key and the same cabinet and parcel', () => {
    const sealed = sealCode(secret, pair.publicKey, ctx);
    expect(SealedCode.parse(sealed)).toEqual(sealed);
    expect(openSealedCode(sealed, key, ctx)).toEqual(secret);
  });

  it('never carries the code or token in the clear', () => {
    const text = JSON.stringify(sealCode(secret, pair.publicKey, ctx));
    expect(text).not.toContain('123456');
    expect(text).not.toContain(secret.pickupToken);
  });

  it('seals the same code differently each time', () => {
    expect(sealCode(secret, pair.publicKey, ctx).ct).not.toBe(sealCode(secret, pair.publicKey, ctx).ct);
  });

  it('refuses another parcel, another key and a tampered box with SEALED_CODE_INVALID', () => {
    const sealed = sealCode(secret, pair.publicKey, ctx);
    const other = codeKeyFromPrivate(newCodeKeyPair().privateKey);
    const flipped = sealed.ct.startsWith('A') ? `B${sealed.ct.slice(1)}` : `A${sealed.ct.slice(1)}`;
    for (const attempt of [
      () => openSealedCode(sealed, key, sealedCodeContext('610091A01', 'P2')),
      () => openSealedCode(sealed, other, ctx),
      () => openSealedCode({ ...sealed, ct: flipped }, key, ctx),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: 'SEALED_CODE_INVALID' }));
    }
  });

  it('refuses a malformed public key with CONFIG_INVALID', () => {
    expect(() => sealCode(secret, 'short', ctx)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

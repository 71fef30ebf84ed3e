import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type GrantKeyring,
  type GrantTokenClaims,
  generateGrantKey,
  grantPrivateKey,
  grantPublicKey,
  isGrantToken,
  rawPublicKey,
  signGrantToken,
  verifyGrantToken,
} from '../src/index.js';

// The published test vector of docs/grant-tokens.md: Ed25519 is deterministic, so these are exact.
const VECTOR = {
  privateKeyPkcs8: 'MC4CAQAwBQYDK2VwBCIEIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g',
  publicKey: 'ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ',
  claims: {
    v: 1,
    kid: 'k2026a',
    gid: 'G00000000000000000000aa01',
    kind: 'deposit',
    site: '610091A01',
    box: '01',
    user: '13466666666',
    nbf: 1796000000,
    exp: 1796007200,
  } satisfies GrantTokenClaims,
  token:
    'LG1.eyJ2IjoxLCJraWQiOiJrMjAyNmEiLCJnaWQiOiJHMDAwMDAwMDAwMDAwMDAwMDAwMDBhYTAxIiwia2luZCI6ImRlcG9zaXQiLCJzaXRlIjoiNjEwMDkxQTAxIiwiYm94IjoiMDEiLCJ1c2VyIjoiMTM0NjY2NjY2NjYiLCJuYmYiOjE3OTYwMDAwMDAsImV4cCI6MTc5NjAwNzIwMH0.HHCGUp5zTN8Nv-Dcs1tg_l0IjEgqbv68G0UhufIlxqXwtrKcHl7aOPmltBqgrZjKsyf9n6Lz2yxTkp1x7Px_DQ',
};

const ring = (publicKey: string, acceptUntil?: number): GrantKeyring =>
  new Map([[VECTOR.claims.kid, { key: grantPublicKey(publicKey), acceptUntil }]]);
const during = (VECTOR.claims.nbf + 60) * 1000;

describe('signed grant tokens', () => {
  it('signs the published vector byte for byte and derives its public key', () => {
    const priv = grantPrivateKey(VECTOR.privateKeyPkcs8);
    expect(rawPublicKey(createPublicKey(priv))).toBe(VECTOR.publicKey);
    expect(signGrantToken(VECTOR.claims, priv)).toBe(VECTOR.token);
  });

  it('verifies the vector inside its window and answers its claims', () => {
    const check = verifyGrantToken(VECTOR.token, ring(VECTOR.publicKey), during);
    expect(check).toEqual({ ok: true, claims: VECTOR.claims });
    expect(isGrantToken(VECTOR.token)).toBe(true);
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [prefix, , sig] = VECTOR.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...VECTOR.claims, box: '02' })).toString('base64url');
    expect(verifyGrantToken(`${prefix}.${forged}.${sig}`, ring(VECTOR.publicKey), during)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('refuses a token signed by another key under the same key id', () => {
    const other = generateGrantKey('k2026a');
    const token = signGrantToken(VECTOR.claims, grantPrivateKey(other.privateKeyPkcs8));
    expect(verifyGrantToken(token, ring(VECTOR.publicKey), during)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(verifyGrantToken(token, ring(other.publicKey), during)).toMatchObject({ ok: true });
  });

  it('refuses an unknown key id and a key past its acceptUntil', () => {
    expect(verifyGrantToken(VECTOR.token, new Map(), during)).toMatchObject({ reason: 'unknown-key' });
    expect(verifyGrantToken(VECTOR.token, ring(VECTOR.publicKey, during), during)).toMatchObject({
      reason: 'unknown-key',
    });
    expect(verifyGrantToken(VECTOR.token, ring(VECTOR.publicKey, during + 1), during)).toMatchObject({
      ok: true,
    });
  });

  it('refuses a token at and after its expiry, and one not yet valid beyond the clock skew', () => {
    const keys = ring(VECTOR.publicKey);
    expect(verifyGrantToken(VECTOR.token, keys, VECTOR.claims.exp * 1000)).toMatchObject({
      reason: 'expired',
    });
    expect(verifyGrantToken(VECTOR.token, keys, (VECTOR.claims.nbf - 299) * 1000)).toMatchObject({
      ok: true,
    });
    expect(verifyGrantToken(VECTOR.token, keys, (VECTOR.claims.nbf - 301) * 1000)).toMatchObject({
      reason: 'not-yet-valid',
    });
  });

  it('answers malformed for text that is not a token, without throwing', () => {
    const keys = ring(VECTOR.publicKey);
    for (const text of ['', '12345678', 'LG1.abc.def', `${VECTOR.token}x`, `LG2${VECTOR.token.slice(3)}`]) {
      expect(verifyGrantToken(text, keys, during)).toEqual({ ok: false, reason: 'malformed' });
    }
    const notJson = `LG1.${Buffer.from('not json at all, not at all').toString('base64url')}.${'A'.repeat(86)}`;
    expect(verifyGrantToken(notJson, keys, during)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses to sign claims that break the schema', () => {
    const priv = grantPrivateKey(VECTOR.privateKeyPkcs8);
    expect(() => signGrantToken({ ...VECTOR.claims, box: 'x' }, priv)).toThrow();
    expect(() => signGrantToken({ ...VECTOR.claims, exp: VECTOR.claims.nbf }, priv)).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { AbuseLimiter } from '../src/accounts/abuse-limiter.js';
import { newAddressId, newUserId } from '../src/accounts/ids.js';
import { parseProfilePhoto } from '../src/accounts/profile-photo.js';
import { ResidentIdNumber } from '../src/accounts/resident-id-number.js';
import { SecretSeal } from '../src/accounts/secret-seal.js';
import { formatHaskellUtc, parseTimeStamp } from '../src/accounts/time-stamp.js';
import { GIF, JPEG, PNG, WEBP } from './accounts-helpers.js';

describe('ResidentIdNumber', () => {
  it('accepts 17 digits with the ISO 7064 MOD 11-2 check character, X only upper-case', () => {
    expect(ResidentIdNumber.isValid('11010519491231002X')).toBe(true);
    expect(ResidentIdNumber.isValid('510107198001010013')).toBe(true);
    expect(ResidentIdNumber.isValid('34052419800101001X')).toBe(true);
    expect(ResidentIdNumber.isValid('11010519491231002x')).toBe(false);
    expect(ResidentIdNumber.isValid('110105194912310021')).toBe(false);
  });

  it('refuses wrong lengths, letters inside and impossible birth dates', () => {
    for (const bad of ['', '11010519491231002', '11010519491231002XX', '1101051949A231002X']) {
      expect(ResidentIdNumber.isValid(bad)).toBe(false);
    }
    expect(ResidentIdNumber.isValid(ResidentIdNumber.withCheck('11010519490230002'))).toBe(false);
    expect(ResidentIdNumber.isValid(ResidentIdNumber.withCheck('11010529990101002'))).toBe(false);
  });
});

describe('TIME-STAMP parsing', () => {
  it('reads Haskell UTCTime text with or without a fraction, and ISO 8601 with any offset', () => {
    expect(parseTimeStamp('2016-06-01 12:34:56.789 UTC')).toBe(Date.parse('2016-06-01T12:34:56.789Z'));
    expect(parseTimeStamp('2016-06-01 12:34:56 UTC')).toBe(Date.parse('2016-06-01T12:34:56Z'));
    expect(parseTimeStamp('2016-06-01 12:34:56.789123456789 UTC')).toBeCloseTo(
      Date.parse('2016-06-01T12:34:56.789Z'),
      0,
    );
    expect(parseTimeStamp('2016-06-01T20:34:56.789+08:00')).toBe(Date.parse('2016-06-01T12:34:56.789Z'));
    expect(() => parseTimeStamp('2016-06-01')).toThrow(/TIME-STAMP/);
  });

  it('shows the server time as Haskell does, dropping trailing zeros', () => {
    expect(formatHaskellUtc(new Date('2016-06-01T12:34:56.780Z'))).toBe('2016-06-01 12:34:56.78 UTC');
    expect(formatHaskellUtc(new Date('2016-06-01T12:34:56.000Z'))).toBe('2016-06-01 12:34:56 UTC');
  });
});

describe('SecretSeal', () => {
  const seal = new SecretSeal(Buffer.alloc(32, 7));
  it('opens what it sealed only for the same owner and the same key', () => {
    const sealed = seal.seal('secret pash', 'U1');
    expect(sealed).not.toContain('secret');
    expect(seal.open(sealed, 'U1')).toBe('secret pash');
    expect(seal.open(sealed, 'U2')).toBeUndefined();
    expect(new SecretSeal(Buffer.alloc(32, 8)).open(sealed, 'U1')).toBeUndefined();
    expect(seal.seal('secret pash', 'U1')).not.toBe(sealed);
    expect(JSON.stringify({ seal })).not.toContain('0707');
  });
});

describe('ids and photos', () => {
  it('makes distinct user and address ids for the same input on the same day', () => {
    const at = new Date('2016-06-01T00:00:00Z');
    expect(newUserId('bob', at)).toMatch(/^U2016-06-01[0-9a-f]{40}$/);
    expect(newUserId('bob', at)).not.toBe(newUserId('bob', at));
    expect(newAddressId('U', 'same', at)).not.toBe(newAddressId('U', 'same', at));
  });

  it('recognises decodable JPEG, PNG, GIF and WebP images and nothing else', async () => {
    expect((await parseProfilePhoto(GIF)).contentType).toBe('image/gif');
    expect((await parseProfilePhoto(WEBP)).contentType).toBe('image/webp');
    expect((await parseProfilePhoto(PNG)).contentType).toBe('image/png');
    expect((await parseProfilePhoto(JPEG)).contentType).toBe('image/jpeg');
    await expect(parseProfilePhoto(Buffer.from('%PDF-1.4'))).rejects.toThrow(/JPEG/);
    await expect(parseProfilePhoto(Buffer.alloc(0))).rejects.toThrow();
  });
});

describe('AbuseLimiter', () => {
  it('counts events in a sliding window and forgets them after it', () => {
    let now = 0;
    const limiter = new AbuseLimiter(
      {
        windowSeconds: 10,
        loginFailuresPerAccount: 2,
        loginAttemptsPerAddress: 2,
        registrationsPerAddress: 2,
        registrationsPerAccount: 2,
      },
      () => now,
    );
    limiter.reserve('k', 2);
    limiter.reserve('k', 2);
    expect(() => limiter.reserve('k', 2)).toThrow(/too many attempts/);
    now = 10_001;
    expect(() => limiter.reserve('k', 2)).not.toThrow();
  });

  it('checks every limit of reserveAll before counting any, so a refusal uses up none', () => {
    const limiter = new AbuseLimiter({
      windowSeconds: 60,
      loginFailuresPerAccount: 1,
      loginAttemptsPerAddress: 1,
      registrationsPerAddress: 1,
      registrationsPerAccount: 1,
    });
    limiter.reserve('full', 1);
    expect(() =>
      limiter.reserveAll([
        ['fresh', 1],
        ['full', 1],
      ]),
    ).toThrow(/too many attempts/);
    expect(() => limiter.reserveAll([['fresh', 1]])).not.toThrow();
    expect(() => limiter.reserve('fresh', 1)).toThrow(/too many attempts/);
  });
});

import { createHash } from 'node:crypto';
import { LockerError } from '@locker/protocol';
import { safeEqual } from '../security/secret-hash.js';
import type { AccountService, ClientContext, LoggedIn, LoginField } from './account-service.js';
import { parseTimeStamp } from './time-stamp.js';
import type { UsedLoginHashes } from './used-login-hashes.js';

/** Dingo §1.4 footnote 4: the prefix names which identifier the client logged in with. */
const PREFIX: Record<LoginField, string> = { id: 'uid', name: 'nnnn', tel: '+86' };

export interface TimestampedLoginRequest {
  field: LoginField;
  value: string;
  /** sha512hex(prefix + pash + timeStamp); §A.2 says SHA-384, so a 96-digit hash is taken as that. */
  hash: string;
  /** The TIME-STAMP header exactly as sent: it is hashed as text, never re-formatted. */
  timeStamp: string;
}

/**
 * The 2016 login: the client proves it knows the pash without sending it, bound to a timestamp.
 * Refuses timestamps outside ±window and any hash that already logged in once.
 */
export class TimestampedLogin {
  constructor(
    private readonly accounts: AccountService,
    private readonly usedHashes: UsedLoginHashes,
    private readonly windowMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async login(req: TimestampedLoginRequest, client: ClientContext): Promise<LoggedIn> {
    if (!/^([0-9a-f]{128}|[0-9a-f]{96})$/.test(req.hash)) {
      throw new LockerError(
        'VALIDATION_FAILED',
        'pash must be 128 (SHA-512) or 96 (SHA-384) lower-case hex digits',
      );
    }
    const sentAt = parseTimeStamp(req.timeStamp);
    const now = this.now();
    if (Math.abs(now.getTime() - sentAt) > this.windowMs) {
      throw new LockerError(
        'TIMESTAMP_OUT_OF_WINDOW',
        `TIME-STAMP is more than ${this.windowMs / 1000} s from server time; fetch GET / and retry`,
      );
    }
    const algorithm = req.hash.length === 128 ? 'sha512' : 'sha384';
    return this.accounts.login(req.field, req.value, client, 'dingo', async (credentials) => {
      const pash = credentials.unsealPash();
      if (!pash) return false;
      const expected = createHash(algorithm)
        .update(PREFIX[req.field] + pash + req.timeStamp, 'utf8')
        .digest('hex');
      if (!safeEqual(expected, req.hash)) return false;
      if (!(await this.usedHashes.claim(req.hash, now))) {
        throw new LockerError('HASH_REPLAYED', 'this login hash was used already; make a new one');
      }
      return true;
    });
  }
}

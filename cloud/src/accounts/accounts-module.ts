import type { CloudConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { AbuseLimiter } from './abuse-limiter.js';
import { AccountService } from './account-service.js';
import { AddressBook } from './address-book.js';
import { AddressRepository } from './address-repository.js';
import { PhotoRepository } from './photo-repository.js';
import { SecretSeal } from './secret-seal.js';
import { SessionTokens } from './session-tokens.js';
import { TimestampedLogin } from './timestamped-login.js';
import { UsedLoginHashes } from './used-login-hashes.js';
import { UserRepository } from './user-repository.js';
import { VerificationService } from './verification-service.js';

/** Everything about accounts that the /v1 and Dingo routes share. Built without I/O. */
export interface Accounts {
  accounts: AccountService;
  sessions: SessionTokens;
  verification: VerificationService;
  addresses: AddressBook;
  timestampedLogin: TimestampedLogin;
  limiter: AbuseLimiter;
}

export function createAccounts(
  db: Db,
  config: CloudConfig,
  notify?: (userId: string, kind: string, payload: unknown) => Promise<unknown>,
): Accounts {
  const seal = SecretSeal.fromConfig(config.secrets.sealKey, config.adminToken);
  const users = new UserRepository(db);
  const sessions = new SessionTokens(db, config.accounts.tokenTtlSeconds);
  const limiter = new AbuseLimiter(config.accounts.limits);
  const accounts = new AccountService(users, sessions, seal, limiter);
  const windowMs = config.dingo.timestampWindowSeconds * 1000;
  return {
    accounts,
    sessions,
    limiter,
    verification: new VerificationService(users, new PhotoRepository(db), seal, notify),
    addresses: new AddressBook(new AddressRepository(db)),
    // A hash is remembered until its timestamp can no longer be inside the window.
    timestampedLogin: new TimestampedLogin(accounts, new UsedLoginHashes(db, 2 * windowMs + 1000), windowMs),
  };
}

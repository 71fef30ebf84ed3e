import { LockerError } from '@locker/protocol';
import { hashSecret, verifySecret } from '../security/secret-hash.js';
import type { AbuseLimiter } from './abuse-limiter.js';
import { newUserId, UserId } from './ids.js';
import { pashOf } from './pash.js';
import type { SecretSeal } from './secret-seal.js';
import type { IssuedToken, Session, SessionTokens } from './session-tokens.js';
import type { UserRepository, UserRow } from './user-repository.js';

/** The limiter key of one account's login attempts, shared by every way to prove its password. */
const accountLimitKey = (account: string) => `login:acct:${account}`;

/** Where a request came from, for the per-address limits. */
export interface ClientContext {
  address: string;
}

export type LoginField = 'id' | 'tel' | 'name';

export interface UserInfo {
  id: string;
  name: string;
  /** Only for the account itself: other users see id and name. */
  tel?: string | null;
  email?: string | null;
}

export interface LoggedIn extends IssuedToken {
  userId: string;
}

/** What a login proof is checked against: the stored scrypt hash, or the unsealed pash (Dingo). */
export interface Credentials {
  matchesPash(pash: string): Promise<boolean>;
  unsealPash(): string | undefined;
}

/**
 * Accounts: registration, login, logout, contact details and passwords, for both APIs.
 * The credential is the SHA-256 `pash` of the password (Dingo sends it, /v1 derives it), stored
 * as scrypt for checking and sealed for the Dingo timestamped login, never plain.
 */
export class AccountService {
  constructor(
    private readonly users: UserRepository,
    private readonly sessions: SessionTokens,
    private readonly seal: SecretSeal,
    private readonly limiter: AbuseLimiter,
  ) {}

  async register(
    input: { name: string; pash: string; tel?: string | undefined; email?: string | undefined },
    client: ClientContext,
  ): Promise<{ id: string; name: string }> {
    const { limits } = this.limiter;
    // Per account too: trying one name or phone number again and again (from many addresses) is
    // how someone probes which of them have accounts, since a taken one answers NAME/TEL_TAKEN.
    this.limiter.reserveAll([
      [`register:addr:${client.address}`, limits.registrationsPerAddress],
      [`register:name:${input.name}`, limits.registrationsPerAccount],
      ...(input.tel === undefined
        ? []
        : [[`register:tel:${input.tel}`, limits.registrationsPerAccount] as const]),
    ]);
    const id = newUserId(input.name);
    await this.users.create({
      id,
      name: input.name,
      tel: input.tel ?? null,
      email: input.email ?? null,
      passwordHash: await hashSecret(input.pash),
      pashSealed: this.seal.seal(input.pash, id),
    });
    return { id, name: input.name };
  }

  /** /v1 login: id, tel or name, plus the password. */
  async loginWithPassword(login: string, password: string, client: ClientContext): Promise<LoggedIn> {
    const field: LoginField = UserId.safeParse(login).success
      ? 'id'
      : /^1\d{10}$/.test(login)
        ? 'tel'
        : 'name';
    return this.login(field, login, client, 'v1', (c) => c.matchesPash(pashOf(password)));
  }

  /**
   * The shared login path: limits first (a correct password during a lockout still waits), then
   * the proof, then a session. The attempt is counted against the account before the slow proof
   * runs, and the count is taken back only by a success: parallel guesses cannot all pass the
   * check while the first ones are still hashing. Unknown accounts and wrong proofs answer alike,
   * so the answer does not reveal which names exist.
   */
  async login(
    field: LoginField,
    value: string,
    client: ClientContext,
    tokenStyle: 'v1' | 'dingo',
    proof: (credentials: Credentials) => Promise<boolean> | boolean,
  ): Promise<LoggedIn> {
    const { limits } = this.limiter;
    this.limiter.reserve(`login:addr:${client.address}`, limits.loginAttemptsPerAddress);
    const user = await this.users.findBy(field, value);
    const accountKey = accountLimitKey(user?.id ?? `${field}:${value}`);
    // No await between the lookup's answer and this reservation: it is the atomic step.
    this.limiter.reserve(accountKey, limits.loginFailuresPerAccount);
    if (!user || !(await proof(this.credentialsOf(user)))) {
      throw new LockerError('LOGIN_FAILED', 'unknown account or wrong password');
    }
    this.limiter.forget(accountKey);
    // After the proof, so only the account's owner learns that it is disabled.
    if (user.status === 'disabled') throw new LockerError('USER_DISABLED', 'this account is disabled');
    const issued = await this.sessions.issue(user.id, tokenStyle);
    return { ...issued, userId: user.id };
  }

  async logout(session: Session): Promise<void> {
    await this.sessions.revoke(session);
  }

  /** Own info in full; another user's only as far as it is public (id and name). */
  async info(viewerId: string, targetId: string = viewerId): Promise<UserInfo> {
    const user = await this.users.get(targetId);
    if (targetId !== viewerId) return { id: user.id, name: user.name };
    return { id: user.id, name: user.name, tel: user.tel, email: user.email };
  }

  /** Changing the phone number of a verified account sends it back to review: tel is verified data. */
  async changeContact(
    userId: string,
    fields: { name?: string | undefined; tel?: string | undefined; email?: string | null | undefined },
  ): Promise<UserInfo> {
    const user = await this.users.get(userId);
    const update: { name?: string; tel?: string; email?: string | null } = {};
    if (fields.name !== undefined) update.name = fields.name;
    if (fields.tel !== undefined) update.tel = fields.tel;
    if (fields.email !== undefined) update.email = fields.email;
    await this.users.updateContact(userId, update);
    if (fields.tel !== undefined && fields.tel !== user.tel && user.verify_status === 'passed') {
      await this.users.submitIdentity(userId, {
        realName: user.real_name ?? '',
        prcIdSealed: user.prc_id_sealed ?? '',
        address: user.address ?? '',
      });
    }
    return this.info(userId);
  }

  /**
   * Sets a new pash and revokes every session of the account (a thief's too). When the caller
   * proves the current password (/v1), it gets a fresh session back.
   */
  async changePassword(userId: string, newPash: string, currentPash?: string): Promise<void> {
    const user = await this.users.get(userId);
    if (currentPash !== undefined) {
      // Proving the current password is a login in all but name: a stolen token must not turn it
      // into an unlimited password oracle, so it shares the account's login limit.
      const accountKey = accountLimitKey(userId);
      this.limiter.reserve(accountKey, this.limiter.limits.loginFailuresPerAccount);
      if (!(await verifySecret(currentPash, user.password_hash))) {
        throw new LockerError('PASSWORD_MISMATCH', 'current password is wrong');
      }
      this.limiter.forget(accountKey);
    }
    await this.users.updateCredentials(userId, await hashSecret(newPash), this.seal.seal(newPash, userId));
    await this.sessions.revokeAllOf(userId);
  }

  async issueSession(userId: string, style: 'v1' | 'dingo' = 'v1'): Promise<IssuedToken> {
    return this.sessions.issue(userId, style);
  }

  private credentialsOf(user: UserRow): Credentials {
    return {
      matchesPash: (pash) => verifySecret(pash, user.password_hash),
      unsealPash: () => this.seal.open(user.pash_sealed, user.id),
    };
  }
}

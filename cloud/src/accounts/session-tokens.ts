import { createHash, randomBytes } from 'node:crypto';
import { LockerError } from '@locker/protocol';
import type { Db } from '../db/database.js';

export interface Session {
  userId: string;
  tokenHash: string;
  expiresAt: string;
}

/** A revocation: one session (logout) or, without `tokenHash`, every session of the user. */
export interface Revocation {
  userId: string;
  tokenHash?: string;
}

/** Told after the revocation is stored; must not throw. */
export type RevocationListener = (revocation: Revocation) => void;

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

/** Dingo §A.12 describes the temporary token as 150 characters carrying a timestamp. */
const DINGO_TOKEN_RANDOM_HEX = 150 - 14;

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/**
 * Bearer tokens of users: random, stored only as SHA-256 (a stolen database holds nothing that
 * logs in), expiring, revocable one by one (logout) or all at once (password change).
 */
export class SessionTokens {
  private readonly revocationListeners = new Set<RevocationListener>();

  constructor(
    private readonly db: Db,
    private readonly ttlSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** `style: 'dingo'` makes the 150-character shape the 2016 clients expect. */
  async issue(userId: string, style: 'v1' | 'dingo' = 'v1'): Promise<IssuedToken> {
    const now = this.now();
    const token =
      style === 'dingo'
        ? now.toISOString().replace(/\D/g, '').slice(0, 14) +
          randomBytes(DINGO_TOKEN_RANDOM_HEX / 2).toString('hex')
        : `lk1_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(now.getTime() + this.ttlSeconds * 1000).toISOString();
    await this.db
      .insertInto('user_sessions')
      .values({
        token_hash: hashToken(token),
        user_id: userId,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        revoked_at: null,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The live session of a token, or UNAUTHORIZED / TOKEN_EXPIRED / TOKEN_REVOKED. */
  async authenticate(token: string | undefined): Promise<Session> {
    if (!token) throw new LockerError('UNAUTHORIZED', 'missing token');
    return this.current(hashToken(token));
  }

  /**
   * The session of a token hash as it stands now. Long-lived connections, which authenticated once
   * when they opened, ask again with it to learn whether their token still holds.
   */
  async current(tokenHash: string): Promise<Session> {
    const row = await this.db
      .selectFrom('user_sessions')
      .select(['user_id', 'expires_at', 'revoked_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) throw new LockerError('UNAUTHORIZED', 'unknown token');
    if (row.revoked_at) throw new LockerError('TOKEN_REVOKED', 'token was revoked; log in again');
    if (row.expires_at <= this.now().toISOString())
      throw new LockerError('TOKEN_EXPIRED', 'token expired; log in again');
    return { userId: row.user_id, tokenHash, expiresAt: row.expires_at };
  }

  async revoke(session: Pick<Session, 'userId' | 'tokenHash'>): Promise<void> {
    await this.db
      .updateTable('user_sessions')
      .set({ revoked_at: this.now().toISOString() })
      .where('token_hash', '=', session.tokenHash)
      .where('revoked_at', 'is', null)
      .execute();
    this.announce({ userId: session.userId, tokenHash: session.tokenHash });
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.db
      .updateTable('user_sessions')
      .set({ revoked_at: this.now().toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    this.announce({ userId });
  }

  /**
   * Listens to revocations made through this instance, so connections that authenticated earlier
   * (notification sockets) can end at once. Returns the unsubscribe function.
   */
  onRevoked(listener: RevocationListener): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  // Announced after the write, so a listener that checks the database sees the revocation.
  private announce(revocation: Revocation): void {
    for (const listener of this.revocationListeners) listener(revocation);
  }

  /** Drops sessions that ended long ago; revoked ones are kept a day so clients get TOKEN_REVOKED. */
  async prune(): Promise<void> {
    const dayAgo = new Date(this.now().getTime() - 86_400_000).toISOString();
    await this.db.deleteFrom('user_sessions').where('expires_at', '<', dayAgo).execute();
    await this.db.deleteFrom('user_sessions').where('revoked_at', '<', dayAgo).execute();
  }
}

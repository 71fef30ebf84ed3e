import { createHash } from 'node:crypto';
import { LockerError } from '@locker/protocol';
import { z } from 'zod';
import type { AbuseLimiter } from '../accounts/abuse-limiter.js';
import type { BrokerAccounts } from '../broker/broker-accounts.js';
import { type Db, nowIso } from '../db/database.js';
import { hashSecret, randomSecret, verifySecret } from '../security/secret-hash.js';
import { BOOTSTRAP_ACTOR, type OperatorRole } from './roles.js';

export const OperatorName = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{2,40}$/, 'operator name: 3-41 of a-z 0-9 _ . -, starting with a letter')
  .refine((n) => n !== BOOTSTRAP_ACTOR, `${BOOTSTRAP_ACTOR} is reserved for the config adminToken`);

export interface Operator {
  username: string;
  role: OperatorRole;
  createdBy: string;
  createdAt: string;
  disabledAt: string | null;
}

/** A bearer token for /v1/admin and when it stops working. */
export interface OperatorToken {
  token: string;
  tokenExpiresAt: string;
}

/** What a person is shown once when their account is made or its credentials rotated. */
export interface OperatorCredentials extends OperatorToken {
  operator: Operator;
  /** The login password (POST /v1/admin/sessions). */
  password: string;
  broker: { username: string; password: string };
}

export interface OperatorPrincipal {
  username: string;
  role: OperatorRole;
}

/** Operator bearer tokens carry a prefix so a leaked one is recognisable in a scan. */
const TOKEN_PREFIX = 'lop_';
const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A valid hash of a random secret: what an unknown name is checked against. */
const DUMMY_HASH = `scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$${Buffer.alloc(32, 1).toString('base64')}`;

type Row = {
  username: string;
  role: OperatorRole;
  created_by: string;
  created_at: string;
  disabled_at: string | null;
};
const toOperator = (r: Row): Operator => ({
  username: r.username,
  role: r.role,
  createdBy: r.created_by,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
});

/**
 * Operator accounts: a role, a login password (scrypt hash), bearer tokens that expire (only their
 * SHA-256 is stored) and a broker account of the same name whose ACL follows the role. Plain
 * secrets exist only in the return values of `create`, `rotate` and `login`, for the one response
 * that shows them.
 */
export class OperatorAccounts {
  constructor(
    private readonly db: Db,
    private readonly broker: BrokerAccounts,
    private readonly tokenTtlMs: number,
    /** Shared with user logins: attempts are reserved before the slow scrypt (defect 2). */
    private readonly limiter: AbuseLimiter,
  ) {}

  async create(username: string, role: OperatorRole, createdBy: string): Promise<OperatorCredentials> {
    const name = OperatorName.parse(username);
    const taken = await this.db
      .selectFrom('operators')
      .select('username')
      .where('username', '=', name)
      .executeTakeFirst();
    if (taken) throw new LockerError('CONFLICT', `operator ${name} already exists`);
    const brokerTaken = await this.db
      .selectFrom('mqtt_accounts')
      .select('role')
      .where('username', '=', name)
      .executeTakeFirst();
    if (brokerTaken?.role === 'cabinet')
      throw new LockerError('CONFLICT', `${name} is a cabinet's broker account`);
    await this.db
      .insertInto('operators')
      .values({ username: name, role, created_by: createdBy, created_at: nowIso(), disabled_at: null })
      .execute();
    return this.rotate(name);
  }

  /**
   * New login password, token and broker password; every older token of the account stops working
   * (a forgotten password, a person leaving a shared device).
   */
  async rotate(username: string): Promise<OperatorCredentials> {
    const operator = await this.get(username);
    if (operator.disabledAt) throw new LockerError('INVALID_TRANSITION', `operator ${username} is disabled`);
    await this.revokeTokens(username);
    const password = randomSecret(18);
    await this.db
      .updateTable('operators')
      .set({ password_hash: await hashSecret(password) })
      .where('username', '=', username)
      .execute();
    const token = await this.issueToken(username);
    const brokerPassword = await this.broker.issue(username, operator.role, null);
    this.broker.endSessions(username);
    return { operator, password, ...token, broker: { username, password: brokerPassword } };
  }

  /**
   * A new bearer token for a name and password. The attempt is counted (per account and per
   * address) before the password is checked, so parallel guesses cannot outrun the limit.
   */
  async login(username: string, password: string, address: string): Promise<OperatorToken & Operator> {
    const { limits } = this.limiter;
    this.limiter.reserveAll([
      [`operator-login:addr:${address}`, limits.loginAttemptsPerAddress],
      [`operator-login:name:${username}`, limits.loginFailuresPerAccount],
    ]);
    const row = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    // An unknown name costs the same scrypt as a wrong password, so timing does not tell them apart.
    const ok = await verifySecret(password, row?.password_hash ?? DUMMY_HASH);
    if (!row?.password_hash || !ok || row.disabled_at) {
      throw new LockerError('LOGIN_FAILED', 'unknown operator or wrong password');
    }
    this.limiter.forget(`operator-login:name:${username}`);
    return { ...toOperator(row), ...(await this.issueToken(username)) };
  }

  /** Ends one token (logout). */
  async revoke(token: string): Promise<void> {
    await this.db
      .updateTable('operator_tokens')
      .set({ revoked_at: nowIso() })
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .execute();
  }

  private async issueToken(username: string): Promise<OperatorToken> {
    const token = `${TOKEN_PREFIX}${randomSecret(32)}`;
    const tokenExpiresAt = new Date(Date.now() + this.tokenTtlMs).toISOString();
    await this.db
      .insertInto('operator_tokens')
      .values({
        token_hash: hashToken(token),
        username,
        created_at: nowIso(),
        expires_at: tokenExpiresAt,
        revoked_at: null,
      })
      .execute();
    return { token, tokenExpiresAt };
  }

  private async revokeTokens(username: string): Promise<void> {
    await this.db
      .updateTable('operator_tokens')
      .set({ revoked_at: nowIso() })
      .where('username', '=', username)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async get(username: string): Promise<Operator> {
    const row = await this.db
      .selectFrom('operators')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    if (!row) throw new LockerError('NOT_FOUND', `no operator ${username}`);
    return toOperator(row);
  }

  async list(): Promise<Operator[]> {
    const rows = await this.db.selectFrom('operators').selectAll().orderBy('username').execute();
    return rows.map(toOperator);
  }

  /** Changes the role or disables the account; its broker account follows at once. */
  async update(username: string, change: { role?: OperatorRole; disabled?: boolean }): Promise<Operator> {
    const before = await this.get(username);
    const disabledAt =
      change.disabled === undefined
        ? before.disabledAt
        : change.disabled
          ? (before.disabledAt ?? nowIso())
          : null;
    const role = change.role ?? before.role;
    await this.db
      .updateTable('operators')
      .set({ role, disabled_at: disabledAt })
      .where('username', '=', username)
      .execute();
    await this.db
      .updateTable('mqtt_accounts')
      .set({ role, disabled: disabledAt ? 1 : 0 })
      .where('username', '=', username)
      .execute();
    if (disabledAt) await this.revokeTokens(username);
    // The Mosquitto files follow; live embedded-broker sessions end, to reconnect under the new rights.
    await this.broker.refresh();
    this.broker.endSessions(username);
    return this.get(username);
  }

  /** The operator a bearer token belongs to, or a coded 401. */
  async authenticate(token: string): Promise<OperatorPrincipal> {
    if (!token.startsWith(TOKEN_PREFIX)) throw new LockerError('UNAUTHORIZED', 'invalid operator token');
    const row = await this.db
      .selectFrom('operator_tokens')
      .innerJoin('operators', 'operators.username', 'operator_tokens.username')
      .select(['operators.username', 'operators.role', 'operators.disabled_at', 'expires_at', 'revoked_at'])
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row) throw new LockerError('UNAUTHORIZED', 'invalid operator token');
    if (row.revoked_at || row.disabled_at)
      throw new LockerError('TOKEN_REVOKED', 'operator token was revoked');
    if (row.expires_at <= nowIso()) throw new LockerError('TOKEN_EXPIRED', 'operator token expired');
    return { username: row.username, role: row.role };
  }
}

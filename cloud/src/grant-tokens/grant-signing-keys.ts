import type { KeyObject } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { type GrantKeyDoc, generateGrantKey, grantPrivateKey, LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { SecretSeal } from '../accounts/secret-seal.js';
import { type Db, nowIso } from '../db/database.js';
import { isUniqueViolation } from '../db/unique-violation.js';

/** What an operator sees of a key: never the private half. */
export interface GrantKeyView {
  kid: string;
  state: 'active' | 'retired';
  publicKey: string;
  createdAt: string;
  acceptUntil: string | null;
}

const binding = (kid: string) => `grant-signing-key:${kid}`;

/**
 * The cloud's Ed25519 keys for signed grant tokens (ADR 0017). One is active and signs; rotated-away
 * keys stay in cabinets' desired state until `acceptUntil`, so tokens already shown keep working
 * until they expire, unless the rotation retires the old key at once (a leaked key). The private
 * half rests sealed with the server key.
 */
export class GrantSigningKeys {
  private signer: { kid: string; key: KeyObject } | undefined;

  constructor(
    private readonly db: Db,
    private readonly seal: SecretSeal,
    private readonly logger: Logger,
  ) {}

  /**
   * Makes the first key if there is none (safe with several processes: one active row at most). A
   * key that does not open (the seal key changed) does not stop the cloud: tokens are refused with
   * GRANT_KEY_UNUSABLE until an admin rotates.
   */
  async start(): Promise<void> {
    try {
      await this.active();
    } catch (err) {
      this.logger.error({ code: (err as { code?: string }).code }, 'grant-signing key unusable; rotate it');
    }
  }

  async stop(): Promise<void> {
    this.signer = undefined;
  }

  /** The active key, made on first use. */
  async active(): Promise<{ kid: string; key: KeyObject }> {
    const row = await this.db
      .selectFrom('grant_signing_keys')
      .select(['kid', 'private_sealed'])
      .where('state', '=', 'active')
      .executeTakeFirst();
    if (row) {
      if (this.signer?.kid !== row.kid) this.signer = { kid: row.kid, key: this.open(row) };
      return this.signer;
    }
    // Another process may have made the first key meanwhile: then read theirs.
    await this.insertActive().catch((err: unknown) => {
      if (!isUniqueViolation(err)) throw err;
    });
    const made = await this.db
      .selectFrom('grant_signing_keys')
      .select(['kid', 'private_sealed'])
      .where('state', '=', 'active')
      .executeTakeFirstOrThrow();
    this.signer = { kid: made.kid, key: this.open(made) };
    return this.signer;
  }

  /**
   * A new active key. The old one is accepted until `acceptUntil` (the longest token lifetime from
   * now), or, with `retireNow` (a private key may have leaked), no older key is accepted at all.
   */
  async rotate(opts: { retireNow: boolean; tokenTtlMs: number }): Promise<GrantKeyView> {
    const until = new Date(Date.now() + (opts.retireNow ? 0 : opts.tokenTtlMs)).toISOString();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('grant_signing_keys')
        .set({ state: 'retired', accept_until: until })
        .where('state', '=', 'active')
        .execute();
      // A leak retires every older key too: the server that held one held them all.
      if (opts.retireNow) {
        await trx
          .updateTable('grant_signing_keys')
          .set({ accept_until: until })
          .where('accept_until', '>', until)
          .execute();
      }
      // Keys retired long ago are of no use to anyone: forget them.
      await trx.deleteFrom('grant_signing_keys').where('accept_until', '<', nowIso()).execute();
      await this.insertActive(trx);
    });
    this.signer = undefined;
    const views = await this.list();
    const active = views.find((k) => k.state === 'active');
    if (!active) throw new LockerError('INTERNAL', 'no active grant key after rotation');
    return active;
  }

  async list(): Promise<GrantKeyView[]> {
    const rows = await this.db
      .selectFrom('grant_signing_keys')
      .select(['kid', 'state', 'public_key', 'created_at', 'accept_until'])
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      kid: r.kid,
      state: r.state,
      publicKey: r.public_key,
      createdAt: r.created_at,
      acceptUntil: r.accept_until,
    }));
  }

  /** The keys cabinets accept, for desired state: the active one and those still inside their time. */
  async docs(now = nowIso()): Promise<GrantKeyDoc[]> {
    return (await this.list())
      .filter((k) => k.state === 'active' || (k.acceptUntil !== null && k.acceptUntil > now))
      .map((k) => ({
        kid: k.kid,
        alg: 'ed25519' as const,
        publicKey: k.publicKey,
        ...(k.state === 'retired' && k.acceptUntil ? { acceptUntil: k.acceptUntil } : {}),
      }));
  }

  private async insertActive(trx: Pick<Db, 'insertInto'> = this.db): Promise<void> {
    const kid = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}${randomBytes(3).toString('hex')}`;
    const pair = generateGrantKey(kid);
    await trx
      .insertInto('grant_signing_keys')
      .values({
        kid,
        public_key: pair.publicKey,
        private_sealed: this.seal.seal(pair.privateKeyPkcs8, binding(kid)),
        state: 'active',
        created_at: nowIso(),
        accept_until: null,
      })
      .execute();
  }

  private open(row: { kid: string; private_sealed: string }): KeyObject {
    const pkcs8 = this.seal.open(row.private_sealed, binding(row.kid));
    if (!pkcs8) {
      throw new LockerError(
        'GRANT_KEY_UNUSABLE',
        `grant key ${row.kid} does not open with this server's seal key (secrets.sealKey changed?); rotate it`,
      );
    }
    return grantPrivateKey(pkcs8);
  }
}

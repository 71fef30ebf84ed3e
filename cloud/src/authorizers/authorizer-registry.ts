import { randomBytes } from 'node:crypto';
import { LockerError } from '@locker/protocol';
import type { SecretSeal } from '../accounts/secret-seal.js';
import type { AuthorizerRepository, AuthorizerRow } from './authorizer-repository.js';

/** An authorizer as admins see it (never its secret). */
export interface AuthorizerView {
  no: string;
  name: string;
  status: AuthorizerRow['status'];
  url: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewAuthorizer {
  no: string;
  name: string;
  url: string;
  status?: AuthorizerRow['status'] | undefined;
}

export type AuthorizerPatch = Partial<Pick<NewAuthorizer, 'name' | 'url' | 'status'>>;

/** What the sealed secret is bound to: a sealed value copied onto another authorizer does not open. */
const binding = (no: string) => `authorizer-secret:${no}`;

export function toAuthorizerView(r: AuthorizerRow): AuthorizerView {
  return {
    no: r.no,
    name: r.name,
    status: r.status,
    url: r.url,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The registry of third-party authorizers (第三方授权商). Each has a shared secret that the cloud
 * must sign with, so it cannot rest as a hash: it rests sealed (AES-256-GCM, SecretSeal) and is
 * shown once, in the answer that made it (create or rotate).
 */
export class AuthorizerRegistry {
  constructor(
    private readonly repo: AuthorizerRepository,
    private readonly seal: SecretSeal,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: NewAuthorizer): Promise<{ authorizer: AuthorizerView; secret: string }> {
    const secret = newSecret();
    const at = this.now().toISOString();
    const row: AuthorizerRow = {
      no: input.no,
      name: input.name,
      status: input.status ?? 'normal',
      url: input.url,
      secret_sealed: this.seal.seal(secret, binding(input.no)),
      previous_secret_sealed: null,
      previous_until: null,
      created_at: at,
      updated_at: at,
    };
    await this.repo.insert(row);
    return { authorizer: toAuthorizerView(row), secret };
  }

  async update(no: string, patch: AuthorizerPatch): Promise<AuthorizerView> {
    return toAuthorizerView(await this.repo.update(no, patch, this.now().toISOString()));
  }

  /**
   * A new secret: the cloud signs with it at once. The old one still verifies the authorizer's
   * messages for `graceSeconds`, so the authorizer can switch without a refused callback in
   * between; 0 ends it at once (a leaked secret). Docs: authorizers.md, rotation.
   */
  async rotate(no: string, graceSeconds: number): Promise<{ authorizer: AuthorizerView; secret: string }> {
    const current = await this.repo.get(no);
    const secret = newSecret();
    const now = this.now();
    const row = await this.repo.update(
      no,
      {
        secret_sealed: this.seal.seal(secret, binding(no)),
        previous_secret_sealed: graceSeconds > 0 ? current.secret_sealed : null,
        previous_until: graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000).toISOString() : null,
      },
      now.toISOString(),
    );
    return { authorizer: toAuthorizerView(row), secret };
  }

  async list(): Promise<AuthorizerView[]> {
    return (await this.repo.list()).map(toAuthorizerView);
  }

  /** Step B of method 2: the authorizers a holder may pick. */
  async active(): Promise<Array<{ no: string; name: string }>> {
    return (await this.repo.list('normal')).map((r) => ({ no: r.no, name: r.name }));
  }

  get(no: string): Promise<AuthorizerRow> {
    return this.repo.get(no);
  }

  find(no: string): Promise<AuthorizerRow | undefined> {
    return this.repo.find(no);
  }

  /** The secrets that verify a message from the authorizer now: the current one, then the previous. */
  verifyingSecrets(row: AuthorizerRow): string[] {
    const out = [this.secretOf(row)];
    if (row.previous_secret_sealed && row.previous_until && row.previous_until > this.now().toISOString()) {
      const previous = this.seal.open(row.previous_secret_sealed, binding(row.no));
      if (previous !== undefined) out.push(previous);
    }
    return out;
  }

  /** The secret in the clear, in memory only, to sign or check one message. */
  secretOf(row: AuthorizerRow): string {
    const secret = this.seal.open(row.secret_sealed, binding(row.no));
    // A seal key changed under the database: an operator's fault, not the authorizer's.
    if (secret === undefined) throw new Error(`the secret of authorizer ${row.no} does not open`);
    return secret;
  }

  /** An authorizer that may be used: exists and is not disabled. */
  async usable(no: string): Promise<AuthorizerRow> {
    const row = await this.repo.get(no);
    if (row.status !== 'normal') throw new LockerError('AUTHORIZER_DISABLED', `authorizer ${no} is disabled`);
    return row;
  }
}

function newSecret(): string {
  return `las_${randomBytes(32).toString('base64url')}`;
}

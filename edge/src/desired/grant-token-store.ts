import { type GrantKeyDoc, type GrantKeyring, grantPublicKey, type RevokedGrantDoc } from '@locker/protocol';
import type { EdgeStore } from '../store/edge-store.js';

/**
 * What the cabinet needs to check signed grant tokens with no network (ADR 0017): the cloud's public
 * keys and the revocations, both from desired state, and the grants already used here. Rows past
 * the expiry of any token they could concern are pruned, so the tables stay small.
 */
export class GrantTokenStore {
  private ring: GrantKeyring | undefined;

  constructor(private readonly store: EdgeStore) {}

  /** The accepted keys, parsed once per change of the list. */
  keyring(): GrantKeyring {
    if (!this.ring) {
      const rows = this.store.prepare('SELECT * FROM grant_keys').all() as Array<{
        kid: string;
        public_key: string;
        accept_until: string | null;
      }>;
      this.ring = new Map(
        rows.map((r) => [
          r.kid,
          {
            key: grantPublicKey(r.public_key),
            acceptUntil: r.accept_until ? Date.parse(r.accept_until) : undefined,
          },
        ]),
      );
    }
    return this.ring;
  }

  /** Replaces the whole list (inside the desired-state transaction). */
  replaceKeys(keys: GrantKeyDoc[]): void {
    this.store.prepare('DELETE FROM grant_keys').run();
    const put = this.store.prepare('INSERT INTO grant_keys (kid, public_key, accept_until) VALUES (?, ?, ?)');
    for (const k of keys) put.run(k.kid, k.publicKey, k.acceptUntil ?? null);
    this.ring = undefined;
  }

  /** A snapshot states every revocation in force, so the old list goes first. */
  replaceRevocations(list: RevokedGrantDoc[]): void {
    this.store.prepare('DELETE FROM revoked_grants').run();
    this.addRevocations(list);
  }

  addRevocations(list: RevokedGrantDoc[]): void {
    const put = this.store.prepare(
      'INSERT INTO revoked_grants (grant_id, until) VALUES (?, ?) ON CONFLICT (grant_id) DO UPDATE SET until = max(until, excluded.until)',
    );
    for (const r of list) put.run(r.grantId, new Date(r.until).toISOString());
  }

  isRevoked(grantId: string): boolean {
    return this.store.prepare('SELECT 1 FROM revoked_grants WHERE grant_id = ?').get(grantId) !== undefined;
  }

  /** Used here before, by token or by access code (CredentialStore.markGrantUsed records both). */
  wasUsed(grantId: string): boolean {
    return this.store.prepare('SELECT 1 FROM grant_uses WHERE grant_id = ?').get(grantId) !== undefined;
  }

  /** Forgets revocations and uses that no unexpired token can concern any more. */
  prune(now: Date): number {
    const at = now.toISOString();
    return (
      this.store.prepare('DELETE FROM revoked_grants WHERE until < ?').run(at).changes +
      this.store.prepare('DELETE FROM grant_uses WHERE until < ?').run(at).changes
    );
  }

  counts(): { keys: number; revoked: number; used: number } {
    const n = (table: string) =>
      (this.store.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { keys: n('grant_keys'), revoked: n('revoked_grants'), used: n('grant_uses') };
  }
}

import { randomBytes, randomInt } from 'node:crypto';
import type { EdgeStore } from '../store/edge-store.js';
import type { CodeHasher } from './code-hasher.js';

export interface PickupCodeRow {
  hash: string;
  kind: 'code' | 'token';
  parcel_id: string;
  expires_at: string;
  used_at: string | null;
}

export interface IssuedCode {
  code: string;
  token: string;
}

/**
 * Pickup codes issued at the cabinet, so a deposit works offline. A 6-digit code is unique among the codes
 * the cabinet holds (the hash is the primary key); the QR token carries 144 random bits. Only hashes are
 * stored.
 */
export class PickupCodes {
  constructor(
    private readonly store: EdgeStore,
    private readonly hasher: CodeHasher,
  ) {}

  /** Must run inside the deposit's transaction. */
  issue(parcelId: string, expiresAt: string): IssuedCode {
    const insert = this.store.prepare(
      'INSERT OR IGNORE INTO pickup_codes (hash, kind, parcel_id, expires_at) VALUES (?, ?, ?, ?)',
    );
    let code = '';
    for (let i = 0; ; i++) {
      if (i > 50) throw new Error('no free pickup code found');
      code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      if (insert.run(this.hasher.hash('code', code), 'code', parcelId, expiresAt).changes === 1) break;
    }
    const token = randomBytes(18).toString('base64url');
    insert.run(this.hasher.hash('token', token), 'token', parcelId, expiresAt);
    return { code, token };
  }

  find(kind: 'code' | 'token', value: string): PickupCodeRow | undefined {
    return this.store
      .prepare('SELECT * FROM pickup_codes WHERE hash = ?')
      .get(this.hasher.hash(kind, value)) as PickupCodeRow | undefined;
  }

  /** Single use: every code of the parcel is spent once it has been picked up. */
  spend(parcelId: string, at: string): void {
    this.store
      .prepare('UPDATE pickup_codes SET used_at = ? WHERE parcel_id = ? AND used_at IS NULL')
      .run(at, parcelId);
  }

  /** Forgets spent codes after a while so their values can be issued again. */
  purge(before: string): void {
    this.store.prepare('DELETE FROM pickup_codes WHERE used_at IS NOT NULL AND used_at < ?').run(before);
  }
}

import { createHash, hkdfSync } from 'node:crypto';
import type { AccessKey } from '@locker/protocol';

/**
 * Each cabinet's access key (ADR 0015), derived from one cloud master secret and the cabinet id, so
 * the cloud stores no per-cabinet key and a cabinet's key opens no other cabinet's grants. The key id
 * names the master secret: a new master means new key ids, and a cabinet holding only the old key
 * says `key-missing` instead of refusing codes as wrong.
 */
export class CabinetAccessKeys {
  private readonly master: Buffer;
  readonly kid: string;
  private readonly cache = new Map<string, AccessKey>();

  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error('access master key must be 32 bytes');
    this.master = Buffer.from(master);
    this.kid = createHash('sha256').update('locker-access-kid').update(this.master).digest('hex').slice(0, 8);
  }

  /** From config `secrets.accessKey` (hex), or else derived from the admin token (demo installs). */
  static fromConfig(accessKeyHex: string | undefined, adminToken: string): CabinetAccessKeys {
    if (accessKeyHex) return new CabinetAccessKeys(Buffer.from(accessKeyHex, 'hex'));
    return new CabinetAccessKeys(
      Buffer.from(hkdfSync('sha256', adminToken, 'locker-cloud', 'access v1', 32)),
    );
  }

  keyFor(cabinetId: string): AccessKey {
    let key = this.cache.get(cabinetId);
    if (!key) {
      const bytes = hkdfSync('sha256', this.master, 'locker-cabinet-access', cabinetId, 32);
      key = { kid: this.kid, key: Buffer.from(bytes) };
      this.cache.set(cabinetId, key);
    }
    return key;
  }

  /** What the cabinet's config holds (`accessKeys`): shown to an admin at provisioning, once. */
  provisioning(cabinetId: string): Record<string, string> {
    const { kid, key } = this.keyFor(cabinetId);
    return { [kid]: key.toString('base64url') };
  }

  /** Keeps the master out of logs and JSON dumps of services. */
  toJSON(): string {
    return `CabinetAccessKeys(${this.kid})`;
  }
}

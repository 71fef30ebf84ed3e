import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EdgeStore } from '../store/edge-store.js';

/**
 * Hashes the codes the cabinet issues itself (6-digit pickup codes, QR tokens) with HMAC-SHA256 under a
 * per-cabinet secret key. Why HMAC and not scrypt: at the kiosk a code arrives alone, without a user name,
 * so the hash must be deterministic to be looked up by index; a salted slow hash would need one scrypt per
 * stored row per attempt. A plain SHA-256 of a 6-digit code is reversed by trying all 10^6 values, so the
 * key makes a leaked hash (an exported table, a log, a backup of one table) useless without the key.
 * The key lives in the same database (the brief), so it does not protect against theft of the whole disk;
 * the codes are short-lived and single-use, which bounds that risk.
 */
export class CodeHasher {
  private key: Buffer | undefined;

  constructor(private readonly store: EdgeStore) {}

  /** Loads the cabinet key, creating it on first start. */
  load(): void {
    const row = this.store.prepare("SELECT value FROM secrets WHERE name = 'code-key'").get() as
      | { value: Buffer }
      | undefined;
    if (row) {
      this.key = row.value;
      return;
    }
    const key = randomBytes(32);
    this.store.prepare("INSERT INTO secrets (name, value) VALUES ('code-key', ?)").run(key);
    this.key = key;
  }

  hash(kind: 'code' | 'token', value: string): string {
    if (!this.key) throw new Error('code hasher is not loaded');
    return createHmac('sha256', this.key).update(`${kind}:${value}`).digest('hex');
  }

  static equal(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && timingSafeEqual(x, y);
  }
}

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals small secrets at rest with AES-256-GCM under the server key: the Dingo pash (needed in the
 * clear to check the timestamped login hash) and identity numbers. The owner's id is bound in as
 * associated data, so a sealed value copied onto another row does not open.
 * Stored form: `v1.<keyId>.<iv>.<ciphertext>.<tag>` (base64url), keyId naming the key for rotation.
 */
export class SecretSeal {
  private readonly key: Buffer;
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('seal key must be 32 bytes');
    this.key = Buffer.from(key);
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 8);
  }

  /** From config `secrets.sealKey` (hex), or else derived from the admin token (demo installs). */
  static fromConfig(sealKeyHex: string | undefined, adminToken: string): SecretSeal {
    if (sealKeyHex) return new SecretSeal(Buffer.from(sealKeyHex, 'hex'));
    const derived = hkdfSync('sha256', adminToken, 'locker-cloud', 'secret-seal v1', 32);
    return new SecretSeal(Buffer.from(derived));
  }

  seal(plain: string, boundTo: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, ct, cipher.getAuthTag()].map((b) => b.toString('base64url'));
    return ['v1', this.keyId, ...parts].join('.');
  }

  /** The plain text, or undefined when the value was sealed under another key or tampered with. */
  open(sealed: string, boundTo: string): string | undefined {
    const [version, keyId, iv, ct, tag] = sealed.split('.');
    if (version !== 'v1' || keyId !== this.keyId || !iv || ct === undefined || !tag) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }

  /** Keeps the key out of logs and JSON dumps of services. */
  toJSON(): string {
    return `SecretSeal(${this.keyId})`;
  }
}

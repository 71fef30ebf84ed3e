import { hkdfSync, type KeyObject } from 'node:crypto';
import { codeKeyFromPrivate, openSealedCode, SealedCode } from '@locker/protocol';
import { z } from 'zod';

/**
 * What a stored payload carries instead of a pickup code: the cabinet's sealed box and the context it
 * was sealed for. It stays like this in every table; only `reveal`, on the way out to a person,
 * opens it (ADR 0013).
 */
export const SealedPayload = z
  .object({ sealedCode: SealedCode, codeContext: z.string().min(1).max(200) })
  .loose();
export type SealedPayload = z.infer<typeof SealedPayload>;

/** The keys in a revealed payload; a `{pickupCode}` / `{qrPayload}` in its `text` is filled in. */
export interface RevealedCode {
  pickupCode: string;
  qrPayload: string;
}

/**
 * The holder of the cloud's X25519 private key: the only part of the cloud that opens a sealed
 * pickup code, and only to hand it to the recipient (a socket frame, an HTTP answer, an SMS).
 */
export class CodeOpener {
  private constructor(private readonly key: { privateKey: KeyObject; publicKey: string }) {}

  /** From config `secrets.codeKey` (base64url X25519 private key), or else derived from the admin token. */
  static fromConfig(codeKey: string | undefined, adminToken: string): CodeOpener {
    const raw =
      codeKey ??
      Buffer.from(hkdfSync('sha256', adminToken, 'locker-cloud', 'code-key v1', 32)).toString('base64url');
    return new CodeOpener(codeKeyFromPrivate(raw));
  }

  /** The public half, which every cabinet is configured with (`cloudCodeKey`). */
  get publicKey(): string {
    return this.key.publicKey;
  }

  /**
   * A copy of the payload with the code opened in place of the sealed box; payloads without one come
   * back as they are. A box that does not open (another key, tampered) is dropped and `codeUnavailable`
   * set, so the message still goes out without a code.
   */
  reveal(payload: unknown): unknown {
    const sealed = SealedPayload.safeParse(payload);
    if (!sealed.success) return payload;
    const { sealedCode, codeContext, ...rest } = sealed.data;
    try {
      const secret = openSealedCode(sealedCode, this.key, codeContext);
      const code: RevealedCode = { pickupCode: secret.pickupCode, qrPayload: secret.pickupToken };
      const text =
        typeof rest.text === 'string'
          ? {
              text: rest.text
                .replaceAll('{pickupCode}', code.pickupCode)
                .replaceAll('{qrPayload}', code.qrPayload),
            }
          : {};
      return { ...rest, ...text, ...code };
    } catch {
      return { ...rest, codeUnavailable: true };
    }
  }

  toJSON(): string {
    return 'CodeOpener';
  }
}

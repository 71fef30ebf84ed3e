import { LockerError, parseOrThrow } from '@locker/protocol';
import type { CloudConfig } from '../config.js';
import type { AuthorizerRegistry } from './authorizer-registry.js';
import type { AuthorizerRow } from './authorizer-repository.js';
import { AuthorizerAnswer } from './schemas.js';
import type { SeenSignatures } from './seen-signatures.js';
import { type SignedParts, verifySignature } from './webhook-signature.js';

export type SignedMessage = SignedParts & { authorizerNo?: string | undefined };
export interface VerifiedAnswer {
  authorizer: AuthorizerRow;
  answer: AuthorizerAnswer;
  /** The signature's hex and how long to remember it (done here unless the caller does it). */
  signature: string;
  keepUntil: Date;
}

/**
 * Checks a signed message from an authorizer (a callback, or the body of its 200 answer) in this
 * order: a readable answer, who sent it, the timestamp window, the signature, a replay, a disabled
 * authorizer. Only then is anything in it believed.
 */
export class SignedAnswers {
  constructor(
    private readonly registry: AuthorizerRegistry,
    private readonly signatures: SeenSignatures,
    private readonly config: CloudConfig['authorizers'],
    private readonly now: () => Date,
  ) {}

  /**
   * With `remember` false the caller stores the signature itself, in the unit of work that applies
   * the answer (the worker does, to spare a commit).
   */
  async verify(parts: SignedMessage, remember = true): Promise<VerifiedAnswer> {
    let json: unknown;
    try {
      json = JSON.parse(parts.body);
    } catch {
      throw new LockerError('VALIDATION_FAILED', 'the body is not JSON');
    }
    const answer = parseOrThrow(AuthorizerAnswer, json, 'VALIDATION_FAILED', 'answer');
    if (parts.authorizerNo !== undefined && parts.authorizerNo !== answer.authorizerNo) {
      throw new LockerError('SIGNATURE_INVALID', 'X-Locker-Authorizer differs from the body');
    }
    // An unknown number is answered as a bad signature, so the endpoint tells no one which exist.
    const authorizer = await this.registry.get(answer.authorizerNo).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'AUTHORIZER_NOT_FOUND') {
        throw new LockerError('SIGNATURE_INVALID', 'X-Locker-Signature does not match the body');
      }
      throw err;
    });
    const window = this.config.timestampWindowSeconds;
    const now = this.now();
    const signature = verifyWithAny(this.registry.verifyingSecrets(authorizer), parts, now, window);
    // Kept twice the window: a message stamped at the far edge is still refused as a replay.
    const keepUntil = new Date(now.getTime() + 2 * window * 1000);
    if (remember) await this.signatures.remember(authorizer.no, signature, keepUntil);
    if (authorizer.status !== 'normal')
      throw new LockerError('AUTHORIZER_DISABLED', `authorizer ${authorizer.no} is disabled`);
    return { authorizer, answer, signature, keepUntil };
  }
}

/** The current secret first; during a rotation's grace the previous one too (same window, same replay memory). */
function verifyWithAny(secrets: string[], parts: SignedParts, now: Date, window: number): string {
  let last: unknown;
  for (const secret of secrets) {
    try {
      return verifySignature(secret, parts, now, window);
    } catch (err) {
      if ((err as { code?: string }).code !== 'SIGNATURE_INVALID') throw err;
      last = err;
    }
  }
  throw last;
}

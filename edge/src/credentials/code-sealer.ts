import { type SealedCode, sealCode, sealedCodeContext } from '@locker/protocol';
import type { IssuedCode } from './pickup-codes.js';

/**
 * Seals a fresh deposit's code and QR token to the cloud's public key for the deposit event
 * (ADR 0013). Runs inside the deposit's transaction, so the sealed box is committed with the event
 * and reaches the cloud whenever the cabinet is next online; the plain code is never written.
 * Without a configured key there is nothing to seal to and the event carries no code at all.
 */
export function sealForCloud(
  cloudCodeKey: string | undefined,
  cabinetId: string,
  parcelId: string,
  issued: IssuedCode,
): SealedCode | undefined {
  if (!cloudCodeKey) return undefined;
  return sealCode(
    { pickupCode: issued.code, pickupToken: issued.token },
    cloudCodeKey,
    sealedCodeContext(cabinetId, parcelId),
  );
}

import { LockerError, verifyGrantToken } from '@locker/protocol';
import { assertCanServe, type FlowDeps } from './flow-context.js';
import { openWithRight } from './pickup-flow.js';
import type { SessionRecord } from './session-store.js';

/** The token is a bearer secret: its field name is one the shared log redaction catches (ADR 0009). */
export interface GrantTokenRequest {
  grantToken: string;
  /** The box the person chose on the screen, if any: a token for another box is refused. */
  boxNo?: string | undefined;
}

/** A cabinet clock a little behind the cloud's still accepts a token issued just now. */
const CLOCK_SKEW_SECONDS = 300;

/**
 * A signed grant token (ADR 0017) at the cabinet, with no network: signature under a key from desired
 * state, the validity window, this cabinet and an existing box, the revocation list and single use.
 * A forged or unreadable token counts as a wrong try (cabinet-wide, so a flood slows down); a genuine
 * token that is expired, revoked, used or for another place is the person's answer, not a guess.
 */
export async function useGrantToken(deps: FlowDeps, req: GrantTokenRequest): Promise<SessionRecord> {
  assertCanServe(deps);
  const attempt = deps.limiter.reserve(
    `grant-token:${deps.hasher.hash('token', req.grantToken).slice(0, 16)}`,
    {
      cabinetWide: true,
    },
  );
  const check = verifyGrantToken(req.grantToken, deps.grantTokens.keyring(), Date.now(), CLOCK_SKEW_SECONDS);
  if (!check.ok && check.reason !== 'expired') {
    const left = attempt.fail();
    deps.logger.warn({ reason: check.reason }, 'grant token refused');
    throw new LockerError('GRANT_TOKEN_INVALID', 'This QR code is not valid here.', {
      triesLeft: left,
      cabinetTriesLeft: deps.limiter.cabinetTriesLeft(),
    });
  }
  attempt.release();
  if (!check.ok)
    throw new LockerError('GRANT_TOKEN_EXPIRED', 'This QR code has expired. Open the app for a new one.');
  const c = check.claims;
  if (c.site !== deps.config.cabinetId || !deps.boxes.find(c.box) || (req.boxNo && req.boxNo !== c.box)) {
    deps.logger.warn({ site: c.site, box: c.box, grantId: c.gid }, 'grant token for another place');
    throw new LockerError('GRANT_TOKEN_WRONG_PLACE', 'This QR code is for another cabinet or box.', {
      siteNo: c.site,
      boxNo: c.box,
    });
  }
  if (deps.grantTokens.isRevoked(c.gid)) {
    throw new LockerError(
      'GRANT_TOKEN_REVOKED',
      'This authorization was withdrawn by the person who gave it.',
    );
  }
  if (deps.grantTokens.wasUsed(c.gid)) {
    throw new LockerError('GRANT_TOKEN_USED', 'This QR code has already been used.');
  }
  deps.logger.info({ grantId: c.gid, boxNo: c.box, kind: c.kind }, 'grant token accepted');
  return openWithRight(deps, {
    grantId: c.gid,
    kind: c.kind,
    boxNo: c.box,
    userNo: c.user,
    expiresAt: new Date(c.exp * 1000).toISOString(),
    parcelId: c.parcel,
  });
}

import { type GrantTokenClaims, LockerError, signGrantToken } from '@locker/protocol';
import type { GrantRow } from '../authorizations/grant-repository.js';
import type { GrantSigningKeys } from './grant-signing-keys.js';

export interface IssuedGrantToken {
  grantId: string;
  /** `LG1.…`: shown as a QR code; the cabinet checks it with no network. */
  token: string;
  expiresAt: string;
  keyId: string;
}

/**
 * Signs a token for a live grant (ADR 0017). Tokens are made on request and kept nowhere: the
 * grantee's app asks for one whenever it is online, so each can be short-lived. A token never
 * outlives its grant.
 */
export class GrantTokenIssuer {
  constructor(
    private readonly keys: GrantSigningKeys,
    private readonly ttlMs: number,
    /** The cabinet's own id of the parcel a pickup right is for, when the cloud knows it. */
    private readonly cabinetParcelId: (parcelNo: string) => Promise<string | null>,
  ) {}

  /** The longest a token made now can live: revocations are kept that long. */
  get lifetimeMs(): number {
    return this.ttlMs;
  }

  async issue(g: GrantRow, userNo: string, now: Date): Promise<IssuedGrantToken> {
    if (g.state !== 'active') throw new LockerError('GRANT_CLOSED', `grant ${g.id} is ${g.state}`);
    const exp = Math.min(Date.parse(g.expires_at), now.getTime() + this.ttlMs);
    if (exp <= now.getTime()) throw new LockerError('GRANT_EXPIRED', `grant ${g.id} has expired`);
    const signer = await this.keys.active();
    const parcel = g.kind === 'pickup' && g.parcel_no ? await this.cabinetParcelId(g.parcel_no) : null;
    const claims: GrantTokenClaims = {
      v: 1,
      kid: signer.kid,
      gid: g.id,
      kind: g.kind,
      site: g.site_no,
      box: g.box_no,
      user: userNo,
      ...(parcel ? { parcel } : {}),
      // A minute back: a cabinet clock slightly ahead of the cloud's takes it at once.
      nbf: Math.floor(now.getTime() / 1000) - 60,
      exp: Math.floor(exp / 1000),
    };
    return {
      grantId: g.id,
      token: signGrantToken(claims, signer.key),
      expiresAt: new Date(claims.exp * 1000).toISOString(),
      keyId: signer.kid,
    };
  }
}

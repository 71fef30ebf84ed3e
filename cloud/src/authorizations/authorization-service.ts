import { LockerError } from '@locker/protocol';
import type { SecretSeal } from '../accounts/secret-seal.js';
import type { UserRow } from '../accounts/user-repository.js';
import type { GrantTokenIssuer, IssuedGrantToken } from '../grant-tokens/grant-token-issuer.js';
import type { RevocationList } from '../grant-tokens/revocation-list.js';
import { usableUser } from '../reservations/reservation-service.js';
import type { RightsDeps } from '../reservations/rights-deps.js';
import { type GrantApplication, GrantApplier, type HeldRight } from './grant-application.js';
import type { GrantRepository, GrantRow } from './grant-repository.js';
import { type GrantView, sealBinding, toView } from './grant-view.js';
import { type HeldBox, heldBoxes } from './held-boxes.js';

export type { GrantApplication, HeldRight } from './grant-application.js';
export type { GrantView } from './grant-view.js';
export type { HeldBox } from './held-boxes.js';

export interface AuthorizeRequest {
  siteNo: string;
  boxNo: string;
  /** The grantee's user id or phone number (the patent's user number). */
  grantee: string;
  expiresAt?: string | undefined;
}

/**
 * Direct authorization, the patent's method 1: the holder of a box's right names a grantee; the
 * box's holder becomes the grantee (a deposit right) or the grantee gets a pickup right. The cabinet
 * learns it through desired state in the transaction that records it; the grantee is notified with
 * the access code sealed (it opens only for them, at `POST /v1/me/grants/{id}/access-code`).
 */
export class AuthorizationService {
  private readonly applier: GrantApplier;

  constructor(
    private readonly d: RightsDeps,
    private readonly grants: GrantRepository,
    private readonly seal: SecretSeal,
    private readonly tokens: { issuer: GrantTokenIssuer; revocations: RevocationList },
  ) {
    this.applier = new GrantApplier(d, grants, seal);
  }

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** Step B: boxes holding a right of the user that no one else has been granted yet. */
  heldBoxes(userId: string): Promise<HeldBox[]> {
    return heldBoxes(this.d, this.grants, userId, this.now().toISOString());
  }

  /** Steps C-E: the holder names the grantee; the grant goes through the one apply path. */
  async authorize(userId: string, req: AuthorizeRequest): Promise<GrantView> {
    const holder = await this.d.users.get(userId);
    if (holder.status === 'disabled') throw new LockerError('USER_DISABLED', 'your account is disabled');
    const grantee = await this.applier.findGrantee(req.grantee);
    return this.applier.apply({
      holderId: userId,
      siteNo: req.siteNo,
      boxNo: req.boxNo,
      grantee,
      expiresAt: req.expiresAt,
    });
  }

  /**
   * Applies a grant someone else chose for the holder (an authorizer's answer, method 2), by the
   * same path as `authorize`; `a.within` runs in the grant's unit of work.
   */
  applyGrant(a: GrantApplication): Promise<GrantView> {
    return this.applier.apply(a);
  }

  /** Whether the user holds the box by method 1's rules (throws the coded refusal if not). */
  heldRight(userId: string, siteNo: string, boxNo: string): Promise<HeldRight> {
    return this.applier.heldRight(userId, siteNo, boxNo);
  }

  findGrantee(who: string): Promise<UserRow> {
    return this.applier.findGrantee(who);
  }

  /** The grantee opens the sealed code of their notification (shown once, kept nowhere). */
  async openAccessCode(userId: string, grantId: string, sealed: string): Promise<string> {
    const g = await this.grants.get(grantId);
    if (g.grantee_id !== userId) throw new LockerError('GRANT_NOT_FOUND', `no grant ${grantId}`);
    if (g.state !== 'active') throw new LockerError('GRANT_CLOSED', `grant ${grantId} is ${g.state}`);
    if (g.expires_at <= this.now().toISOString())
      throw new LockerError('GRANT_EXPIRED', `grant ${grantId} has expired`);
    const code = this.seal.open(sealed, sealBinding(g));
    if (!code) throw new LockerError('VALIDATION_FAILED', 'that sealed code does not belong to this grant');
    return code;
  }

  /**
   * A fresh signed token for the grantee (ADR 0017): shown as a QR code, it opens the box even at a
   * cabinet that never received the grant. Made on request, kept nowhere.
   */
  async issueToken(userId: string, grantId: string): Promise<IssuedGrantToken> {
    const g = await this.grants.get(grantId);
    if (g.grantee_id !== userId) throw new LockerError('GRANT_NOT_FOUND', `no grant ${grantId}`);
    const grantee = await this.d.users.get(userId);
    return this.tokens.issuer.issue(g, usableUser(grantee, 'USER_DISABLED'), this.now());
  }

  async list(userId: string): Promise<{ given: GrantView[]; received: GrantView[] }> {
    const [given, received] = await Promise.all([
      this.grants.listFor(userId, 'holder'),
      this.grants.listFor(userId, 'grantee'),
    ]);
    return { given: await this.views(given), received: await this.views(received) };
  }

  async get(userId: string, grantId: string): Promise<GrantView> {
    const g = await this.grants.get(grantId);
    if (g.holder_id !== userId && g.grantee_id !== userId)
      throw new LockerError('GRANT_NOT_FOUND', `no grant ${grantId}`);
    return (await this.views([g]))[0] as GrantView;
  }

  /** The holder takes the right back; the cabinet forgets the grantee's code and gets the holder's again. */
  async revoke(userId: string, grantId: string): Promise<GrantView> {
    const g = await this.grants.get(grantId);
    if (g.holder_id !== userId) {
      if (g.grantee_id === userId)
        throw new LockerError('NOT_THE_HOLDER', 'only the holder can revoke a grant');
      throw new LockerError('GRANT_NOT_FOUND', `no grant ${grantId}`);
    }
    const closed = await this.close(g, 'revoked', userId);
    if (!closed) throw new LockerError('GRANT_CLOSED', `grant ${grantId} is ${g.state}`);
    await this.d.notify(g.grantee_id, 'grant.revoked', { grantId, siteNo: g.site_no, boxNo: g.box_no });
    return this.get(userId, grantId);
  }

  /** An operator ends a grant (a dispute, a lost phone): as if its holder had revoked it. */
  async revokeAsOperator(operator: string, grantId: string): Promise<GrantView> {
    const g = await this.grants.get(grantId);
    const closed = await this.close(g, 'revoked', `operator:${operator}`);
    if (!closed) throw new LockerError('GRANT_CLOSED', `grant ${grantId} is ${g.state}`);
    const payload = { grantId, siteNo: g.site_no, boxNo: g.box_no, byOperator: true };
    await this.d.notify(g.grantee_id, 'grant.revoked', payload);
    await this.d.notify(g.holder_id, 'grant.revoked', payload);
    return (await this.views([{ ...g, state: 'revoked' }]))[0] as GrantView;
  }

  /** Live grants at a site, for operators. */
  async atSite(siteNo: string): Promise<GrantView[]> {
    return this.views(await this.grants.activeAt(siteNo));
  }

  /** The cloud's sweep: grants past their expiry end, and so do the reservations they came from. */
  async expireDue(): Promise<number> {
    let n = 0;
    for (const g of await this.grants.due(this.now().toISOString())) {
      if (await this.close(g, 'expired', null)) {
        n++;
        const payload = { grantId: g.id, siteNo: g.site_no, boxNo: g.box_no };
        await this.d.notify(g.holder_id, 'grant.expired', payload);
        await this.d.notify(g.grantee_id, 'grant.expired', payload);
      }
    }
    return n;
  }

  /**
   * Ends a grant. Revoked: a deposit right goes back to its holder (with their reservation's code);
   * expired: the reservation ends too and the box is free again. Used grants end in the follower.
   */
  private close(g: GrantRow, to: 'revoked' | 'expired', actor: string | null): Promise<boolean> {
    return this.d.desired.changeGrants(g.site_no, async (trx) => {
      const moved = await this.grants.move(trx, g.id, to);
      const grants = [];
      if (moved && g.reservation_id) {
        const r = await this.d.reservations.get(g.reservation_id, trx);
        const back = to === 'revoked' && r.ends_at > this.now().toISOString();
        if (back && (await this.d.reservations.move(trx, r.id, ['handed_on'], 'active'))) {
          await this.d.sites.patch(
            trx,
            g.site_no,
            g.box_no,
            { holderId: r.user_id },
            { holderId: g.grantee_id },
          );
          const doc = await this.d.reservations.grantDoc(r, trx);
          if (doc) grants.push(doc);
        } else if (await this.d.reservations.move(trx, r.id, ['handed_on', 'active'], 'expired')) {
          await this.d.quota.release(r.user_id, trx);
          await this.d.sites.patch(
            trx,
            g.site_no,
            g.box_no,
            { status: 'free', holderId: null },
            { status: 'reserved' },
          );
        }
      }
      if (moved) {
        await this.d.timeline.record(
          {
            subject: 'grant',
            subjectId: g.id,
            event: to,
            siteNo: g.site_no,
            boxNo: g.box_no,
            actor,
            holderId: g.holder_id,
            granteeId: g.grantee_id,
          },
          trx,
        );
      }
      // Tokens of a revoked grant may still be out there: the cabinet refuses them until they expire.
      const revokedGrants =
        moved && to === 'revoked'
          ? [
              await this.tokens.revocations.add(trx, {
                grantId: g.id,
                siteNo: g.site_no,
                until: new Date(
                  Math.min(Date.parse(g.expires_at), this.now().getTime() + this.tokens.issuer.lifetimeMs),
                ).toISOString(),
                at: this.now().toISOString(),
              }),
            ]
          : [];
      return { delta: { grants, removeGrants: moved ? [g.id] : [], revokedGrants }, result: moved };
    });
  }

  private async views(rows: GrantRow[]): Promise<GrantView[]> {
    const out: GrantView[] = [];
    for (const g of rows) {
      const [holder, grantee] = await Promise.all([
        this.d.users.get(g.holder_id),
        this.d.users.get(g.grantee_id),
      ]);
      out.push(toView(g, holder, grantee));
    }
    return out;
  }
}

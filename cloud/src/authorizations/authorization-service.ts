import { LockerError, makeAccessVerifier } from '@locker/protocol';
import type { SecretSeal } from '../accounts/secret-seal.js';
import type { UserRow } from '../accounts/user-repository.js';
import type { GrantTokenIssuer, IssuedGrantToken } from '../grant-tokens/grant-token-issuer.js';
import type { RevocationList } from '../grant-tokens/revocation-list.js';
import { newAccessCode, newRightId } from '../reservations/access-code.js';
import { usableUser } from '../reservations/reservation-service.js';
import type { RightsDeps } from '../reservations/rights-deps.js';
import { type GrantRepository, type GrantRow, toGrantDoc } from './grant-repository.js';
import { type GrantView, sealBinding, toView } from './grant-view.js';
import { type HeldBox, heldBoxes } from './held-boxes.js';

export type { GrantView } from './grant-view.js';
export type { HeldBox } from './held-boxes.js';

export interface AuthorizeRequest {
  siteNo: string;
  boxNo: string;
  /** The grantee's user id or phone number (the patent's user number). */
  grantee: string;
  expiresAt?: string | undefined;
}

const PICKUP_GRANT_HOURS = 72;

/**
 * Direct authorization, the patent's method 1: the holder of a box's right names a grantee; the
 * box's holder becomes the grantee (a deposit right) or the grantee gets a pickup right. The cabinet
 * learns it through desired state in the transaction that records it; the grantee is notified with
 * the access code sealed (it opens only for them, at `POST /v1/me/grants/{id}/access-code`).
 */
export class AuthorizationService {
  constructor(
    private readonly d: RightsDeps,
    private readonly grants: GrantRepository,
    private readonly seal: SecretSeal,
    private readonly tokens: { issuer: GrantTokenIssuer; revocations: RevocationList },
  ) {}

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** Step B: boxes holding a right of the user that no one else has been granted yet. */
  heldBoxes(userId: string): Promise<HeldBox[]> {
    return heldBoxes(this.d, this.grants, userId, this.now().toISOString());
  }

  /** Steps C-E. */
  async authorize(userId: string, req: AuthorizeRequest): Promise<GrantView> {
    const holder = await this.d.users.get(userId);
    if (holder.status === 'disabled') throw new LockerError('USER_DISABLED', 'your account is disabled');
    const grantee = await this.findGrantee(req.grantee);
    const granteeNo = usableUser(grantee, 'GRANTEE_DISABLED');
    if (grantee.id === userId) throw new LockerError('VALIDATION_FAILED', 'you cannot authorize yourself');
    // A look before the transaction, so requests for boxes one does not hold take no write lock;
    // the transaction below checks again.
    const seen = await this.d.sites.getBox(req.siteNo, req.boxNo);
    // A parcel addressed to the caller in that box is theirs to hand on (a pickup right).
    const [parcel] = await this.d.parcels.inBoxesFor(userId, { cabinetId: req.siteNo, boxNo: req.boxNo });
    if (!parcel && seen.holder_id !== userId && !(await this.grants.activeForBox(req.siteNo, req.boxNo))) {
      throw new LockerError('NOT_THE_HOLDER', `you do not hold box ${req.boxNo} at ${req.siteNo}`);
    }
    const accessCode = newAccessCode();
    const now = this.now();
    const id = newRightId('G');
    const verifier = JSON.stringify(makeAccessVerifier(this.d.accessKeys.keyFor(req.siteNo), id, accessCode));
    // One unit of work: the grant, the box, the steps and both messages commit together.
    const row = await this.d.desired.changeGrants(req.siteNo, async (trx, commit) => {
      const box = await this.d.sites.getBox(req.siteNo, req.boxNo, trx);
      const live = await this.grants.activeForBox(req.siteNo, req.boxNo, trx);
      if (live) {
        if (live.holder_id === userId || live.grantee_id === userId) {
          throw new LockerError('BOX_ALREADY_GRANTED', `box ${req.boxNo} is already granted`);
        }
        throw new LockerError('NOT_THE_HOLDER', `you do not hold box ${req.boxNo} at ${req.siteNo}`);
      }
      if (box.holder_id !== userId && !parcel) {
        throw new LockerError('NOT_THE_HOLDER', `you do not hold box ${req.boxNo} at ${req.siteNo}`);
      }
      const reservation =
        box.status === 'reserved' && !parcel
          ? await this.d.reservations.openForBox(req.siteNo, req.boxNo, trx)
          : undefined;
      if (!parcel && box.status === 'reserved' && (!reservation || reservation.user_id !== userId)) {
        throw new LockerError('NOT_THE_HOLDER', `you do not hold box ${req.boxNo} at ${req.siteNo}`);
      }
      if (!parcel && box.status !== 'reserved' && box.status !== 'occupied') {
        throw new LockerError('BOX_NOT_AVAILABLE', `box ${req.boxNo} holds no right to hand on`);
      }
      const limit = reservation
        ? reservation.ends_at
        : (parcel?.expires_at ?? new Date(now.getTime() + PICKUP_GRANT_HOURS * 3_600_000).toISOString());
      if (limit <= now.toISOString())
        throw new LockerError('GRANT_EXPIRED', 'your right to this box has expired');
      const expiresAt =
        req.expiresAt && new Date(req.expiresAt).toISOString() < limit
          ? new Date(req.expiresAt).toISOString()
          : limit;
      if (expiresAt <= now.toISOString())
        throw new LockerError('GRANT_EXPIRED', 'the grant would already be expired');
      const g: GrantRow = {
        id,
        kind: reservation ? 'deposit' : 'pickup',
        site_no: req.siteNo,
        box_no: req.boxNo,
        holder_id: userId,
        grantee_id: grantee.id,
        reservation_id: reservation?.id ?? null,
        parcel_no: reservation ? null : (parcel?.id ?? box.parcel_no),
        verifier,
        expires_at: expiresAt,
        state: 'active',
        created_at: now.toISOString(),
        closed_at: null,
      };
      await this.grants.insert(trx, g);
      if (reservation) {
        await this.d.reservations.move(trx, reservation.id, ['active'], 'handed_on');
        await this.d.sites.patch(trx, req.siteNo, req.boxNo, { holderId: grantee.id }, { holderId: userId });
      }
      await this.d.timeline.record(
        {
          subject: 'grant',
          subjectId: id,
          event: 'authorized',
          siteNo: req.siteNo,
          boxNo: req.boxNo,
          actor: userId,
          holderId: userId,
          granteeId: grantee.id,
          detail: { kind: g.kind, expiresAt },
        },
        trx,
      );
      const view = toView(g, holder, grantee);
      await this.d.notifyIn(trx, commit, grantee.id, 'grant.received', {
        grant: view,
        userNo: granteeNo,
        // Sealed to this grant: the stored notification never holds the code in the clear.
        accessCodeSealed: this.seal.seal(accessCode, sealBinding(g)),
      });
      await this.d.timeline.record(
        {
          subject: 'grant',
          subjectId: id,
          event: 'notified',
          siteNo: g.site_no,
          boxNo: g.box_no,
          actor: null,
          holderId: userId,
          granteeId: grantee.id,
        },
        trx,
      );
      await this.d.notifyIn(trx, commit, userId, 'grant.confirmed', { grant: view });
      const removeGrants = reservation ? [reservation.id] : [];
      return { delta: { grants: [toGrantDoc(g, granteeNo, holder.tel)], removeGrants }, result: view };
    });
    return row;
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

  private async findGrantee(who: string): Promise<UserRow> {
    const user = /^U\d{4}-/.test(who) ? await this.d.users.find(who) : await this.d.users.findBy('tel', who);
    if (!user) throw new LockerError('GRANTEE_UNKNOWN', `no user ${who}`);
    return user;
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

import { LockerError, makeAccessVerifier } from '@locker/protocol';
import type { SecretSeal } from '../accounts/secret-seal.js';
import type { UserRow } from '../accounts/user-repository.js';
import type { AfterCommit } from '../db/group-commit.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type { ParcelRow } from '../parcels/parcel-repository.js';
import { newAccessCode, newRightId } from '../reservations/access-code.js';
import type { ReservationRow } from '../reservations/reservation-repository.js';
import { usableUser } from '../reservations/reservation-service.js';
import type { RightsDeps } from '../reservations/rights-deps.js';
import type { BoxRow } from '../sites/site-repository.js';
import { type GrantRepository, type GrantRow, toGrantDoc } from './grant-repository.js';
import { type GrantView, sealBinding, toView } from './grant-view.js';

const PICKUP_GRANT_HOURS = 72;

/** The right a holder has to a box, as method 1 checks it: what a grant of it is made from. */
export interface HeldRight {
  box: BoxRow;
  /** The holder's reservation (a deposit right), when the box is reserved. */
  reservation: ReservationRow | undefined;
  /** A parcel addressed to the holder in the box (a pickup right). */
  parcel: ParcelRow | undefined;
  /** The latest a grant of this right may last. */
  limit: string;
}

/** One grant to apply: the holder's direct choice (method 1) or an authorizer's answer (method 2). */
export interface GrantApplication {
  holderId: string;
  siteNo: string;
  boxNo: string;
  grantee: UserRow;
  expiresAt?: string | undefined;
  /** The authorizer whose answer this is (recorded on the grant and sent to the cabinet). */
  authorizerNo?: string | null | undefined;
  /** Work first in the grant's unit of work (method 2: the record that the answer arrived). */
  before?: (trx: Executor) => Promise<void>;
  /** More work in the grant's own unit of work (method 2: the request's state, its confirmation). */
  within?: (trx: Executor, commit: AfterCommit, grant: GrantRow, view: GrantView) => Promise<void>;
}

const notHeld = (siteNo: string, boxNo: string) =>
  new LockerError('NOT_THE_HOLDER', `you do not hold box ${boxNo} at ${siteNo}`);

/**
 * The one "apply grant" path of both methods: checks the holder's right, records the grant, makes
 * the grantee the box's holder for a deposit right, replaces the holder's grant at the cabinet with
 * the grantee's, records the steps and notifies both, all in one unit of work (ADR 0015).
 */
export class GrantApplier {
  constructor(
    private readonly d: RightsDeps,
    private readonly grants: GrantRepository,
    private readonly seal: SecretSeal,
  ) {}

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  /** The grantee named by user id or phone number (the patent's user number). */
  async findGrantee(who: string): Promise<UserRow> {
    const user = /^U\d{4}-/.test(who) ? await this.d.users.find(who) : await this.d.users.findBy('tel', who);
    if (!user) throw new LockerError('GRANTEE_UNKNOWN', `no user ${who}`);
    return user;
  }

  /**
   * Method 1's rules for "the user holds this box and may hand it on": no live grant on it, and
   * either a parcel addressed to the user in it or the user's own active reservation. Pass the
   * transaction to check inside the unit of work; without it, a look that takes no write lock.
   */
  async heldRight(
    userId: string,
    siteNo: string,
    boxNo: string,
    trx?: Executor,
    parcelSeen?: ParcelRow | null,
  ): Promise<HeldRight> {
    const parcel =
      parcelSeen === undefined
        ? (await this.d.parcels.inBoxesFor(userId, { cabinetId: siteNo, boxNo }))[0]
        : (parcelSeen ?? undefined);
    const box = await this.d.sites.getBox(siteNo, boxNo, trx);
    const live = await this.grants.activeForBox(siteNo, boxNo, trx);
    if (live) {
      if (live.holder_id === userId || live.grantee_id === userId) {
        throw new LockerError('BOX_ALREADY_GRANTED', `box ${boxNo} is already granted`);
      }
      throw notHeld(siteNo, boxNo);
    }
    if (box.holder_id !== userId && !parcel) throw notHeld(siteNo, boxNo);
    const reservation =
      box.status === 'reserved' && !parcel
        ? await this.d.reservations.openForBox(siteNo, boxNo, trx)
        : undefined;
    if (!parcel && box.status === 'reserved' && (!reservation || reservation.user_id !== userId)) {
      throw notHeld(siteNo, boxNo);
    }
    if (!parcel && box.status !== 'reserved' && box.status !== 'occupied') {
      throw new LockerError('BOX_NOT_AVAILABLE', `box ${boxNo} holds no right to hand on`);
    }
    const limit = reservation
      ? reservation.ends_at
      : (parcel?.expires_at ?? new Date(this.now().getTime() + PICKUP_GRANT_HOURS * 3_600_000).toISOString());
    if (limit <= this.now().toISOString())
      throw new LockerError('GRANT_EXPIRED', 'your right to this box has expired');
    return { box, reservation, parcel, limit };
  }

  /** Steps D-E of method 1, and step E of method 2. */
  async apply(a: GrantApplication): Promise<GrantView> {
    const holder = await this.d.users.get(a.holderId);
    if (holder.status === 'disabled') throw new LockerError('USER_DISABLED', 'your account is disabled');
    const granteeNo = usableUser(a.grantee, 'GRANTEE_DISABLED');
    if (a.grantee.id === a.holderId)
      throw new LockerError('VALIDATION_FAILED', 'you cannot authorize yourself');
    // A parcel addressed to the holder in that box is theirs to hand on (a pickup right).
    const [parcel] = await this.d.parcels.inBoxesFor(a.holderId, { cabinetId: a.siteNo, boxNo: a.boxNo });
    // A look before the unit of work, so requests for boxes one does not hold take no write lock;
    // the unit checks again.
    const seen = await this.d.sites.getBox(a.siteNo, a.boxNo);
    if (!parcel && seen.holder_id !== a.holderId && !(await this.grants.activeForBox(a.siteNo, a.boxNo))) {
      throw notHeld(a.siteNo, a.boxNo);
    }
    const accessCode = newAccessCode();
    const now = this.now();
    const id = newRightId('G');
    const verifier = JSON.stringify(makeAccessVerifier(this.d.accessKeys.keyFor(a.siteNo), id, accessCode));
    // One unit of work: the grant, the box, the steps and both messages commit together.
    return this.d.desired.changeGrants(a.siteNo, async (trx, commit) => {
      await a.before?.(trx);
      const { box, reservation, limit } = await this.heldRight(
        a.holderId,
        a.siteNo,
        a.boxNo,
        trx,
        parcel ?? null,
      );
      const expiresAt =
        a.expiresAt && new Date(a.expiresAt).toISOString() < limit
          ? new Date(a.expiresAt).toISOString()
          : limit;
      if (expiresAt <= now.toISOString())
        throw new LockerError('GRANT_EXPIRED', 'the grant would already be expired');
      const g: GrantRow = {
        id,
        kind: reservation ? 'deposit' : 'pickup',
        site_no: a.siteNo,
        box_no: a.boxNo,
        holder_id: a.holderId,
        grantee_id: a.grantee.id,
        reservation_id: reservation?.id ?? null,
        parcel_no: reservation ? null : (parcel?.id ?? box.parcel_no),
        verifier,
        expires_at: expiresAt,
        state: 'active',
        created_at: now.toISOString(),
        closed_at: null,
        authorizer_no: a.authorizerNo ?? null,
      };
      await this.grants.insert(trx, g);
      if (reservation) {
        await this.d.reservations.move(trx, reservation.id, ['active'], 'handed_on');
        await this.d.sites.patch(
          trx,
          a.siteNo,
          a.boxNo,
          { holderId: a.grantee.id },
          { holderId: a.holderId },
        );
      }
      const step = (event: string, actor: string | null, detail?: Record<string, unknown>) =>
        this.d.timeline.record(
          {
            subject: 'grant',
            subjectId: id,
            event,
            siteNo: a.siteNo,
            boxNo: a.boxNo,
            actor,
            holderId: a.holderId,
            granteeId: a.grantee.id,
            ...(detail ? { detail } : {}),
          },
          trx,
        );
      const by = a.authorizerNo ? `authorizer:${a.authorizerNo}` : a.holderId;
      await step('authorized', by, {
        kind: g.kind,
        expiresAt,
        ...(a.authorizerNo ? { authorizerNo: a.authorizerNo } : {}),
      });
      const view = toView(g, holder, a.grantee);
      await this.d.notifyIn(trx, commit, a.grantee.id, 'grant.received', {
        grant: view,
        userNo: granteeNo,
        // Sealed to this grant: the stored notification never holds the code in the clear.
        accessCodeSealed: this.seal.seal(accessCode, sealBinding(g)),
      });
      await step('notified', null);
      await this.d.notifyIn(trx, commit, a.holderId, 'grant.confirmed', {
        grant: view,
        ...(a.authorizerNo ? { authorizerNo: a.authorizerNo } : {}),
      });
      await a.within?.(trx, commit, g, view);
      const removeGrants = reservation ? [reservation.id] : [];
      return { delta: { grants: [toGrantDoc(g, granteeNo, holder.tel)], removeGrants }, result: view };
    });
  }
}

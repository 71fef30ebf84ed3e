import { LockerError, makeAccessVerifier } from '@locker/protocol';
import type { UserRow } from '../accounts/user-repository.js';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import { newAccessCode, newRightId } from './access-code.js';
import { type ReservationRow, toGrantDoc } from './reservation-repository.js';
import type { RightsDeps } from './rights-deps.js';

export interface ReserveRequest {
  siteNo: string;
  size: string;
  startsAt?: string | undefined;
  endsAt: string;
}

export interface ReservationView {
  id: string;
  siteNo: string;
  boxNo: string;
  size: string;
  startsAt: string;
  endsAt: string;
  state: ReservationRow['state'];
  createdAt: string;
}

const HOUR = 3_600_000;

/** A user the cabinet can know: normal status and a phone number to type at the kiosk. */
export function usableUser(user: UserRow, code: 'USER_DISABLED' | 'GRANTEE_DISABLED'): string {
  if (user.status === 'disabled') throw new LockerError(code, `user ${user.name} is disabled`);
  if (!user.tel) {
    throw new LockerError('VALIDATION_FAILED', `user ${user.name} has no phone number to use at a cabinet`);
  }
  return user.tel;
}

/**
 * Reservations: an empty box of a size at a site, held for one user for a window (具有空箱使用权).
 * The quota is taken first; the box is claimed with a conditional UPDATE in the
 * transaction that bumps the cabinet's desired version, so the cabinet learns the right before the
 * user arrives and two requests never get one box.
 */
export class ReservationService {
  constructor(private readonly d: RightsDeps) {}

  private now(): Date {
    return this.d.now?.() ?? new Date();
  }

  async reserve(
    userId: string,
    req: ReserveRequest,
  ): Promise<{ reservation: ReservationView; accessCode: string }> {
    const user = await this.d.users.get(userId);
    const userNo = usableUser(user, 'USER_DISABLED');
    const now = this.now();
    const startsAt = req.startsAt ?? now.toISOString();
    const start = Date.parse(startsAt);
    const end = Date.parse(req.endsAt);
    if (!(end > start) || end <= now.getTime() || end - start > this.d.config.maxReservationHours * HOUR) {
      throw new LockerError(
        'RESERVATION_WINDOW_INVALID',
        `the window must end after it starts, in the future, within ${this.d.config.maxReservationHours} hours`,
      );
    }
    await this.d.sites.getSite(req.siteNo);
    const accessCode = newAccessCode();
    const id = newRightId('R');
    const verifier = makeAccessVerifier(this.d.accessKeys.keyFor(req.siteNo), id, accessCode);
    // One unit of work: the quota, the box, the right, its step and its message commit together.
    const row = await this.d.desired.changeGrants(req.siteNo, async (trx, commit) => {
      await this.d.quota.take(userId, this.d.config.maxActiveReservationsPerUser, trx);
      const boxNo = await this.d.sites.claimFree(trx, req.siteNo, req.size, userId);
      if (!boxNo) {
        throw new LockerError('NO_BOX_AVAILABLE', `no free ${req.size} box at site ${req.siteNo}`);
      }
      const r: ReservationRow = {
        id,
        user_id: userId,
        site_no: req.siteNo,
        box_no: boxNo,
        size: req.size,
        starts_at: new Date(start).toISOString(),
        ends_at: new Date(end).toISOString(),
        state: 'active',
        verifier: JSON.stringify(verifier),
        created_at: now.toISOString(),
        closed_at: null,
      };
      await this.d.reservations.insert(trx, r);
      await this.d.timeline.record(
        {
          subject: 'reservation',
          subjectId: id,
          event: 'reserved',
          siteNo: req.siteNo,
          boxNo,
          actor: userId,
          holderId: userId,
          detail: { size: req.size, endsAt: r.ends_at },
        },
        trx,
      );
      await this.d.notifyIn(trx, commit, userId, 'reservation.confirmed', {
        reservationId: id,
        siteNo: r.site_no,
        boxNo: r.box_no,
        endsAt: r.ends_at,
      });
      return { delta: { grants: [toGrantDoc(r, userNo)], removeGrants: [] }, result: r };
    });
    return { reservation: toView(row), accessCode };
  }

  async list(userId: string): Promise<ReservationView[]> {
    return (await this.d.reservations.listOf(userId)).map(toView);
  }

  async get(userId: string, id: string): Promise<ReservationView> {
    const r = await this.d.reservations.get(id);
    if (r.user_id !== userId) throw new LockerError('RESERVATION_NOT_FOUND', `no reservation ${id}`);
    return toView(r);
  }

  /** The reserver gives the box back before the window ends (not once it is handed on). */
  async cancel(userId: string, id: string): Promise<ReservationView> {
    const r = await this.d.reservations.get(id);
    if (r.user_id !== userId) throw new LockerError('RESERVATION_NOT_FOUND', `no reservation ${id}`);
    return this.close(r, 'cancelled', ['active'], userId).then((closed) => {
      if (!closed) throw new LockerError('INVALID_TRANSITION', `reservation ${id} is ${r.state}`);
      return toView({ ...r, state: 'cancelled' });
    });
  }

  /** An operator ends a reservation still with its reserver; the box is free again. */
  async cancelAsOperator(operator: string, id: string): Promise<ReservationView> {
    const r = await this.d.reservations.get(id);
    if (!(await this.close(r, 'cancelled', ['active'], `operator:${operator}`))) {
      throw new LockerError('INVALID_TRANSITION', `reservation ${id} is ${r.state} (revoke its grant first)`);
    }
    await this.d.notify(r.user_id, 'reservation.cancelled', {
      reservationId: id,
      siteNo: r.site_no,
      boxNo: r.box_no,
    });
    return toView({ ...r, state: 'cancelled' });
  }

  /** Open reservations at a site, for operators. */
  async atSite(siteNo: string): Promise<ReservationView[]> {
    return (await this.d.reservations.openAt(siteNo)).map(toView);
  }

  /** Releases every reservation whose window has ended (the cloud's sweep). */
  async expireDue(): Promise<number> {
    let n = 0;
    for (const r of await this.d.reservations.due(this.now().toISOString())) {
      if (r.state !== 'active') continue; // a handed-on one ends with its authorization
      if (await this.close(r, 'expired', ['active'], null)) {
        n++;
        await this.d.notify(r.user_id, 'reservation.expired', {
          reservationId: r.id,
          siteNo: r.site_no,
          boxNo: r.box_no,
        });
      }
    }
    return n;
  }

  /**
   * Ends a reservation and frees its box, in the desired-state transaction that removes its grant
   * from the cabinet; answers whether this call ended it.
   */
  async close(
    r: ReservationRow,
    to: 'cancelled' | 'expired' | 'used',
    from: ReservationRow['state'][],
    actor: string | null,
    extra: (trx: Executor) => Promise<void> = async () => undefined,
  ): Promise<boolean> {
    return this.d.desired.changeGrants(r.site_no, async (trx) => {
      const moved = await this.d.reservations.move(trx, r.id, from, to);
      if (moved) {
        await this.d.quota.release(r.user_id, trx);
        if (to !== 'used') {
          await this.d.sites.patch(
            trx,
            r.site_no,
            r.box_no,
            { status: 'free', holderId: null },
            { status: 'reserved' },
          );
        }
        await this.d.timeline.record(
          {
            subject: 'reservation',
            subjectId: r.id,
            event: to,
            siteNo: r.site_no,
            boxNo: r.box_no,
            actor,
            holderId: r.user_id,
          },
          trx,
        );
        await extra(trx);
      }
      return { delta: { grants: [], removeGrants: moved ? [r.id] : [] }, result: moved };
    });
  }
}

export function toView(r: ReservationRow): ReservationView {
  return {
    id: r.id,
    siteNo: r.site_no,
    boxNo: r.box_no,
    size: r.size,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    state: r.state,
    createdAt: r.created_at,
  };
}

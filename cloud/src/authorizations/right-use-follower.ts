import type { CabinetEvent } from '@locker/protocol';
import type { Executor } from '../fleet/desired/desired-version-repository.js';
import type { RightsDeps } from '../reservations/rights-deps.js';
import type { NewTimelineEntry } from '../timeline/timeline-repository.js';
import type { GrantRepository, GrantRow } from './grant-repository.js';

type Parties = Pick<NewTimelineEntry, 'holderId' | 'granteeId'>;

/**
 * Follows the cabinets' events (FleetLink `event`) for rights and tracking: a used right closes its
 * reservation or grant, a deposit or pickup updates the box record, and each step lands on the
 * timeline with the parties who may see it. Events arrive once each (FleetLink dedupes by id), also
 * after a cabinet reconnects.
 */
export class RightUseFollower {
  constructor(
    private readonly d: RightsDeps,
    private readonly grants: GrantRepository,
  ) {}

  async apply(ev: CabinetEvent): Promise<void> {
    const site = ev.cabinetId;
    switch (ev.type) {
      case 'grant.used':
        return this.used(site, ev.data.grantId, ev.data.userNo, ev.at);
      case 'box.unlocked': {
        const parties = await this.partiesOfBox(site, ev.data.boxNo);
        await this.box(site, ev.data.boxNo, 'opened', ev.at, parties, { purpose: ev.data.purpose });
        return;
      }
      case 'parcel.deposited': {
        const parties = ev.data.grantId ? await this.partiesOfRight(ev.data.grantId) : {};
        await this.d.sites.patch(this.d.sites.db, site, ev.data.boxNo, {
          status: 'occupied',
          parcelNo: ev.data.parcelId,
          ...(ev.data.depositor ? { depositor: ev.data.depositor } : {}),
        });
        await this.box(site, ev.data.boxNo, 'deposited', ev.at, parties, {
          parcel: ev.data.parcelId,
          ...(ev.data.grantId ? { grantId: ev.data.grantId } : {}),
        });
        return;
      }
      case 'parcel.picked_up': {
        const parties = ev.data.grantId ? await this.partiesOfRight(ev.data.grantId) : {};
        await this.d.sites.patch(this.d.sites.db, site, ev.data.boxNo, {
          status: 'free',
          holderId: null,
          depositor: null,
          parcelNo: null,
        });
        await this.box(site, ev.data.boxNo, 'picked_up', ev.at, parties, { parcel: ev.data.parcelId });
        return;
      }
      case 'parcel.expired':
      case 'parcel.recollected': {
        const event = ev.type === 'parcel.expired' ? 'expired' : 'recollected';
        if (ev.type === 'parcel.recollected') {
          await this.d.sites.patch(this.d.sites.db, site, ev.data.boxNo, {
            status: 'free',
            holderId: null,
            depositor: null,
            parcelNo: null,
          });
        }
        await this.box(site, ev.data.boxNo, event, ev.at, {}, { parcel: ev.data.parcelId });
        return;
      }
      default:
        return;
    }
  }

  /** A right was used at the cabinet: it is spent, its quota comes back, the box has a depositor. */
  private async used(site: string, rightId: string, userNo: string, at: string): Promise<void> {
    const grant = rightId.startsWith('G') ? await this.grants.find(rightId) : undefined;
    const reservationId = grant ? grant.reservation_id : rightId.startsWith('R') ? rightId : null;
    const reservation = reservationId ? await this.d.reservations.find(reservationId) : undefined;
    if (!grant && !reservation) return;
    const closed = await this.d.desired.changeGrants(site, async (trx) => {
      const removeGrants: string[] = [];
      if (grant && (await this.grants.move(trx, grant.id, 'used'))) {
        removeGrants.push(grant.id);
        await this.record(trx, { subject: 'grant', subjectId: grant.id, ...partiesOf(grant) }, grant, at);
      }
      if (
        reservation &&
        (await this.d.reservations.move(trx, reservation.id, ['active', 'handed_on'], 'used'))
      ) {
        removeGrants.push(reservation.id);
        await this.d.quota.release(reservation.user_id, trx);
        await this.record(
          trx,
          {
            subject: 'reservation',
            subjectId: reservation.id,
            holderId: reservation.user_id,
            granteeId: grant?.grantee_id,
          },
          { site_no: reservation.site_no, box_no: reservation.box_no },
          at,
        );
      }
      const boxNo = grant?.box_no ?? reservation?.box_no;
      if (boxNo && grant?.kind !== 'pickup') {
        await this.d.sites.patch(trx, site, boxNo, { holderId: null, depositor: userNo });
      }
      return { delta: { grants: [], removeGrants }, result: removeGrants.length > 0 };
    });
    // The holder learns that the person they handed the box to has used it (全程跟踪).
    if (closed && grant) {
      await this.d.notify(grant.holder_id, 'grant.used', {
        grantId: grant.id,
        siteNo: grant.site_no,
        boxNo: grant.box_no,
        at,
      });
    }
  }

  private record(
    trx: Executor,
    who: Pick<NewTimelineEntry, 'subject' | 'subjectId' | 'holderId' | 'granteeId'>,
    where: { site_no: string; box_no: string },
    at: string,
  ): Promise<void> {
    return this.d.timeline.record(
      { ...who, event: 'used', siteNo: where.site_no, boxNo: where.box_no, at },
      trx,
    );
  }

  /** A step at a box; a step of a parcel (`detail.parcel`) is the parcel's, so its own timeline has it too. */
  private box(
    site: string,
    boxNo: string,
    event: string,
    at: string,
    parties: Parties,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const parcel = typeof detail.parcel === 'string' ? detail.parcel : undefined;
    return this.d.timeline.record({
      subject: parcel ? 'parcel' : 'box',
      subjectId: parcel ?? `${site}/${boxNo}`,
      event,
      siteNo: site,
      boxNo,
      at,
      detail,
      ...parties,
    });
  }

  /** Who is party to what happens at a box now: its live grant, else its open reservation. */
  private async partiesOfBox(site: string, boxNo: string): Promise<Parties> {
    const g = await this.grants.activeForBox(site, boxNo);
    if (g) return partiesOf(g);
    const r = await this.d.reservations.openForBox(site, boxNo);
    if (r) return { holderId: r.user_id };
    const box = await this.d.sites.findBox(site, boxNo);
    return box?.holder_id ? { holderId: box.holder_id } : {};
  }

  private async partiesOfRight(rightId: string): Promise<Parties> {
    const g = await this.grants.find(rightId);
    if (g) return partiesOf(g);
    const r = await this.d.reservations.find(rightId);
    return r ? { holderId: r.user_id } : {};
  }
}

function partiesOf(g: GrantRow): Parties {
  return { holderId: g.holder_id, granteeId: g.grantee_id };
}

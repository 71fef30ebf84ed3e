import { type CabinetEvent, LockerError } from '@locker/protocol';
import type { Logger } from 'pino';
import type { UserRepository } from '../accounts/user-repository.js';
import type { ParcelNotifier } from './parcel-notifier.js';
import { IN_BOX, type ParcelRepository, type ParcelRow } from './parcel-repository.js';

export interface Announcement {
  waybill: string;
  size?: string | undefined;
  recipientTel?: string | undefined;
  recipientUserId?: string | undefined;
}

type Users = Pick<UserRepository, 'find' | 'findBy'>;
type EventOf<T extends CabinetEvent['type']> = Extract<CabinetEvent, { type: T }>;

/**
 * A parcel's life in the cloud (DESIGN §4.5): announced, deposited, notified, then picked up, or
 * expired and recollected. Cabinet events drive it and are applied idempotently: each move is
 * conditional on the state it leaves, so a redelivered event or a second process changes nothing.
 */
export class ParcelService {
  constructor(
    private readonly parcels: ParcelRepository,
    private readonly users: Users,
    private readonly notifier: ParcelNotifier,
    private readonly logger: Logger,
  ) {}

  /** A courier or company announces a parcel before it reaches the cabinet. */
  async announce(by: string, a: Announcement): Promise<ParcelRow> {
    if (!a.recipientTel && !a.recipientUserId) {
      throw new LockerError('VALIDATION_FAILED', 'name the recipient: recipientTel or recipientUserId');
    }
    let recipientUserId: string | null = null;
    let recipientTel = a.recipientTel ?? null;
    if (a.recipientUserId) {
      const user = await this.users.find(a.recipientUserId);
      if (!user) throw new LockerError('USER_NOT_FOUND', `no user ${a.recipientUserId}`);
      recipientUserId = user.id;
      recipientTel ??= user.tel;
    } else if (recipientTel) {
      recipientUserId = await this.accountOfTel(recipientTel);
    }
    return this.parcels.create({
      state: 'announced',
      waybill: a.waybill,
      size: a.size ?? null,
      recipientUserId,
      recipientTel,
      announcedBy: by,
    });
  }

  /** Feeds a cabinet event that was applied for the first time (FleetLink `event`). */
  async applyEvent(ev: CabinetEvent): Promise<void> {
    switch (ev.type) {
      case 'parcel.deposited':
        return this.deposited(ev);
      case 'parcel.picked_up':
        return this.left(ev, 'picked_up', 'picked_up_at', 'parcel.picked_up');
      case 'parcel.expired':
        return this.left(ev, 'expired', 'expired_at', 'parcel.expired');
      case 'parcel.recollected':
        return this.left(ev, 'recollected', 'recollected_at', 'parcel.recollected');
      default:
        return;
    }
  }

  private async deposited(ev: EventOf<'parcel.deposited'>): Promise<void> {
    const d = ev.data;
    if (await this.parcels.byCabinetParcel(ev.cabinetId, d.parcelId)) return;
    const deposit = {
      cabinetId: ev.cabinetId,
      boxNo: d.boxNo,
      cabinetParcelId: d.parcelId,
      depositor: d.depositor ?? null,
      size: d.size ?? null,
      sealedCode: d.sealedCode ? JSON.stringify(d.sealedCode) : null,
      expiresAt: d.expiresAt ?? null,
      at: ev.at,
    };
    let parcel: ParcelRow | undefined;
    const announced = d.waybill ? await this.parcels.byWaybill(d.waybill) : undefined;
    if (announced?.state === 'announced' && (await this.parcels.linkDeposit(announced.id, deposit))) {
      if (!announced.recipient_user_id && announced.recipient_tel) {
        const userId = await this.accountOfTel(announced.recipient_tel);
        if (userId) await this.parcels.setRecipientUser(announced.id, userId);
      }
      parcel = await this.parcels.get(announced.id);
    } else {
      if (announced) {
        this.logger.warn(
          { waybill: d.waybill, parcelId: announced.id },
          'deposit names a waybill that is not awaiting deposit',
        );
      }
      const tel = d.recipientTel ?? null;
      parcel = await this.parcels.createDeposited(
        {
          state: 'deposited',
          // A waybill already used stays with its first parcel; this one is recorded without it.
          waybill: announced ? null : (d.waybill ?? null),
          size: d.size ?? null,
          recipientUserId: tel ? await this.accountOfTel(tel) : null,
          recipientTel: tel,
          announcedBy: null,
        },
        deposit,
      );
      if (!parcel) return;
    }
    await this.notifyDeposited(parcel);
  }

  private async notifyDeposited(parcel: ParcelRow): Promise<void> {
    if (!(await this.notifier.tell('parcel.deposited', parcel))) {
      this.logger.info({ parcelId: parcel.id }, 'deposited parcel has no recipient to notify');
      return;
    }
    await this.parcels.move(parcel.id, ['deposited'], 'notified', 'notified_at', new Date().toISOString());
  }

  private async left(
    ev: EventOf<'parcel.picked_up' | 'parcel.expired' | 'parcel.recollected'>,
    to: 'picked_up' | 'expired' | 'recollected',
    column: 'picked_up_at' | 'expired_at' | 'recollected_at',
    kind: 'parcel.picked_up' | 'parcel.expired' | 'parcel.recollected',
  ): Promise<void> {
    const parcel = await this.parcels.byCabinetParcel(ev.cabinetId, ev.data.parcelId);
    if (!parcel) return;
    // Recollection follows expiry; pickup and expiry leave a parcel still in its box.
    const from = to === 'recollected' ? [...IN_BOX, 'expired' as const] : IN_BOX;
    if (await this.parcels.move(parcel.id, from, to, column, ev.at)) {
      await this.notifier.tell(kind, { ...parcel, state: to });
    }
  }

  /**
   * One pass of the parcel worker: a reminder for each parcel about to expire (once: the claim is a
   * conditional update), then expiry of parcels whose time passed while the cabinet said nothing
   * (offline). The cabinet's own `parcel.expired` later finds them expired and changes nothing.
   */
  async sweep(
    now: Date,
    reminderBeforeMs: number,
    limit = 200,
  ): Promise<{ reminded: number; expired: number }> {
    const at = now.toISOString();
    let reminded = 0;
    let expired = 0;
    const soon = new Date(now.getTime() + reminderBeforeMs).toISOString();
    for (const p of await this.parcels.inBoxExpiringBy(soon, { unreminded: true, limit })) {
      if (p.expires_at && p.expires_at <= at) continue;
      if (await this.parcels.claimReminder(p.id, at)) {
        await this.notifier.tell('parcel.reminder', p);
        reminded++;
      }
    }
    for (const p of await this.parcels.inBoxExpiringBy(at, { unreminded: false, limit })) {
      if (await this.parcels.move(p.id, IN_BOX, 'expired', 'expired_at', at)) {
        await this.notifier.tell('parcel.expired', { ...p, state: 'expired' });
        expired++;
      }
    }
    return { reminded, expired };
  }

  /**
   * The account a phone number stands for, when staff checked that number (identity verification
   * passed). Anyone can type any number into an unverified account; such an account must not
   * receive someone else's code, so the recipient is then texted at the number instead.
   */
  private async accountOfTel(tel: string): Promise<string | null> {
    const user = await this.users.findBy('tel', tel);
    return user?.verify_status === 'passed' ? user.id : null;
  }

  private async verifiedTel(userId: string): Promise<string | null> {
    const me = await this.users.find(userId);
    return me?.verify_status === 'passed' ? me.tel : null;
  }

  get(id: string): Promise<ParcelRow> {
    return this.parcels.get(id);
  }

  /** A parcel its recipient or its announcer may see; anyone else gets PARCEL_NOT_FOUND. */
  async getFor(userId: string, id: string): Promise<ParcelRow> {
    const p = await this.parcels.get(id);
    if (p.recipient_user_id === userId || p.announced_by === userId) return p;
    const tel = await this.verifiedTel(userId);
    if (tel && p.recipient_tel === tel) return p;
    throw new LockerError('PARCEL_NOT_FOUND', `no parcel ${id}`);
  }

  async mine(userId: string, role: 'recipient' | 'courier', limit: number): Promise<ParcelRow[]> {
    if (role === 'courier') return this.parcels.announcedBy(userId, limit);
    return this.parcels.forRecipient(userId, await this.verifiedTel(userId), limit);
  }

  list(filter: Parameters<ParcelRepository['list']>[0]): Promise<ParcelRow[]> {
    return this.parcels.list(filter);
  }
}

import { sealedCodeContext } from '@locker/protocol';
import type { NotificationKind } from '../notifications/notification-service.js';
import type { OutboundQueue } from '../notifications/outbound-queue.js';
import type { ParcelRow } from './parcel-repository.js';

export type Publish = (userId: string, kind: NotificationKind, payload: unknown) => Promise<unknown>;

type ParcelKind =
  | 'parcel.deposited'
  | 'parcel.reminder'
  | 'parcel.picked_up'
  | 'parcel.expired'
  | 'parcel.recollected';

/** What every parcel notification says, without a code. */
export function parcelFacts(p: ParcelRow) {
  return {
    parcelId: p.id,
    state: p.state,
    waybill: p.waybill,
    cabinetId: p.cabinet_id,
    boxNo: p.box_no,
    expiresAt: p.expires_at,
  };
}

const TEXTS: Record<ParcelKind, (p: ParcelRow, withCode: boolean) => string> = {
  'parcel.deposited': (p, code) =>
    `Your parcel${p.waybill ? ` ${p.waybill}` : ''} is in box ${p.box_no} at locker ${p.cabinet_id}.` +
    (code ? ' Pickup code {pickupCode}.' : '') +
    (p.expires_at ? ` Collect it before ${p.expires_at}.` : ''),
  'parcel.reminder': (p, code) =>
    `Reminder: your parcel in box ${p.box_no} at locker ${p.cabinet_id} expires at ${p.expires_at}.` +
    (code ? ' Pickup code {pickupCode}.' : ''),
  'parcel.picked_up': (p) => `Your parcel in box ${p.box_no} at locker ${p.cabinet_id} was picked up.`,
  'parcel.expired': (p) =>
    `Your parcel in box ${p.box_no} at locker ${p.cabinet_id} was not collected in time; the courier will take it back.`,
  'parcel.recollected': (p) =>
    `The parcel from box ${p.box_no} at locker ${p.cabinet_id} went back to the courier.`,
};

/**
 * Tells the people of a parcel what happened. The recipient hears it in the app when they have an
 * account, else by SMS to the phone the courier gave; a code goes along only sealed, opened on the
 * way out (ADR 0013). The courier who announced it gets the same news, never the code.
 */
export class ParcelNotifier {
  constructor(
    private readonly publish: Publish,
    private readonly outbound: OutboundQueue,
  ) {}

  /** True when someone was told (the recipient, by app or SMS). */
  async tell(kind: ParcelKind, p: ParcelRow): Promise<boolean> {
    const withCode = (kind === 'parcel.deposited' || kind === 'parcel.reminder') && p.sealed_code !== null;
    const sealed =
      withCode && p.sealed_code && p.cabinet_id && p.cabinet_parcel_id
        ? {
            sealedCode: JSON.parse(p.sealed_code) as unknown,
            codeContext: sealedCodeContext(p.cabinet_id, p.cabinet_parcel_id),
          }
        : {};
    const text = TEXTS[kind](p, 'sealedCode' in sealed);
    const payload = { ...parcelFacts(p), text, ...sealed };
    let told = false;
    if (p.recipient_user_id) {
      await this.publish(p.recipient_user_id, kind, payload);
      told = true;
    } else if (p.recipient_tel) {
      await this.outbound.enqueue('sms', p.recipient_tel, kind, payload);
      told = true;
    }
    if (p.announced_by && p.announced_by !== p.recipient_user_id) {
      await this.publish(p.announced_by, kind, { ...parcelFacts(p), text: TEXTS[kind](p, false) });
    }
    return told;
  }
}

import { BoxSize } from '@locker/protocol';
import { z } from 'zod';
import { Tel } from '../accounts/fields.js';
import { UserId } from '../accounts/ids.js';
import type { ParcelRow } from './parcel-repository.js';

export const ParcelStateName = z.enum([
  'announced',
  'deposited',
  'notified',
  'picked_up',
  'expired',
  'recollected',
]);

export const Waybill = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'waybill: 1-40 letters, digits, _ and -')
  .describe('the carrier waybill number; the courier types it at the kiosk to link the deposit');

export const ParcelId = z.string().regex(/^PC[0-9a-z]{6,16}[0-9a-f]{16}$/, 'parcel id');

export const AnnounceBody = z
  .object({
    waybill: Waybill,
    size: BoxSize.optional(),
    recipientTel: Tel.optional(),
    recipientUserId: UserId.optional(),
  })
  .strict()
  .refine((b) => b.recipientTel !== undefined || b.recipientUserId !== undefined, {
    message: 'name the recipient: recipientTel or recipientUserId',
  });

/** A parcel as its recipient, its courier and operators see it: never a code, sealed or not. */
export const ParcelView = z.object({
  id: z.string(),
  state: ParcelStateName,
  waybill: z.string().nullable(),
  size: z.string().nullable(),
  recipientUserId: z.string().nullable(),
  recipientTel: z.string().nullable(),
  announcedBy: z.string().nullable(),
  cabinetId: z.string().nullable(),
  boxNo: z.string().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  depositedAt: z.string().nullable(),
  notifiedAt: z.string().nullable(),
  remindedAt: z.string().nullable(),
  pickedUpAt: z.string().nullable(),
  expiredAt: z.string().nullable(),
  recollectedAt: z.string().nullable(),
});
export type ParcelView = z.infer<typeof ParcelView>;

export const parcelView = (p: ParcelRow): ParcelView => ({
  id: p.id,
  state: p.state,
  waybill: p.waybill,
  size: p.size,
  recipientUserId: p.recipient_user_id,
  recipientTel: p.recipient_tel,
  announcedBy: p.announced_by,
  cabinetId: p.cabinet_id,
  boxNo: p.box_no,
  expiresAt: p.expires_at,
  createdAt: p.created_at,
  depositedAt: p.deposited_at,
  notifiedAt: p.notified_at,
  remindedAt: p.reminded_at,
  pickedUpAt: p.picked_up_at,
  expiredAt: p.expired_at,
  recollectedAt: p.recollected_at,
});

export const ParcelList = z.object({ parcels: z.array(ParcelView) });

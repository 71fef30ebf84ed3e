import { BoxNo, BoxSize, CabinetId, IsoTime } from '@locker/protocol';
import { z } from 'zod';
import { UserId } from '../accounts/ids.js';

/** Schemas of the rights API (/v1/reservations, /v1/authorizations, /v1/me/boxes), for OpenAPI. */
export const SiteNo = CabinetId.describe('site number = cabinet id, e.g. 610091A01');
export const RightId = z.string().regex(/^[RG][0-9a-f]{24}$/, 'right id: R or G + 24 hex');

export const ReserveBody = z
  .object({
    siteNo: SiteNo,
    size: BoxSize,
    startsAt: IsoTime.optional().describe('default: now'),
    endsAt: IsoTime,
  })
  .strict();

export const Reservation = z.object({
  id: RightId,
  siteNo: z.string(),
  boxNo: z.string(),
  size: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  state: z.enum(['active', 'used', 'expired', 'cancelled', 'handed_on']),
  createdAt: z.string(),
});

export const ReservationCreated = z.object({
  reservation: Reservation,
  accessCode: z
    .string()
    .describe('type it at the cabinet with your phone number; shown once, the cloud keeps only a verifier'),
});

export const HeldBox = z.object({
  siteNo: z.string(),
  boxNo: z.string(),
  size: z.string(),
  right: z.enum(['deposit', 'pickup']),
  until: z.string().nullable(),
  reservationId: z.string().nullable(),
  parcelNo: z.string().nullable(),
});

export const AuthorizeBody = z
  .object({
    siteNo: SiteNo,
    boxNo: BoxNo,
    grantee: z
      .string()
      .min(1)
      .max(64)
      .describe("the grantee's user id or phone number (the patent's user number)"),
    expiresAt: IsoTime.optional().describe('default and upper bound: the end of your right'),
  })
  .strict();

const Party = z.object({ id: UserId, name: z.string() });
export const Grant = z.object({
  id: RightId,
  kind: z.enum(['deposit', 'pickup']),
  siteNo: z.string(),
  boxNo: z.string(),
  state: z.enum(['active', 'used', 'revoked', 'expired']),
  expiresAt: z.string(),
  createdAt: z.string(),
  holder: Party,
  grantee: Party,
  authorizerNo: z.string().optional().describe('the third-party authorizer that chose the grantee'),
});

export const AccessCodeBody = z
  .object({ accessCodeSealed: z.string().min(10).max(400).describe('from the grant.received notification') })
  .strict();

export const TimelineEntry = z.object({
  at: z.string(),
  event: z.string(),
  subject: z.enum(['box', 'parcel', 'grant', 'reservation', 'request']),
  subjectId: z.string(),
  siteNo: z.string().nullable(),
  boxNo: z.string().nullable(),
  actor: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export const Timeline = z.object({ entries: z.array(TimelineEntry) });

export const GrantTokenIssued = z.object({
  grantId: RightId,
  token: z
    .string()
    .describe(
      'LG1.<claims>.<Ed25519 signature>: show as a QR code; a bearer secret, made on request and stored nowhere (docs/grant-tokens.md)',
    ),
  expiresAt: z.string().describe('at most rights.grantTokenTtlMinutes from now, never after the grant'),
  keyId: z.string(),
});

import { z } from 'zod';
import { AddressText, Email, RealName, Tel, UserName, Zip } from '../../accounts/fields.js';
import { AddressId, UserId } from '../../accounts/ids.js';
import { ErrorResponse } from '../schemas.js';

export const security = [{ bearer: [] }];

/**
 * Error answers every authenticated route may give: 401 UNAUTHORIZED, TOKEN_EXPIRED or TOKEN_REVOKED.
 * No 429 here: the abuse limits guard registration, login and the current-password check only.
 */
export const authErrors = { 400: ErrorResponse, 401: ErrorResponse };

export const UserInfo = z.object({
  id: UserId,
  name: UserName,
  tel: Tel.nullable().optional().describe('only in your own info'),
  email: z.string().nullable().optional().describe('only in your own info'),
});

export const VerificationState = z.object({
  status: z.enum(['none', 'pending', 'passed', 'rejected']),
  submittedAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  note: z.string().nullable(),
});

export const Session = z.object({
  token: z.string().describe('send as Authorization: Bearer <token>; shown once'),
  expiresAt: z.string(),
  userId: UserId,
});

/** A photo inside JSON: base64 of a JPEG, PNG, GIF or WebP file of at most 512 KB. */
export const PhotoBase64 = z
  .base64('photo: base64 of the image file')
  .max(1_000_000)
  .describe('base64 of a JPEG/PNG/GIF/WebP image, at most 512 KB decoded');

export const AddressBody = z
  .object({
    addr: AddressText,
    zip: Zip,
    p: z.string().max(60).optional().describe('province (Dingo A.13)'),
    c: z.string().max(60).optional().describe('prefecture-level city (A.14)'),
    d: z.string().max(60).optional().describe('county-level district (A.15)'),
    b: z.string().max(60).optional().describe('township or street (A.16)'),
    v: z.string().max(120).optional().describe('village or residential compound (A.17)'),
  })
  .strict();

export const Address = z.object({
  id: AddressId,
  addr: z.string(),
  zip: z.string(),
  p: z.string().nullable(),
  c: z.string().nullable(),
  d: z.string().nullable(),
  b: z.string().nullable(),
  v: z.string().nullable(),
  updatedAt: z.string(),
});

export const IdentityBody = z
  .object({
    tel: Tel,
    email: Email.optional(),
    realName: RealName,
    prcId: z.string().describe('PRC resident id number: 17 digits + check digit or X'),
    address: AddressText,
    photo: PhotoBase64.optional().describe('required on the first submission'),
  })
  .strict();

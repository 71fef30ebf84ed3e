import { BoxNo, CabinetId, UserNo } from '@locker/protocol';
import { z } from 'zod';
import { UserId } from '../accounts/ids.js';

/** Schemas of method 2: the HTTP API (OpenAPI) and the webhook bodies both ways (docs/authorizers.md). */
export const AuthorizerNo = z.string().regex(/^[0-9]{4}$/, 'authorizer number: 4 digits, e.g. "0001"');
export const RequestId = z.string().regex(/^Q[0-9a-f]{24}$/, 'request id: Q + 24 hex');

/** Where the cloud POSTs: plain http(s), no credentials in the URL (they would be logged). */
const ServiceUrl = z
  .url({ protocol: /^https?$/ })
  .max(500)
  .refine((u) => !new URL(u).username && !new URL(u).password, 'no user or password in the URL');

export const CreateAuthorizerBody = z
  .object({
    no: AuthorizerNo,
    name: z.string().min(1).max(100),
    url: ServiceUrl.describe('the service interface URL (授权服务接口) the cloud POSTs to'),
    status: z.enum(['normal', 'disabled']).optional(),
  })
  .strict();

export const PatchAuthorizerBody = z
  .object({
    name: z.string().min(1).max(100).optional(),
    url: ServiceUrl.optional(),
    status: z.enum(['normal', 'disabled']).optional(),
    reason: z.string().min(1).max(300).optional(),
  })
  .strict();

export const Authorizer = z.object({
  no: AuthorizerNo,
  name: z.string(),
  status: z.enum(['normal', 'disabled']),
  url: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const AuthorizerWithSecret = z.object({
  authorizer: Authorizer,
  secret: z.string().describe('the shared HMAC secret; shown only in this answer, store it now'),
});

export const PublicAuthorizer = z.object({ no: AuthorizerNo, name: z.string() });

export const ThirdPartyBody = z
  .object({ siteNo: CabinetId, boxNo: BoxNo, authorizerNo: AuthorizerNo })
  .strict();

export const AuthorizationRequest = z.object({
  id: RequestId,
  siteNo: z.string(),
  boxNo: z.string(),
  size: z.string(),
  authorizer: PublicAuthorizer,
  state: z.enum(['requested', 'sent', 'granted', 'failed']),
  grantee: z.object({ id: UserId, name: z.string(), userNo: z.string().nullable() }).nullable(),
  grantId: z.string().nullable(),
  failureCode: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** The authorizer's answer: in a 200 response to the request, or in a callback (step E). */
export const AuthorizerAnswer = z
  .object({
    requestId: RequestId,
    siteNo: CabinetId,
    boxNo: BoxNo,
    grantee: UserNo.describe("the grantee's user number (phone number)"),
    authorizerNo: AuthorizerNo,
  })
  .strict();
export type AuthorizerAnswer = z.infer<typeof AuthorizerAnswer>;

export const CallbackAnswer = z.object({
  requestId: RequestId,
  state: z.literal('granted'),
  grantId: z.string(),
});

/** Cloud -> authorizer, step D. */
export interface AuthorizationRequestMessage {
  type: 'authorization_request';
  requestId: string;
  authorizerNo: string;
  siteNo: string;
  boxNo: string;
  size: string;
  /** The holder's user number (phone number). */
  holder: string;
  expiresAt: string;
}

/** Cloud -> authorizer, step E: the grant is made. */
export interface ConfirmationMessage {
  type: 'confirmation';
  requestId: string;
  authorizerNo: string;
  siteNo: string;
  boxNo: string;
  grantee: string;
  grantId: string;
  grantExpiresAt: string;
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts-module.js';
import { Email, Password, Tel, UserName } from '../../accounts/fields.js';
import { pashOf } from '../../accounts/pash.js';
import { ErrorResponse } from '../schemas.js';
import { userAuth } from './bearer.js';
import {
  authErrors,
  IdentityBody,
  PhotoBase64,
  Session,
  security,
  UserInfo,
  VerificationState,
} from './schemas.js';

/** The caller's own account: info, contact details, password, identity verification, photo. */
export async function v1MeRoutes(app: FastifyInstance, deps: Accounts): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['me'];

  r.get(
    '/v1/me',
    { schema: { tags, summary: 'Your account', security, response: { 200: UserInfo, ...authErrors } } },
    async (req) => {
      const me = await auth(req);
      return deps.accounts.info(me.userId);
    },
  );

  r.patch(
    '/v1/me',
    {
      schema: {
        tags,
        summary: 'Change name, phone number or email (a new phone number needs verification again)',
        security,
        body: z
          .object({ name: UserName.optional(), tel: Tel.optional(), email: Email.nullable().optional() })
          .strict(),
        response: { 200: UserInfo, 409: ErrorResponse, ...authErrors },
      },
    },
    async (req) => {
      const me = await auth(req);
      return deps.accounts.changeContact(me.userId, req.body);
    },
  );

  r.put(
    '/v1/me/password',
    {
      schema: {
        tags,
        summary: 'Change the password; every session is revoked and a new token is returned',
        security,
        body: z.object({ currentPassword: z.string().min(1).max(200), newPassword: Password }).strict(),
        response: {
          200: Session,
          403: ErrorResponse.describe('PASSWORD_MISMATCH'),
          429: ErrorResponse.describe('RATE_LIMITED: too many wrong passwords for this account'),
          ...authErrors,
        },
      },
    },
    async (req) => {
      const me = await auth(req);
      const { currentPassword, newPassword } = req.body;
      await deps.accounts.changePassword(me.userId, pashOf(newPassword), pashOf(currentPassword));
      return { ...(await deps.accounts.issueSession(me.userId)), userId: me.userId };
    },
  );

  r.get(
    '/v1/me/verification',
    {
      schema: {
        tags,
        summary: 'Your identity verification state',
        security,
        response: { 200: VerificationState, ...authErrors },
      },
    },
    async (req) => deps.verification.state((await auth(req)).userId),
  );

  r.put(
    '/v1/me/verification',
    {
      schema: {
        tags,
        summary: 'Submit identity data for verification (state becomes pending)',
        security,
        body: IdentityBody,
        response: {
          202: VerificationState,
          409: ErrorResponse,
          413: ErrorResponse.describe('PHOTO_TOO_LARGE'),
          415: ErrorResponse.describe('NOT_AN_IMAGE'),
          ...authErrors,
        },
      },
    },
    async (req, reply) => {
      const me = await auth(req);
      const { photo, ...rest } = req.body;
      const state = await deps.verification.submit(me.userId, {
        ...rest,
        photo: photo === undefined ? undefined : Buffer.from(photo, 'base64'),
      });
      return reply.status(202).send(state);
    },
  );

  r.put(
    '/v1/me/avatar',
    {
      schema: {
        tags,
        summary: 'Replace your photo (also the avatar)',
        security,
        body: z.object({ photo: PhotoBase64 }).strict(),
        response: {
          204: z.null(),
          413: ErrorResponse.describe('PHOTO_TOO_LARGE'),
          415: ErrorResponse.describe('NOT_AN_IMAGE'),
          ...authErrors,
        },
      },
    },
    async (req, reply) => {
      const me = await auth(req);
      await deps.verification.setPhoto(me.userId, Buffer.from(req.body.photo, 'base64'));
      return reply.status(204).send(null);
    },
  );
}

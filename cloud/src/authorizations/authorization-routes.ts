import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../accounts/session-tokens.js';
import { ErrorResponse } from '../http/schemas.js';
import { userAuth } from '../http/v1/bearer.js';
import { authErrors, security } from '../http/v1/schemas.js';
import {
  AccessCodeBody,
  AuthorizeBody,
  Grant,
  GrantTokenIssued,
  HeldBox,
  RightId,
  Timeline,
} from '../reservations/right-schemas.js';
import type { TimelineQueries } from '../timeline/timeline-queries.js';
import type { AuthorizationService } from './authorization-service.js';

/** The authorizations module's routes, under /v1/authorizations: the patent's method 1, steps C-E. */
export async function authorizationRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionTokens; authorizations: AuthorizationService; timeline: TimelineQueries },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['authorizations'];
  const params = z.object({ grantId: RightId });
  const notFound = ErrorResponse.describe('GRANT_NOT_FOUND');

  r.post(
    '',
    {
      schema: {
        tags,
        summary: 'Steps C-E: hand a box you hold to a grantee; they are notified with an access code',
        security,
        body: AuthorizeBody,
        response: {
          201: Grant,
          ...authErrors,
          403: ErrorResponse.describe('NOT_THE_HOLDER, USER_DISABLED'),
          404: ErrorResponse.describe('GRANTEE_UNKNOWN, BOX_NOT_FOUND'),
          409: ErrorResponse.describe('GRANTEE_DISABLED, BOX_ALREADY_GRANTED, BOX_NOT_AVAILABLE'),
          410: ErrorResponse.describe('GRANT_EXPIRED'),
        },
      },
    },
    async (req, reply) => {
      const { userId } = await auth(req);
      return reply.status(201).send(await deps.authorizations.authorize(userId, req.body));
    },
  );

  r.get(
    '',
    {
      schema: {
        tags,
        summary: 'Grants you gave and grants you received, newest first',
        security,
        response: { 200: z.object({ given: z.array(Grant), received: z.array(Grant) }), ...authErrors },
      },
    },
    async (req) => deps.authorizations.list((await auth(req)).userId),
  );

  r.get(
    '/:grantId',
    {
      schema: {
        tags,
        summary: 'One grant you gave or received',
        security,
        params,
        response: { 200: Grant, ...authErrors, 404: notFound },
      },
    },
    async (req) => deps.authorizations.get((await auth(req)).userId, req.params.grantId),
  );

  r.post(
    '/:grantId/revoke',
    {
      schema: {
        tags,
        summary: 'Take a grant back; the cabinet refuses its code once it has synced',
        security,
        params,
        response: {
          200: Grant,
          ...authErrors,
          403: ErrorResponse.describe('NOT_THE_HOLDER'),
          404: notFound,
          409: ErrorResponse.describe('GRANT_CLOSED'),
        },
      },
    },
    async (req) => deps.authorizations.revoke((await auth(req)).userId, req.params.grantId),
  );

  r.post(
    '/:grantId/token',
    {
      schema: {
        tags,
        summary:
          'A fresh signed token for a grant you received: show it as a QR code; the cabinet checks it with no network',
        security,
        params,
        response: {
          200: GrantTokenIssued,
          ...authErrors,
          404: notFound,
          409: ErrorResponse.describe('GRANT_CLOSED'),
          410: ErrorResponse.describe('GRANT_EXPIRED'),
          503: ErrorResponse.describe('GRANT_KEY_UNUSABLE'),
        },
      },
    },
    async (req) => deps.authorizations.issueToken((await auth(req)).userId, req.params.grantId),
  );

  r.get(
    '/:grantId/timeline',
    {
      schema: {
        tags: ['timeline'],
        summary: 'A grant from authorization to use, for its holder and its grantee',
        security,
        params,
        response: { 200: Timeline, ...authErrors, 404: notFound },
      },
    },
    async (req) => ({ entries: await deps.timeline.ofGrant((await auth(req)).userId, req.params.grantId) }),
  );
}

/** The caller's side of rights under /v1/me: step B, and opening a received grant's code. */
export async function myRightsRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionTokens; authorizations: AuthorizationService },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['authorizations'];
  const params = z.object({ grantId: RightId });
  const notFound = ErrorResponse.describe('GRANT_NOT_FOUND');

  r.get(
    '/v1/me/boxes',
    {
      schema: {
        tags,
        summary: 'Step B: your boxes that hold a right you may hand on',
        security,
        response: { 200: z.object({ boxes: z.array(HeldBox) }), ...authErrors },
      },
    },
    async (req) => ({ boxes: await deps.authorizations.heldBoxes((await auth(req)).userId) }),
  );

  r.post(
    '/v1/me/grants/:grantId/access-code',
    {
      schema: {
        tags,
        summary: 'Open the sealed access code of a grant you received (shown once, stored nowhere)',
        security,
        params,
        body: AccessCodeBody,
        response: {
          200: z.object({ accessCode: z.string(), userNo: z.string().optional() }),
          ...authErrors,
          404: notFound,
          409: ErrorResponse.describe('GRANT_CLOSED'),
          410: ErrorResponse.describe('GRANT_EXPIRED'),
        },
      },
    },
    async (req) => ({
      accessCode: await deps.authorizations.openAccessCode(
        (await auth(req)).userId,
        req.params.grantId,
        req.body.accessCodeSealed,
      ),
    }),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../accounts/session-tokens.js';
import { ErrorResponse } from '../http/schemas.js';
import { userAuth } from '../http/v1/bearer.js';
import { authErrors, security } from '../http/v1/schemas.js';
import { Timeline } from '../reservations/right-schemas.js';
import type { AuthorizerRegistry } from './authorizer-registry.js';
import type { RequestTimeline } from './request-timeline.js';
import { AuthorizationRequest, PublicAuthorizer, RequestId, ThirdPartyBody } from './schemas.js';
import type { ThirdPartyService } from './third-party-service.js';

export interface ThirdPartyRouteDeps {
  sessions: SessionTokens;
  service: ThirdPartyService;
  registry: AuthorizerRegistry;
  timeline: RequestTimeline;
}

/** The holder's side of method 2, under /v1/authorizations/third-party (steps C and F). */
export async function thirdPartyRoutes(app: FastifyInstance, deps: ThirdPartyRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['authorizers'];
  const params = z.object({ requestId: RequestId });
  const notFound = ErrorResponse.describe('AUTHORIZATION_REQUEST_NOT_FOUND');

  r.post(
    '',
    {
      schema: {
        tags,
        summary: 'Method 2, step C: ask an authorizer to pick the grantee of a box you hold',
        description:
          'Answers at once with the stored request (202); the authorizer is asked in the background. ' +
          'Poll GET …/{requestId} or wait for the grant.confirmed or authorization.failed notification.',
        security,
        body: ThirdPartyBody,
        response: {
          202: AuthorizationRequest,
          ...authErrors,
          403: ErrorResponse.describe('NOT_THE_HOLDER, USER_DISABLED'),
          404: ErrorResponse.describe('AUTHORIZER_NOT_FOUND, BOX_NOT_FOUND'),
          409: ErrorResponse.describe(
            'AUTHORIZER_DISABLED, AUTHORIZATION_REQUEST_OPEN, BOX_ALREADY_GRANTED, BOX_NOT_AVAILABLE',
          ),
          410: ErrorResponse.describe('GRANT_EXPIRED'),
        },
      },
    },
    async (req, reply) => {
      const { userId } = await auth(req);
      return reply.status(202).send(await deps.service.request(userId, req.body));
    },
  );

  r.get(
    '',
    {
      schema: {
        tags,
        summary: 'Your third-party requests, newest first',
        security,
        response: { 200: z.object({ requests: z.array(AuthorizationRequest) }), ...authErrors },
      },
    },
    async (req) => ({ requests: await deps.service.list((await auth(req)).userId) }),
  );

  r.get(
    '/:requestId',
    {
      schema: {
        tags,
        summary: 'Step F: one of your requests; `granted` with the grantee once the authorizer chose',
        security,
        params,
        response: { 200: AuthorizationRequest, ...authErrors, 404: notFound },
      },
    },
    async (req) => deps.service.get((await auth(req)).userId, req.params.requestId),
  );

  r.get(
    '/:requestId/timeline',
    {
      schema: {
        tags: ['timeline'],
        summary: 'A request from asked to confirmed or failed, with the grant it made',
        security,
        params,
        response: { 200: Timeline, ...authErrors, 404: notFound },
      },
    },
    async (req) => ({ entries: await deps.timeline.of((await auth(req)).userId, req.params.requestId) }),
  );
}

/** Step B of method 2, under /v1/authorizers: the authorizers a holder may pick. */
export async function authorizerListRoutes(app: FastifyInstance, deps: ThirdPartyRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  r.get(
    '',
    {
      schema: {
        tags: ['authorizers'],
        summary: 'Method 2, step B: the authorizers you may ask (disabled ones are not listed)',
        security,
        response: { 200: z.object({ authorizers: z.array(PublicAuthorizer) }), ...authErrors },
      },
    },
    async (req) => {
      await auth(req);
      return { authorizers: await deps.registry.active() };
    },
  );
}

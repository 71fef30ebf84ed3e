import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from '../accounts/session-tokens.js';
import type { Authorizers } from './authorizers-module.js';
import { callbackRoutes } from './callback-routes.js';
import { authorizerListRoutes, thirdPartyRoutes } from './third-party-routes.js';

/** The routes of method 2 in the /v1 API, each under its prefix (the admin ones are an admin module). */
export async function authorizersRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionTokens; authorizers: Authorizers },
): Promise<void> {
  const { service, registry, timeline } = deps.authorizers;
  const routeDeps = { sessions: deps.sessions, service, registry, timeline };
  await app.register(async (s) => thirdPartyRoutes(s, routeDeps), {
    prefix: '/v1/authorizations/third-party',
  });
  await app.register(async (s) => authorizerListRoutes(s, routeDeps), { prefix: '/v1/authorizers' });
  await app.register(async (s) => callbackRoutes(s, { service }), { prefix: '/v1/authorizers' });
}

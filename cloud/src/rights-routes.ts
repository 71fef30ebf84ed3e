import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from './accounts/session-tokens.js';
import { authorizationRoutes, myRightsRoutes } from './authorizations/authorization-routes.js';
import { reservationRoutes } from './reservations/reservation-routes.js';
import type { Rights } from './rights-module.js';
import { siteRoutes } from './sites/site-routes.js';
import { TimelineQueries } from './timeline/timeline-queries.js';

export interface RightsRouteDeps {
  sessions: SessionTokens;
  rights: Rights;
}

/**
 * The /v1 routes of the patent's modules: each module's routes are one plugin under its prefix
 * (operators' are in the admin plugin, admin-site-routes.ts).
 */
export async function rightsRoutes(app: FastifyInstance, deps: RightsRouteDeps): Promise<void> {
  const { rights, sessions } = deps;
  const { records } = rights;
  const timeline = new TimelineQueries(records.timeline, records.grants, records.reservations);
  await app.register(async (s) => siteRoutes(s, { sites: records.sites, sessions, timeline }), {
    prefix: '/v1/sites',
  });
  await app.register(
    async (s) => reservationRoutes(s, { sessions, reservations: rights.reservations, timeline }),
    {
      prefix: '/v1/reservations',
    },
  );
  await app.register(
    async (s) => authorizationRoutes(s, { sessions, authorizations: rights.authorizations, timeline }),
    { prefix: '/v1/authorizations' },
  );
  await app.register(myRightsRoutes, { sessions, authorizations: rights.authorizations });
}

import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from './accounts/session-tokens.js';
import { authorizationRoutes } from './authorizations/authorization-routes.js';
import { reservationRoutes } from './reservations/reservation-routes.js';
import type { Rights } from './rights-module.js';
import { siteRoutes } from './sites/site-routes.js';
import { timelineRoutes } from './timeline/timeline-routes.js';

export interface RightsRouteDeps {
  sessions: SessionTokens;
  rights: Rights;
}

/** The /v1 routes of the patent's modules, each module's its own plugin (operators' are in the admin plugin). */
export async function rightsRoutes(app: FastifyInstance, deps: RightsRouteDeps): Promise<void> {
  const { rights, sessions } = deps;
  await app.register(siteRoutes, { sites: rights.records.sites });
  await app.register(reservationRoutes, { sessions, reservations: rights.reservations });
  await app.register(authorizationRoutes, { sessions, authorizations: rights.authorizations });
  await app.register(timelineRoutes, {
    sessions,
    timeline: rights.records.timeline,
    grants: rights.records.grants,
    reservations: rights.records.reservations,
  });
}

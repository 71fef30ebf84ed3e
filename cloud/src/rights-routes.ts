import type { FastifyInstance } from 'fastify';
import type { SessionTokens } from './accounts/session-tokens.js';
import { authorizationRoutes } from './authorizations/authorization-routes.js';
import type { CabinetRepository } from './fleet/cabinet-repository.js';
import { reservationRoutes } from './reservations/reservation-routes.js';
import type { Rights } from './rights-module.js';
import { adminSiteRoutes } from './sites/admin-site-routes.js';
import { siteRoutes } from './sites/site-routes.js';
import { UserStatusRepository } from './sites/user-status.js';
import { timelineRoutes } from './timeline/timeline-routes.js';

export interface RightsRouteDeps {
  adminToken: string;
  sessions: SessionTokens;
  cabinets: CabinetRepository;
  rights: Rights;
}

/** Every route of the patent's modules; each module's routes are their own plugin. */
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
  await app.register(adminSiteRoutes, {
    adminToken: deps.adminToken,
    cabinets: deps.cabinets,
    sites: rights.records.sites,
    timeline: rights.records.timeline,
    userStatus: new UserStatusRepository(rights.records.sites.db),
    sessions,
  });
}

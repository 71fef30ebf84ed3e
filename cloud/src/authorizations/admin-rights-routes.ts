import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdminServices } from '../http/admin/admin-plugin.js';
import { requireRole } from '../http/admin-auth.js';
import { ErrorResponse } from '../http/schemas.js';
import { Grant, Reservation, RightId, SiteNo } from '../reservations/right-schemas.js';

const security = [{ adminToken: [] }];
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};
const ReasonBody = z.object({ reason: z.string().min(1).max(300).optional() }).strict();

/**
 * Operators and the rights at a site (an admin plugin module, paths under /v1/admin): what is
 * reserved and granted, and ending a reservation or a grant (a dispute, a lost phone). Each change
 * reaches the cabinet through desired state and is on the timeline with the operator as actor.
 */
export async function adminRightsRoutes(app: FastifyInstance, services: AdminServices): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { reservations, authorizations } = services.rights;
  const tags = ['operator'];

  r.get(
    '/sites/:siteNo/rights',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary: 'Open reservations and live grants at a site',
        security,
        params: z.object({ siteNo: SiteNo }),
        response: {
          200: z.object({ reservations: z.array(Reservation), grants: z.array(Grant) }),
          ...errors,
        },
      },
    },
    async (req) => {
      await services.rights.records.sites.getSite(req.params.siteNo);
      return {
        reservations: await reservations.atSite(req.params.siteNo),
        grants: await authorizations.atSite(req.params.siteNo),
      };
    },
  );

  r.post(
    '/reservations/:reservationId/cancel',
    {
      preHandler: requireRole('operator'),
      schema: {
        tags,
        summary: 'End a reservation still with its reserver; the box is free again',
        security,
        params: z.object({ reservationId: RightId }),
        body: ReasonBody,
        response: { 200: Reservation, ...errors },
      },
    },
    async (req) =>
      reservations.cancelAsOperator(req.operator?.username ?? 'admin-token', req.params.reservationId),
  );

  r.post(
    '/authorizations/:grantId/revoke',
    {
      preHandler: requireRole('operator'),
      schema: {
        tags,
        summary:
          'Revoke a grant; the right goes back to its holder, the cabinet refuses the code once synced',
        security,
        params: z.object({ grantId: RightId }),
        body: ReasonBody,
        response: { 200: Grant, ...errors },
      },
    },
    async (req) =>
      authorizations.revokeAsOperator(req.operator?.username ?? 'admin-token', req.params.grantId),
  );
}

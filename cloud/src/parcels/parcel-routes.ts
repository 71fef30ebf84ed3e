import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../accounts/session-tokens.js';
import { ErrorResponse } from '../http/schemas.js';
import { userAuth } from '../http/v1/bearer.js';
import { authErrors, security } from '../http/v1/schemas.js';
import { AnnounceBody, ParcelId, ParcelList, ParcelView, parcelView } from './parcel-fields.js';
import type { ParcelService } from './parcel-service.js';

export interface ParcelRouteDeps {
  sessions: SessionTokens;
  parcels: ParcelService;
}

/**
 * Parcels for phones: a courier or company announces one (`/v1/parcels`), the recipient and the
 * courier list theirs (`/v1/me/parcels`). The pickup code is never in these answers: it reaches the
 * recipient only in the `parcel.deposited` notification.
 */
export async function v1ParcelRoutes(app: FastifyInstance, deps: ParcelRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['parcels'];

  r.post(
    '/v1/parcels',
    {
      schema: {
        tags,
        summary: 'Announce a parcel before deposit (recipient by phone or user id, waybill, size)',
        security,
        body: AnnounceBody,
        response: { 201: ParcelView, 404: ErrorResponse, 409: ErrorResponse, ...authErrors },
      },
    },
    async (req, reply) => {
      const me = await auth(req);
      return reply.code(201).send(parcelView(await deps.parcels.announce(me.userId, req.body)));
    },
  );

  r.get(
    '/v1/parcels/:parcelId',
    {
      schema: {
        tags,
        summary: 'One parcel you receive or announced',
        security,
        params: z.object({ parcelId: ParcelId }),
        response: { 200: ParcelView, 404: ErrorResponse, ...authErrors },
      },
    },
    async (req) => {
      const me = await auth(req);
      return parcelView(await deps.parcels.getFor(me.userId, req.params.parcelId));
    },
  );

  r.get(
    '/v1/me/parcels',
    {
      schema: {
        tags,
        summary:
          'Parcels for you (role=recipient, by user id or your phone) or that you announced (role=courier)',
        security,
        querystring: z
          .object({
            role: z.enum(['recipient', 'courier']).default('recipient'),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          })
          .strict(),
        response: { 200: ParcelList, ...authErrors },
      },
    },
    async (req) => {
      const me = await auth(req);
      const rows = await deps.parcels.mine(me.userId, req.query.role, req.query.limit);
      return { parcels: rows.map(parcelView) };
    },
  );
}

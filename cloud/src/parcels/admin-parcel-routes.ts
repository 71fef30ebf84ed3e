import { CabinetId } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdminServices } from '../http/admin/admin-plugin.js';
import { requireRole } from '../http/admin-auth.js';
import { ErrorResponse } from '../http/schemas.js';
import { ParcelId, ParcelList, ParcelStateName, ParcelView, parcelView } from './parcel-fields.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const security = [{ adminToken: [] }];

/** Operators' view of parcels (no code in any form) and the public key cabinets are configured with. */
export async function adminParcelRoutes(app: FastifyInstance, deps: AdminServices): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['operator'];

  r.get(
    '/parcels',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary: 'Parcels, newest first, by state and cabinet',
        security,
        querystring: z
          .object({
            state: ParcelStateName.optional(),
            cabinetId: CabinetId.optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          })
          .strict(),
        response: { 200: ParcelList, ...errors },
      },
    },
    async (req) => ({ parcels: (await deps.parcels.list(req.query)).map(parcelView) }),
  );

  r.get(
    '/parcels/:parcelId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary: 'One parcel',
        security,
        params: z.object({ parcelId: ParcelId }),
        response: { 200: ParcelView, ...errors },
      },
    },
    async (req) => parcelView(await deps.parcels.get(req.params.parcelId)),
  );

  r.get(
    '/code-key',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary:
          "The cloud's public key for sealing pickup codes; put it in each cabinet's config as cloudCodeKey",
        security,
        response: {
          200: z.object({ alg: z.literal('x25519-hkdf-sha256-a256gcm'), publicKey: z.string() }),
          ...errors,
        },
      },
    },
    async () => ({ alg: 'x25519-hkdf-sha256-a256gcm' as const, publicKey: deps.codeKey }),
  );
}

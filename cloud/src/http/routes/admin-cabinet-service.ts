import { CabinetId } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DesiredStateService } from '../../fleet/desired-state-service.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

/**
 * A whole cabinet out of service (or back): it travels as desired state, so a cabinet that is
 * offline now refuses people as soon as it reconnects, and keeps refusing across restarts.
 * Operators' commands (open a box) still work on a cabinet out of service.
 */
export async function adminCabinetServiceRoutes(
  app: FastifyInstance,
  deps: { desired: DesiredStateService },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.put(
    '/cabinets/:cabinetId/service',
    {
      preHandler: requireRole('operator'),
      schema: {
        tags: ['operator'],
        summary: 'Take a whole cabinet out of service or back in (people are refused, operators are not)',
        security: [{ adminToken: [] }],
        params: z.object({ cabinetId: CabinetId }),
        body: z.object({ outOfService: z.boolean(), reason: z.string().max(200).optional() }).strict(),
        response: {
          200: z.object({ version: z.number().int(), outOfService: z.boolean() }),
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (req) => ({
      version: await deps.desired.setCabinetOutOfService(req.params.cabinetId, req.body.outOfService),
      outOfService: req.body.outOfService,
    }),
  );
}

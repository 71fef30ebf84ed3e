import { BoxNo, CabinetId, IsoTime } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DesiredStateService } from '../../fleet/desired-state-service.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

const CourierId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'courier id: letters, digits, _ and -');
const Version = z.object({
  version: z.number().int().describe('the desired-state version this change made'),
});
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };
const security = [{ adminToken: [] }];

/**
 * What a cabinet must know to serve people offline, managed by operators: courier credentials and
 * box settings. Changes reach an online cabinet at once and an offline one when it reconnects.
 */
export async function adminDesiredRoutes(
  app: FastifyInstance,
  deps: { desired: DesiredStateService },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/cabinets/:cabinetId/desired',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['operator'],
        summary: 'What the cabinet is meant to hold (courier credentials without their PINs, box settings)',
        security,
        params: z.object({ cabinetId: CabinetId }),
        response: {
          200: z.object({
            version: z.number().int(),
            couriers: z.array(
              z.object({
                courierId: z.string(),
                name: z.string().optional(),
                company: z.string().optional(),
                expiresAt: z.string().optional(),
              }),
            ),
            boxes: z.array(z.object({ boxNo: z.string(), outOfService: z.boolean() })),
          }),
          ...errors,
        },
      },
    },
    async (req) => deps.desired.summary(req.params.cabinetId),
  );

  r.put(
    '/cabinets/:cabinetId/couriers/:courierId',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'Let a courier deposit at this cabinet with a PIN (works offline once synced)',
        security,
        params: z.object({ cabinetId: CabinetId, courierId: CourierId }),
        body: z
          .object({
            pin: z.string().regex(/^[0-9]{4,12}$/, 'PIN: 4 to 12 digits'),
            name: z.string().min(1).max(100).optional(),
            company: z.string().min(1).max(100).optional(),
            expiresAt: IsoTime.optional(),
          })
          .strict(),
        response: { 200: Version, ...errors },
      },
    },
    async (req) => ({
      version: await deps.desired.putCourier(req.params.cabinetId, {
        courierId: req.params.courierId,
        ...req.body,
      }),
    }),
  );

  r.delete(
    '/cabinets/:cabinetId/couriers/:courierId',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: "Withdraw a courier's access to this cabinet",
        security,
        params: z.object({ cabinetId: CabinetId, courierId: CourierId }),
        response: { 200: Version, ...errors },
      },
    },
    async (req) => ({
      version: await deps.desired.removeCourier(req.params.cabinetId, req.params.courierId),
    }),
  );

  r.put(
    '/cabinets/:cabinetId/boxes/:boxNo/settings',
    {
      preHandler: requireRole('operator'),
      schema: {
        tags: ['operator'],
        summary: 'Take a box out of service or back in',
        security,
        params: z.object({ cabinetId: CabinetId, boxNo: BoxNo }),
        body: z.object({ outOfService: z.boolean() }).strict(),
        response: { 200: Version, ...errors },
      },
    },
    async (req) => ({
      version: await deps.desired.setOutOfService(
        req.params.cabinetId,
        req.params.boxNo,
        req.body.outOfService,
      ),
    }),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../accounts/session-tokens.js';
import { ErrorResponse } from '../http/schemas.js';
import { userAuth } from '../http/v1/bearer.js';
import { authErrors, security } from '../http/v1/schemas.js';
import type { ReservationService } from './reservation-service.js';
import { Reservation, ReservationCreated, ReserveBody, RightId } from './right-schemas.js';

/** /v1/reservations: an empty box of a size at a site, held for you for a window. */
export async function reservationRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionTokens; reservations: ReservationService },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['reservations'];
  const params = z.object({ reservationId: RightId });

  r.post(
    '/v1/reservations',
    {
      schema: {
        tags,
        summary: 'Reserve an empty box of a size at a site; the cabinet learns it before you arrive',
        security,
        body: ReserveBody,
        response: {
          201: ReservationCreated,
          ...authErrors,
          403: ErrorResponse.describe('USER_DISABLED'),
          404: ErrorResponse.describe('SITE_NOT_FOUND'),
          409: ErrorResponse.describe('NO_BOX_AVAILABLE, RESERVATION_QUOTA_EXCEEDED'),
        },
      },
    },
    async (req, reply) => {
      const { userId } = await auth(req);
      return reply.status(201).send(await deps.reservations.reserve(userId, req.body));
    },
  );

  r.get(
    '/v1/reservations',
    {
      schema: {
        tags,
        summary: 'Your open reservations, newest first',
        security,
        response: { 200: z.object({ reservations: z.array(Reservation) }), ...authErrors },
      },
    },
    async (req) => ({ reservations: await deps.reservations.list((await auth(req)).userId) }),
  );

  r.get(
    '/v1/reservations/:reservationId',
    {
      schema: {
        tags,
        summary: 'One of your reservations',
        security,
        params,
        response: { 200: Reservation, ...authErrors, 404: ErrorResponse.describe('RESERVATION_NOT_FOUND') },
      },
    },
    async (req) => deps.reservations.get((await auth(req)).userId, req.params.reservationId),
  );

  r.delete(
    '/v1/reservations/:reservationId',
    {
      schema: {
        tags,
        summary: 'Give the box back before the window ends (not once you handed it on)',
        security,
        params,
        response: {
          200: Reservation,
          ...authErrors,
          404: ErrorResponse.describe('RESERVATION_NOT_FOUND'),
          409: ErrorResponse.describe('INVALID_TRANSITION'),
        },
      },
    },
    async (req) => deps.reservations.cancel((await auth(req)).userId, req.params.reservationId),
  );
}

import { BoxNo, LockerError } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../accounts/session-tokens.js';
import type { GrantRepository } from '../authorizations/grant-repository.js';
import { ErrorResponse } from '../http/schemas.js';
import { userAuth } from '../http/v1/bearer.js';
import { authErrors, security } from '../http/v1/schemas.js';
import type { ReservationRepository } from '../reservations/reservation-repository.js';
import { RightId, SiteNo, Timeline } from '../reservations/right-schemas.js';
import { toTimelineEntry } from './timeline-recorder.js';
import type { TimelineRepository } from './timeline-repository.js';

export interface TimelineRouteDeps {
  sessions: SessionTokens;
  timeline: TimelineRepository;
  grants: GrantRepository;
  reservations: ReservationRepository;
}

/**
 * 全程跟踪 for the people involved: a box's steps you were party to (holder, grantee or actor), and
 * the whole story of a grant or reservation you are party to. Operators see everything under
 * /v1/admin (admin-site-routes.ts).
 */
export async function timelineRoutes(app: FastifyInstance, deps: TimelineRouteDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['timeline'];

  r.get(
    '/v1/sites/:siteNo/boxes/:boxNo/timeline',
    {
      schema: {
        tags,
        summary: "A box's timeline: only the steps you are a party to",
        security,
        params: z.object({ siteNo: SiteNo, boxNo: BoxNo }),
        response: { 200: Timeline, ...authErrors },
      },
    },
    async (req) => {
      const { userId } = await auth(req);
      const rows = await deps.timeline.forBox(req.params.siteNo, req.params.boxNo, userId);
      return { entries: rows.map(toTimelineEntry) };
    },
  );

  r.get(
    '/v1/authorizations/:grantId/timeline',
    {
      schema: {
        tags,
        summary: 'A grant from authorization to use, for its holder and its grantee',
        security,
        params: z.object({ grantId: RightId }),
        response: { 200: Timeline, ...authErrors, 404: ErrorResponse.describe('GRANT_NOT_FOUND') },
      },
    },
    async (req) => {
      const { userId } = await auth(req);
      const g = await deps.grants.find(req.params.grantId);
      if (!g || (g.holder_id !== userId && g.grantee_id !== userId)) {
        throw new LockerError('GRANT_NOT_FOUND', `no grant ${req.params.grantId}`);
      }
      const own = await deps.timeline.forSubject('grant', g.id);
      const box = await deps.timeline.forBox(g.site_no, g.box_no, userId, g.created_at);
      return { entries: merge(own, box).map(toTimelineEntry) };
    },
  );

  r.get(
    '/v1/reservations/:reservationId/timeline',
    {
      schema: {
        tags,
        summary: 'A reservation from reserved to used or expired, for its reserver',
        security,
        params: z.object({ reservationId: RightId }),
        response: { 200: Timeline, ...authErrors, 404: ErrorResponse.describe('RESERVATION_NOT_FOUND') },
      },
    },
    async (req) => {
      const { userId } = await auth(req);
      const res = await deps.reservations.find(req.params.reservationId);
      if (!res || res.user_id !== userId) {
        throw new LockerError('RESERVATION_NOT_FOUND', `no reservation ${req.params.reservationId}`);
      }
      const own = await deps.timeline.forSubject('reservation', res.id);
      const box = await deps.timeline.forBox(res.site_no, res.box_no, userId, res.created_at);
      return { entries: merge(own, box).map(toTimelineEntry) };
    },
  );
}

/** Both lists are in id order (time of recording); the merge keeps it and drops duplicates. */
function merge<T extends { id: string }>(a: T[], b: T[]): T[] {
  const seen = new Map<string, T>();
  for (const row of [...a, ...b]) seen.set(row.id, row);
  return [...seen.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

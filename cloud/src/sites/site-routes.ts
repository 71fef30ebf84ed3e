import { BoxNo } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionTokens } from '../accounts/session-tokens.js';
import { ErrorResponse } from '../http/schemas.js';
import { userAuth } from '../http/v1/bearer.js';
import { authErrors, security } from '../http/v1/schemas.js';
import { SiteNo, Timeline } from '../reservations/right-schemas.js';
import type { TimelineQueries } from '../timeline/timeline-queries.js';
import type { SiteRepository } from './site-repository.js';

/**
 * The sites module's routes, under /v1/sites: what anyone may know of a site before reserving there,
 * and a box's timeline for the people party to it.
 */
export async function siteRoutes(
  app: FastifyInstance,
  deps: { sites: SiteRepository; sessions: SessionTokens; timeline: TimelineQueries },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/:siteNo',
    {
      schema: {
        tags: ['sites'],
        summary: 'A site: name, address, location and how many boxes of each size are free',
        params: z.object({ siteNo: SiteNo }),
        response: {
          200: z.object({
            siteNo: z.string(),
            name: z.string(),
            address: z.string().nullable(),
            location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
            free: z.record(z.string(), z.number().int()).describe('free boxes by size class'),
          }),
          400: ErrorResponse,
          404: ErrorResponse.describe('SITE_NOT_FOUND'),
        },
      },
    },
    async (req) => {
      const s = await deps.sites.getSite(req.params.siteNo);
      return {
        siteNo: s.site_no,
        name: s.name,
        address: s.address,
        location: s.lat !== null && s.lon !== null ? { lat: s.lat, lon: s.lon } : null,
        free: await deps.sites.freeBySize(s.site_no),
      };
    },
  );

  r.get(
    '/:siteNo/boxes/:boxNo/timeline',
    {
      schema: {
        tags: ['timeline'],
        summary: "A box's timeline: only the steps you are a party to",
        security,
        params: z.object({ siteNo: SiteNo, boxNo: BoxNo }),
        response: { 200: Timeline, ...authErrors },
      },
    },
    async (req) => {
      const { userId } = await userAuth(deps.sessions)(req);
      return { entries: await deps.timeline.ofBox(userId, req.params.siteNo, req.params.boxNo) };
    },
  );
}

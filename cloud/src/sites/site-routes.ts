import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorResponse } from '../http/schemas.js';
import { SiteNo } from '../reservations/right-schemas.js';
import type { SiteRepository } from './site-repository.js';

/** What anyone may know of a site before reserving there: where it is and what is free. */
export async function siteRoutes(app: FastifyInstance, deps: { sites: SiteRepository }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/v1/sites/:siteNo',
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
}

import { BoxNo, BoxSize } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UserId } from '../accounts/ids.js';
import type { AdminServices } from '../http/admin/admin-plugin.js';
import { requireRole } from '../http/admin-auth.js';
import { ErrorResponse } from '../http/schemas.js';
import { SiteNo, Timeline } from '../reservations/right-schemas.js';
import { toTimelineEntry } from '../timeline/timeline-recorder.js';
import type { BoxRow, SiteRow } from './site-repository.js';
import { UserStatusRepository } from './user-status.js';

const security = [{ adminToken: [] }];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

const Site = z.object({
  siteNo: z.string(),
  name: z.string(),
  address: z.string().nullable(),
  location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
});
const SiteBody = z
  .object({
    name: z.string().min(1).max(100),
    address: z.string().max(300).optional(),
    location: z
      .object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
      .strict()
      .optional(),
  })
  .strict();
const Box = z.object({
  siteNo: z.string(),
  boxNo: z.string(),
  size: z.string(),
  status: z.enum(['free', 'reserved', 'occupied', 'out_of_service', 'blocked']),
  holderId: z.string().nullable().describe('空箱使用人: who holds the empty-box right'),
  depositor: z.string().nullable(),
  parcelNo: z.string().nullable(),
  updatedAt: z.string(),
});

/**
 * Operators' view of the patent's records (an admin plugin module, paths under /v1/admin): sites,
 * boxes with their holders, user status, timelines. Viewers read; admins change.
 */
export async function adminSiteRoutes(app: FastifyInstance, services: AdminServices): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { records } = services.rights;
  const deps = {
    cabinets: services.cabinets,
    sites: records.sites,
    timeline: records.timeline,
    userStatus: new UserStatusRepository(records.sites.db),
    sessions: services.accounts.sessions,
  };
  const viewer = requireRole('viewer');
  const admin = requireRole('admin');
  const tags = ['operator'];
  const siteParams = z.object({ siteNo: SiteNo });

  r.get(
    '/sites',
    {
      preHandler: viewer,
      schema: {
        tags,
        summary: 'Sites (网点), by number',
        security,
        response: { 200: z.object({ sites: z.array(Site) }), ...errors },
      },
    },
    async () => ({ sites: (await deps.sites.listSites()).map(siteView) }),
  );

  r.put(
    '/sites/:siteNo',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: "Name a site and give its address and location (the site number is the cabinet's id)",
        security,
        params: siteParams,
        body: SiteBody,
        response: { 200: Site, ...errors },
      },
    },
    async (req) => {
      await deps.cabinets.get(req.params.siteNo);
      await deps.sites.putSite({ siteNo: req.params.siteNo, ...req.body });
      return siteView(await deps.sites.getSite(req.params.siteNo));
    },
  );

  r.get(
    '/sites/:siteNo/boxes',
    {
      preHandler: viewer,
      schema: {
        tags,
        summary: 'Boxes of a site with size, status, holder, depositor and parcel',
        security,
        params: siteParams,
        response: { 200: z.object({ boxes: z.array(Box) }), ...errors },
      },
    },
    async (req) => {
      await deps.sites.getSite(req.params.siteNo);
      return { boxes: (await deps.sites.listBoxes(req.params.siteNo)).map(boxView) };
    },
  );

  r.put(
    '/sites/:siteNo/boxes',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Add boxes or set their size class (holders and contents stay)',
        security,
        params: siteParams,
        body: z
          .object({
            boxes: z
              .array(z.object({ boxNo: BoxNo, size: BoxSize }).strict())
              .min(1)
              .max(1000),
          })
          .strict(),
        response: { 200: z.object({ boxes: z.array(Box) }), ...errors },
      },
    },
    async (req) => {
      await deps.sites.getSite(req.params.siteNo);
      await deps.sites.putBoxes(req.params.siteNo, req.body.boxes);
      return { boxes: (await deps.sites.listBoxes(req.params.siteNo)).map(boxView) };
    },
  );

  r.get(
    '/sites/:siteNo/boxes/:boxNo/timeline',
    {
      preHandler: viewer,
      schema: {
        tags,
        summary: "A box's whole timeline (全程跟踪)",
        security,
        params: z.object({ siteNo: SiteNo, boxNo: BoxNo }),
        response: { 200: Timeline, ...errors },
      },
    },
    async (req) => {
      await deps.sites.getBox(req.params.siteNo, req.params.boxNo);
      const rows = await deps.timeline.forBox(req.params.siteNo, req.params.boxNo);
      return { entries: rows.map(toTimelineEntry) };
    },
  );

  r.get(
    '/timeline/:subject/:subjectId',
    {
      preHandler: viewer,
      schema: {
        tags,
        summary: 'The whole timeline of one parcel, grant, reservation or third-party request',
        security,
        params: z.object({
          subject: z.enum(['parcel', 'grant', 'reservation', 'request']),
          subjectId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
        }),
        response: { 200: Timeline, ...errors },
      },
    },
    async (req) => ({
      entries: (await deps.timeline.forSubject(req.params.subject, req.params.subjectId)).map(
        toTimelineEntry,
      ),
    }),
  );

  r.put(
    '/users/:userId/status',
    {
      preHandler: admin,
      schema: {
        tags,
        summary:
          'Set a user normal or disabled (disabled: logged out, cannot log in, reserve, hand on or be granted)',
        security,
        params: z.object({ userId: UserId }),
        body: z.object({ status: z.enum(['normal', 'disabled']) }).strict(),
        response: { 200: z.object({ userId: UserId, status: z.enum(['normal', 'disabled']) }), ...errors },
      },
    },
    async (req) => {
      await deps.userStatus.set(req.params.userId, req.body.status);
      if (req.body.status === 'disabled') await deps.sessions.revokeAllOf(req.params.userId);
      return { userId: req.params.userId, status: req.body.status };
    },
  );
}

function siteView(s: SiteRow) {
  return {
    siteNo: s.site_no,
    name: s.name,
    address: s.address,
    location: s.lat !== null && s.lon !== null ? { lat: s.lat, lon: s.lon } : null,
  };
}

function boxView(b: BoxRow) {
  return {
    siteNo: b.site_no,
    boxNo: b.box_no,
    size: b.size,
    status: b.status,
    holderId: b.holder_id,
    depositor: b.depositor,
    parcelNo: b.parcel_no,
    updatedAt: b.updated_at,
  };
}

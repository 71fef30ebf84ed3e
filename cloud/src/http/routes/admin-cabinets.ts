import { AccessKeyId, BoxNo, BoxState, CabinetId, OpenBoxResult } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BrokerAccounts } from '../../broker/broker-accounts.js';
import type { CabinetRepository } from '../../fleet/cabinet-repository.js';
import type { FleetLink } from '../../fleet/fleet-link.js';
import type { CabinetAccessKeys } from '../../security/cabinet-access-keys.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

export interface AdminCabinetDeps {
  cabinets: CabinetRepository;
  fleet: FleetLink;
  brokerAccounts: BrokerAccounts;
  accessKeys: CabinetAccessKeys;
}

const Cabinet = z.object({
  id: CabinetId,
  name: z.string(),
  status: z.enum(['online', 'offline', 'unknown']),
  statusAt: z.string().nullable(),
  appliedSeq: z.number().int(),
  boxes: z.array(BoxNo).describe('its box numbers: the only box topics its broker account may publish'),
  outOfService: z.boolean(),
});
const Layout = z
  .array(BoxNo)
  .min(1)
  .max(999)
  .describe('box numbers of the cabinet (default 01..broker.limits.defaultBoxCount)');
const BrokerCredentials = z.object({
  username: z.string(),
  password: z.string().describe('shown once; store it in the cabinet config'),
});
const AccessKeys = z
  .record(AccessKeyId, z.string())
  .describe(
    "the cabinet's access key by key id (ADR 0015): put it in the cabinet config as `accessKeys`; it checks grants' access codes",
  );
const CabinetParams = z.object({ cabinetId: CabinetId });
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse.describe('FORBIDDEN: the role may not do this'),
  404: ErrorResponse,
  409: ErrorResponse,
};

/** The operator API for cabinets: register, inspect, rotate broker credentials, open a box (mounted under /v1/admin). */
export async function adminCabinetRoutes(app: FastifyInstance, deps: AdminCabinetDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const security = [{ adminToken: [] }];

  r.post(
    '/cabinets',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'Register a cabinet and issue its broker credentials and access key',
        security,
        body: z
          .object({ id: CabinetId, name: z.string().min(1).max(100), boxes: Layout.optional() })
          .strict(),
        response: {
          201: z.object({ cabinet: Cabinet, broker: BrokerCredentials, accessKeys: AccessKeys }),
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const cabinet = await deps.cabinets.create(req.body.id, req.body.name, req.body.boxes);
      const password = await deps.brokerAccounts.issue(cabinet.id, 'cabinet', cabinet.id);
      return reply.status(201).send({
        cabinet,
        broker: { username: cabinet.id, password },
        accessKeys: deps.accessKeys.provisioning(cabinet.id),
      });
    },
  );

  r.get(
    '/cabinets',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['operator'],
        summary: 'List cabinets',
        security,
        response: { 200: z.object({ cabinets: z.array(Cabinet) }), ...errors },
      },
    },
    async () => ({ cabinets: await deps.cabinets.list() }),
  );

  r.get(
    '/cabinets/:cabinetId',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['operator'],
        summary: 'A cabinet with the last reported state of each box',
        security,
        params: CabinetParams,
        response: { 200: z.object({ cabinet: Cabinet, boxes: z.array(BoxState) }), ...errors },
      },
    },
    async (req) => {
      const cabinet = await deps.cabinets.get(req.params.cabinetId);
      return { cabinet, boxes: await deps.cabinets.listBoxes(cabinet.id) };
    },
  );

  r.put(
    '/cabinets/:cabinetId/boxes',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: "Set a cabinet's box layout (its broker account then publishes only these boxes)",
        security,
        params: CabinetParams,
        body: z.object({ boxes: Layout }).strict(),
        response: { 200: Cabinet, ...errors },
      },
    },
    async (req) => {
      const cabinet = await deps.cabinets.setBoxes(req.params.cabinetId, req.body.boxes);
      // The Mosquitto ACL lists each box; the embedded broker reads the layout at the next connect.
      await deps.brokerAccounts.refresh();
      return cabinet;
    },
  );

  r.post(
    '/cabinets/:cabinetId/credentials',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary:
          "Rotate a cabinet's broker password (the old one stops working); shows its access key again, for a replaced cabinet computer",
        security,
        params: CabinetParams,
        response: { 200: BrokerCredentials.extend({ accessKeys: AccessKeys }), ...errors },
      },
    },
    async (req) => {
      const cabinet = await deps.cabinets.get(req.params.cabinetId);
      const password = await deps.brokerAccounts.issue(cabinet.id, 'cabinet', cabinet.id);
      return { username: cabinet.id, password, accessKeys: deps.accessKeys.provisioning(cabinet.id) };
    },
  );

  r.post(
    '/cabinets/:cabinetId/boxes/:boxNo/open',
    {
      preHandler: requireRole('operator'),
      schema: {
        tags: ['operator'],
        summary: 'Open one box now (the cabinet must be online)',
        security,
        params: z.object({ cabinetId: CabinetId, boxNo: BoxNo }),
        body: z
          .object({ reason: z.string().max(200).optional() })
          .strict()
          .nullish(),
        response: {
          200: OpenBoxResult,
          502: ErrorResponse,
          503: ErrorResponse,
          504: ErrorResponse,
          ...errors,
        },
      },
    },
    async (req) => {
      const params = { boxNo: req.params.boxNo, ...(req.body?.reason ? { reason: req.body.reason } : {}) };
      const data = await deps.fleet.sendCommand(
        req.params.cabinetId,
        'open_box',
        params,
        req.operator?.username,
        (transaction) => {
          req.auditTransaction = transaction;
        },
      );
      return OpenBoxResult.parse(data);
    },
  );
}

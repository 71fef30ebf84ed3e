import { CabinetId } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FleetLink } from '../../fleet/fleet-link.js';
import { commandRole } from '../../operators/roles.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

const security = [{ adminToken: [] }];
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse.describe('FORBIDDEN: the role may not do this'),
  404: ErrorResponse.describe('CABINET_NOT_FOUND, or ALARM_NOT_FOUND from the cabinet'),
  503: ErrorResponse.describe('CABINET_OFFLINE'),
  504: ErrorResponse.describe('COMMAND_TIMEOUT'),
};
const Alarm = z.object({
  alarmId: z.string(),
  kind: z.string(),
  subject: z.string(),
  boxNo: z.string().nullable(),
  board: z.number().int().nullable(),
  message: z.string(),
  raisedAt: z.string(),
});

const Diagnostics = z.object({
  boxes: z.number().int(),
  outboxDepth: z.number().int(),
  uptimeSec: z.number().int(),
  alarms: z.array(Alarm).default([]).describe('absent from older cabinets'),
});
const Cleared = z.object({ alarmId: z.string(), cleared: z.literal(true) });

/** Commands that read or settle a cabinet's alarms (the cabinet must be online). */
export async function adminAlarmRoutes(app: FastifyInstance, deps: { fleet: FleetLink }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/cabinets/:cabinetId/diagnostics',
    {
      preHandler: requireRole(commandRole.diagnostics),
      schema: {
        tags: ['operator'],
        summary: 'Ask the cabinet for its diagnostics, with its active alarms and their ids',
        security,
        params: z.object({ cabinetId: CabinetId }),
        response: { 200: Diagnostics, ...errors },
      },
    },
    async (req) => {
      const data = await deps.fleet.sendCommand(
        req.params.cabinetId,
        'diagnostics',
        {},
        req.operator?.username,
        (t) => {
          req.auditTransaction = t;
        },
      );
      return Diagnostics.parse(data);
    },
  );

  r.post(
    '/cabinets/:cabinetId/alarms/:alarmId/clear',
    {
      preHandler: requireRole(commandRole.clear_alarm),
      schema: {
        tags: ['operator'],
        summary: 'Clear an active alarm at the cabinet (a condition that still holds raises it again)',
        security,
        params: z.object({ cabinetId: CabinetId, alarmId: z.string().min(1).max(64) }),
        body: z
          .object({ reason: z.string().max(200).optional() })
          .strict()
          .nullish(),
        response: { 200: Cleared, ...errors },
      },
    },
    async (req) => {
      const params = {
        alarmId: req.params.alarmId,
        ...(req.body?.reason ? { reason: req.body.reason } : {}),
      };
      const data = await deps.fleet.sendCommand(
        req.params.cabinetId,
        'clear_alarm',
        params,
        req.operator?.username,
        (t) => {
          req.auditTransaction = t;
        },
      );
      return Cleared.parse(data);
    },
  );
}

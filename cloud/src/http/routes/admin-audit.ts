import { CabinetId, CommandOp } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandLog } from '../../fleet/command-log.js';
import type { AuditLog } from '../../operators/audit-log.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

const security = [{ adminToken: [] }];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const Paging = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};
const Time = z.iso.datetime({ offset: true });

const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string().describe('operator name, `bootstrap` for the config adminToken'),
  channel: z.enum(['http', 'mqtt', 'cli']),
  action: z.string().describe('`METHOD /v1/admin/...` over HTTP, `command.<op>` over MQTT'),
  cabinetId: z.string().nullable(),
  boxNo: z.string().nullable(),
  reason: z.string().nullable(),
  result: z.enum(['ok', 'error', 'timeout', 'sent']).describe('`sent`: no answer from the cabinet yet'),
  errorCode: z.string().nullable(),
  transaction: z.string().nullable(),
  detail: z.unknown().describe('parameters of the action, secrets redacted'),
});

const Command = z.object({
  transaction: z.string(),
  cabinetId: z.string(),
  op: z.string(),
  params: z.unknown(),
  status: z.enum(['sent', 'ok', 'error', 'timeout']),
  requestedBy: z.string().nullable(),
  result: z.unknown(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

/** What operators did (the audit log) and what cabinets were told (the command log). */
export async function adminAuditRoutes(
  app: FastifyInstance,
  deps: { audit: AuditLog; commands: CommandLog },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/audit',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['operator'],
        summary: 'Operator actions over HTTP and MQTT, newest first',
        security,
        querystring: z
          .object({
            operator: z.string().max(64).optional(),
            action: z.string().max(200).optional(),
            cabinet: CabinetId.optional(),
            from: Time.optional().describe('inclusive'),
            to: Time.optional().describe('exclusive'),
            ...Paging,
          })
          .strict(),
        response: {
          200: z.object({ entries: z.array(AuditEntry), nextOffset: z.number().int().nullable() }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const entries = await deps.audit.list({
        ...(q.operator ? { actor: q.operator } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.cabinet ? { cabinetId: q.cabinet } : {}),
        ...(q.from ? { from: new Date(q.from).toISOString() } : {}),
        ...(q.to ? { to: new Date(q.to).toISOString() } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return { entries, nextOffset: entries.length === q.limit ? q.offset + q.limit : null };
    },
  );

  r.get(
    '/commands',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['operator'],
        summary: 'Commands sent to cabinets (by the cloud or by operators over MQTT), newest first',
        security,
        querystring: z
          .object({ cabinet: CabinetId.optional(), op: CommandOp.optional(), ...Paging })
          .strict(),
        response: {
          200: z.object({ commands: z.array(Command), nextOffset: z.number().int().nullable() }),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const commands = await deps.commands.list({
        ...(q.cabinet ? { cabinetId: q.cabinet } : {}),
        ...(q.op ? { op: q.op } : {}),
        limit: q.limit,
        offset: q.offset,
      });
      return { commands, nextOffset: commands.length === q.limit ? q.offset + q.limit : null };
    },
  );
}

import { isLockerError } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../operators/audit-log.js';
import type { OperatorAccounts } from '../../operators/operator-accounts.js';
import { OperatorRole } from '../../operators/roles.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

const OperatorSession = z.object({
  username: z.string(),
  role: OperatorRole,
  token: z.string().describe('bearer token for /v1/admin; only its hash is stored'),
  tokenExpiresAt: z.string(),
});

/**
 * Operator login: outside the guarded admin plugin, since it is how an operator gets a token.
 * Registered under the /v1/admin prefix by app.ts. Every attempt is audited, failures included.
 */
export async function adminLoginRoutes(
  app: FastifyInstance,
  deps: { operators: OperatorAccounts; audit: AuditLog },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/sessions',
    {
      schema: {
        tags: ['operator'],
        summary: 'Operator login: name and password for an expiring bearer token',
        body: z
          .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) })
          .strict(),
        response: {
          201: OperatorSession,
          400: ErrorResponse,
          401: ErrorResponse.describe('LOGIN_FAILED'),
          429: ErrorResponse.describe('RATE_LIMITED: too many attempts for this name or address'),
        },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body;
      const entry = { actor: username, channel: 'http' as const, action: 'POST /v1/admin/sessions' };
      try {
        const session = await deps.operators.login(username, password, req.ip);
        await deps.audit.record({ ...entry, result: 'ok' });
        return reply.status(201).send({
          username: session.username,
          role: session.role,
          token: session.token,
          tokenExpiresAt: session.tokenExpiresAt,
        });
      } catch (err) {
        const code = isLockerError(err) ? err.code : 'INTERNAL';
        await deps.audit.record({ ...entry, result: 'error', errorCode: code, detail: { address: req.ip } });
        throw err;
      }
    },
  );
}

/** Logout, inside the guarded plugin: any role may end its own token. */
export async function adminLogoutRoutes(
  app: FastifyInstance,
  deps: { operators: OperatorAccounts },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.delete(
    '/sessions/current',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags: ['operator'],
        summary: 'Operator logout: revoke the token of this request',
        security: [{ adminToken: [] }],
        response: { 204: z.null(), 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (req, reply) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token) await deps.operators.revoke(token);
      return reply.status(204).send(null);
    },
  );
}

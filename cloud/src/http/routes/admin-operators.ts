import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OperatorAccounts } from '../../operators/operator-accounts.js';
import { OperatorName } from '../../operators/operator-accounts.js';
import { OperatorRole } from '../../operators/roles.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';

const security = [{ adminToken: [] }];
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse.describe('FORBIDDEN: only admins manage operator accounts'),
  404: ErrorResponse,
  409: ErrorResponse,
};
const Operator = z.object({
  username: z.string(),
  role: OperatorRole,
  createdBy: z.string(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});
const Credentials = z.object({
  operator: Operator,
  password: z
    .string()
    .describe('login password (POST /v1/admin/sessions); shown once, only its hash is stored'),
  token: z.string().describe('bearer token for /v1/admin; shown once, only its hash is stored'),
  tokenExpiresAt: z.string(),
  broker: z
    .object({ username: z.string(), password: z.string() })
    .describe('broker account with the ACL of the role; shown once'),
});
const Params = z.object({ username: OperatorName });

/** Operator accounts, managed by admins (the first admin comes from the CLI or the bootstrap token). */
export async function adminOperatorRoutes(
  app: FastifyInstance,
  deps: { operators: OperatorAccounts },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/operators',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'Create an operator account: role, expiring bearer token and broker credentials',
        security,
        body: z.object({ username: OperatorName, role: OperatorRole }).strict(),
        response: { 201: Credentials, ...errors },
      },
    },
    async (req, reply) => {
      const by = req.operator?.username ?? 'unknown';
      return reply.status(201).send(await deps.operators.create(req.body.username, req.body.role, by));
    },
  );

  r.get(
    '/operators',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'List operator accounts',
        security,
        response: { 200: z.object({ operators: z.array(Operator) }), ...errors },
      },
    },
    async () => ({ operators: await deps.operators.list() }),
  );

  r.patch(
    '/operators/:username',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: "Change an operator's role or disable the account (its tokens are revoked)",
        security,
        params: Params,
        body: z.object({ role: OperatorRole.optional(), disabled: z.boolean().optional() }).strict(),
        response: { 200: Operator, ...errors },
      },
    },
    async (req) => deps.operators.update(req.params.username, req.body),
  );

  r.post(
    '/operators/:username/credentials',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'Issue a new login password, token and broker password (the old ones stop working)',
        security,
        params: Params,
        response: { 200: Credentials, ...errors },
      },
    },
    async (req) => deps.operators.rotate(req.params.username),
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdminServices } from '../http/admin/admin-plugin.js';
import { requireRole } from '../http/admin-auth.js';
import { ErrorResponse } from '../http/schemas.js';

const security = [{ adminToken: [] }];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

const GrantKey = z.object({
  kid: z.string(),
  state: z.enum(['active', 'retired']),
  publicKey: z.string().describe('Ed25519, base64url of the raw 32 bytes'),
  createdAt: z.string(),
  acceptUntil: z.string().nullable().describe('a retired key: cabinets accept its tokens until then'),
});

const RotateBody = z
  .object({
    retireNow: z
      .boolean()
      .default(false)
      .describe('refuse the old key at once (it may have leaked) instead of when its tokens expire'),
    reason: z.string().min(1).max(300).optional(),
  })
  .strict();

/**
 * The cloud's grant-token signing keys (ADR 0017), under /v1/admin: list them (public halves only)
 * and rotate. A rotation reaches every cabinet as a delta of desired state.
 */
export async function adminGrantKeyRoutes(app: FastifyInstance, services: AdminServices): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { tokens } = services.rights;
  const tags = ['operator'];

  r.get(
    '/grant-keys',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary: 'The keys signed grant tokens are made and checked with (public halves)',
        security,
        response: { 200: z.object({ keys: z.array(GrantKey) }), ...errors },
      },
    },
    async () => ({ keys: await tokens.keys.list() }),
  );

  r.post(
    '/grant-keys/rotate',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: 'Make a new signing key; every cabinet learns it through desired state',
        security,
        body: RotateBody,
        response: { 200: z.object({ active: GrantKey, cabinetsTold: z.number().int() }), ...errors },
      },
    },
    async (req) => {
      const active = await tokens.keys.rotate({
        retireNow: req.body.retireNow,
        tokenTtlMs: tokens.issuer.lifetimeMs,
      });
      return { active, cabinetsTold: await services.desired.pushGrantKeys() };
    },
  );
}

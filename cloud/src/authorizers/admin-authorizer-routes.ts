import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AdminServices } from '../http/admin/admin-plugin.js';
import { requireRole } from '../http/admin-auth.js';
import { ErrorResponse } from '../http/schemas.js';
import { toAuthorizerView } from './authorizer-registry.js';
import {
  Authorizer,
  AuthorizerNo,
  AuthorizerWithSecret,
  CreateAuthorizerBody,
  PatchAuthorizerBody,
} from './schemas.js';

const security = [{ adminToken: [] }];
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const notFound = ErrorResponse.describe('AUTHORIZER_NOT_FOUND');
const params = z.object({ authorizerNo: AuthorizerNo });

/**
 * The registry of third-party authorizers (an admin plugin module, paths under /v1/admin). Admins
 * register, change, disable and rotate; viewers read. The plugin audits every change; the secret
 * is in answers only, never in a request body, so it never reaches the audit.
 */
const RotateSecretBody = z
  .object({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(3600)
      .describe("how long the old secret still verifies the authorizer's messages; 0 after a leak"),
    reason: z.string().min(1).max(300).optional(),
  })
  .strict();

export async function adminAuthorizerRoutes(app: FastifyInstance, services: AdminServices): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = services.authorizers;
  const tags = ['operator'];

  r.get(
    '/authorizers',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary: 'Every authorizer, disabled ones too',
        security,
        response: { 200: z.object({ authorizers: z.array(Authorizer) }), ...errors },
      },
    },
    async () => ({ authorizers: await registry.list() }),
  );

  r.post(
    '/authorizers',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary: 'Register an authorizer; its shared secret is shown in this answer only',
        security,
        body: CreateAuthorizerBody,
        response: {
          201: AuthorizerWithSecret,
          ...errors,
          409: ErrorResponse.describe('AUTHORIZER_NUMBER_TAKEN'),
        },
      },
    },
    async (req, reply) => reply.status(201).send(await registry.create(req.body)),
  );

  r.get(
    '/authorizers/:authorizerNo',
    {
      preHandler: requireRole('viewer'),
      schema: {
        tags,
        summary: 'One authorizer',
        security,
        params,
        response: { 200: Authorizer, ...errors, 404: notFound },
      },
    },
    async (req) => toAuthorizerView(await registry.get(req.params.authorizerNo)),
  );

  r.patch(
    '/authorizers/:authorizerNo',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary:
          'Rename, move or disable an authorizer (a disabled one is not offered, its answers are refused)',
        security,
        params,
        body: PatchAuthorizerBody,
        response: { 200: Authorizer, ...errors, 404: notFound },
      },
    },
    async (req) => {
      const { reason: _reason, ...patch } = req.body;
      return registry.update(req.params.authorizerNo, patch);
    },
  );

  r.post(
    '/authorizers/:authorizerNo/secret',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags,
        summary:
          'Rotate the shared secret: the new one is shown in this answer only and signs at once; the old one still verifies for graceSeconds',
        security,
        params,
        body: RotateSecretBody,
        response: { 200: AuthorizerWithSecret, ...errors, 404: notFound },
      },
    },
    async (req) => registry.rotate(req.params.authorizerNo, req.body.graceSeconds),
  );
}

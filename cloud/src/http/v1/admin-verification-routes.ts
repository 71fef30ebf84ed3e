import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts-module.js';
import { UserId } from '../../accounts/ids.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';
import { VerificationState } from './schemas.js';

/** Operators review identity verifications (the CLI does the same: `locker-cloud user verify`). */
export async function adminVerificationRoutes(
  app: FastifyInstance,
  deps: { accounts: Accounts },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const security = [{ adminToken: [] }];
  const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

  r.get(
    '/verifications',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'Verification cases in one state (default pending), oldest first',
        security,
        querystring: z.object({
          status: z.enum(['none', 'pending', 'passed', 'rejected']).default('pending'),
        }),
        response: {
          200: z.object({
            cases: z.array(
              VerificationState.extend({
                userId: UserId,
                name: z.string(),
                tel: z.string().nullable(),
                realName: z.string().nullable(),
                prcId: z.string().nullable(),
                address: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({ cases: await deps.accounts.verification.list(req.query.status) }),
  );

  r.post(
    '/verifications/:userId',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['operator'],
        summary: 'Pass or reject a pending verification (the user is notified)',
        security,
        params: z.object({ userId: UserId }),
        body: z
          .object({ decision: z.enum(['pass', 'reject']), note: z.string().max(500).optional() })
          .strict(),
        response: {
          200: VerificationState,
          404: ErrorResponse.describe('USER_NOT_FOUND'),
          409: ErrorResponse.describe('INVALID_TRANSITION: the verification is not pending'),
          ...errors,
        },
      },
    },
    async (req) => deps.accounts.verification.decide(req.params.userId, req.body.decision, req.body.note),
  );
}

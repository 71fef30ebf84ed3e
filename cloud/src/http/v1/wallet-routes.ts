import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { UserId } from '../../accounts/ids.js';
import type { SessionTokens } from '../../accounts/session-tokens.js';
import type { Tasks } from '../../tasks/tasks-module.js';
import type { AdminServices } from '../admin/admin-plugin.js';
import { requireRole } from '../admin-auth.js';
import { ErrorResponse } from '../schemas.js';
import { userAuth } from './bearer.js';
import { authErrors, security } from './schemas.js';
import { CreditBody, Wallet } from './task-schemas.js';

/** Your money for tasks; no external provider is reachable, so operators credit wallets. */
export async function v1WalletRoutes(
  app: FastifyInstance,
  deps: { sessions: SessionTokens; tasks: Tasks },
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  r.get(
    '/v1/me/wallet',
    {
      schema: {
        tags: ['wallet'],
        summary: 'The fen you may spend on tasks (held payments are not in it)',
        security,
        response: { 200: Wallet, ...authErrors },
      },
    },
    async (req) => ({ available: await deps.tasks.payments.available((await auth(req)).userId) }),
  );
}

/** Operators put money into a wallet (e.g. cash at a counter), once per idempotency key. */
export async function adminWalletRoutes(app: FastifyInstance, deps: AdminServices): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    '/wallets/:userId/credits',
    {
      preHandler: requireRole('operator'),
      schema: {
        tags: ['operator'],
        summary: "Credit a user's wallet; the same idempotencyKey again moves no money twice",
        security: [{ adminToken: [] }],
        params: z.object({ userId: UserId }),
        body: CreditBody,
        response: {
          200: Wallet,
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse.describe('USER_NOT_FOUND'),
          409: ErrorResponse.describe('IDEMPOTENCY_KEY_REUSED: the key was used for something else'),
        },
      },
    },
    async (req) => {
      const { userId } = req.params;
      await deps.accounts.accounts.info(userId);
      await deps.tasks.payments.credit({ userId, ...req.body });
      return { available: await deps.tasks.payments.available(userId) };
    },
  );
}

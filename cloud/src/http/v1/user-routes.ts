import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts-module.js';
import { UserId } from '../../accounts/ids.js';
import { ErrorResponse } from '../schemas.js';
import { userAuth } from './bearer.js';
import { authErrors, security, UserInfo } from './schemas.js';

/** Other users, as far as they are public to any logged-in user. */
export async function v1UserRoutes(app: FastifyInstance, deps: Accounts): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const params = z.object({ userId: UserId });

  r.get(
    '/v1/users/:userId',
    {
      schema: {
        tags: ['users'],
        summary: "A user's public info (id and name; your own in full)",
        security,
        params,
        response: { 200: UserInfo, 404: ErrorResponse, ...authErrors },
      },
    },
    async (req) => deps.accounts.info((await auth(req)).userId, req.params.userId),
  );

  // Plain (untyped-reply) route: the answer is image bytes, which the zod provider cannot type.
  app.get<{ Params: { userId: string } }>(
    '/v1/users/:userId/avatar',
    {
      schema: {
        tags: ['users'],
        summary: "A user's photo (image bytes; Content-Type tells the format)",
        security,
        params,
        response: { 404: ErrorResponse.describe('USER_NOT_FOUND or AVATAR_NOT_FOUND'), ...authErrors },
      },
    },
    async (req, reply) => {
      await auth(req);
      const photo = await deps.verification.photo(req.params.userId);
      return reply
        .header('content-type', photo.contentType)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=60')
        .send(photo.data);
    },
  );
}

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts-module.js';
import { Email, Password, Tel, UserName } from '../../accounts/fields.js';
import { UserId } from '../../accounts/ids.js';
import { pashOf } from '../../accounts/pash.js';
import { ErrorResponse } from '../schemas.js';
import { clientOf, userAuth } from './bearer.js';
import { authErrors, Session, security } from './schemas.js';

/** Registration, login and logout. */
export async function v1SessionRoutes(app: FastifyInstance, deps: Accounts): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);

  r.post(
    '/v1/accounts',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Register an account',
        body: z
          .object({ name: UserName, password: Password, tel: Tel.optional(), email: Email.optional() })
          .strict(),
        response: {
          201: z.object({ id: UserId, name: UserName }),
          400: ErrorResponse,
          409: ErrorResponse.describe('NAME_TAKEN or TEL_TAKEN'),
          429: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const { password, ...rest } = req.body;
      const user = await deps.accounts.register({ ...rest, pash: pashOf(password) }, clientOf(req));
      return reply.status(201).send(user);
    },
  );

  r.post(
    '/v1/sessions',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log in with user id, phone number or name, and get a bearer token',
        body: z
          .object({
            login: z.string().min(1).max(100).describe('user id, 11-digit tel or user name'),
            password: z.string().min(1).max(200),
          })
          .strict(),
        response: { 201: Session, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (req, reply) => {
      const session = await deps.accounts.loginWithPassword(req.body.login, req.body.password, clientOf(req));
      return reply.status(201).send(session);
    },
  );

  r.delete(
    '/v1/sessions/current',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log out: revoke the token of this request',
        security,
        response: { 204: z.null(), ...authErrors },
      },
    },
    async (req, reply) => {
      await deps.accounts.logout(await auth(req));
      return reply.status(204).send(null);
    },
  );
}

import { LockerError } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import type { Accounts } from '../accounts/accounts-module.js';
import { formatHaskellUtc } from '../accounts/time-stamp.js';
import { DingoEnvelope } from './envelope.js';
import { dingoFields } from './form.js';
import { LoginForm, OptionalIdForm, RegistForm } from './schemas.js';
import { clientOf, tmpTokenAuth } from './session.js';

const schema = (summary: string) => ({ tags: ['dingo'], summary });

/** Dingo §1.1, §1.4-1.7 and `GET /`: register, log in and out, user info, avatar, server time. */
export async function dingoAccountRoutes(app: FastifyInstance, deps: Accounts): Promise<void> {
  const auth = tmpTokenAuth(deps.sessions);

  app.get('/', { schema: schema('Server time, for the login TIME-STAMP') }, async (_req, reply) =>
    DingoEnvelope.success(reply, formatHaskellUtc(new Date())),
  );

  app.post('/regist', { schema: schema('§1.1 register: name, pash (SHA-256 hex)') }, async (req, reply) => {
    const { data } = await dingoFields(req, RegistForm);
    const user = await deps.accounts.register(data, clientOf(req));
    return DingoEnvelope.success(reply, user.id);
  });

  app.post(
    '/login',
    { schema: schema('§1.4 log in by id, tel or name with the timestamped pash; CONTEXT is the TMP-TOKEN') },
    async (req, reply) => {
      const { data } = await dingoFields(req, LoginForm);
      // The document's priority: user id, then phone, then name.
      const field =
        data.id !== undefined
          ? 'id'
          : data.tel !== undefined
            ? 'tel'
            : data.name !== undefined
              ? 'name'
              : undefined;
      if (!field) throw new LockerError('VALIDATION_FAILED', 'one of id, tel or name is required');
      const timeStamp = req.headers['time-stamp'];
      if (typeof timeStamp !== 'string' || timeStamp === '') {
        throw new LockerError('VALIDATION_FAILED', 'the TIME-STAMP header is required');
      }
      const session = await deps.timestampedLogin.login(
        { field, value: data[field] as string, hash: data.pash, timeStamp },
        clientOf(req),
      );
      return DingoEnvelope.success(reply, session.token);
    },
  );

  app.post('/logout', { schema: schema('§1.5 log out (revokes the TMP-TOKEN)') }, async (req, reply) => {
    await deps.accounts.logout(await auth(req));
    return DingoEnvelope.success(reply, null);
  });

  app.post(
    '/usrinfo',
    { schema: schema('§1.6 user info: yours, or the public part of id') },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, OptionalIdForm);
      return DingoEnvelope.success(reply, await deps.accounts.info(me.userId, data.id ?? me.userId));
    },
  );

  app.post(
    '/usrhimg',
    { schema: schema("§1.7 a user's avatar; the body is the image") },
    async (req, reply) => {
      const me = await auth(req);
      const { data } = await dingoFields(req, OptionalIdForm);
      const photo = await deps.verification.photo(data.id ?? me.userId);
      reply.header('x-content-type-options', 'nosniff');
      return DingoEnvelope.success(reply, photo.data, photo.contentType);
    },
  );
}

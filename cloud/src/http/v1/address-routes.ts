import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../../accounts/accounts-module.js';
import { fromShort, toShort } from '../../accounts/address-shape.js';
import { AddressId } from '../../accounts/ids.js';
import { ErrorResponse } from '../schemas.js';
import { userAuth } from './bearer.js';
import { Address, AddressBody, authErrors, security } from './schemas.js';

/** The caller's delivery addresses. */
export async function v1AddressRoutes(app: FastifyInstance, deps: Accounts): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const tags = ['addresses'];
  const params = z.object({ addressId: AddressId });
  const Created = z.object({ id: AddressId });

  r.get(
    '/v1/me/addresses',
    {
      schema: {
        tags,
        summary: 'Your delivery addresses, oldest first',
        security,
        response: { 200: z.object({ addresses: z.array(Address) }), ...authErrors },
      },
    },
    async (req) => ({ addresses: (await deps.addresses.list((await auth(req)).userId)).map(toShort) }),
  );

  r.post(
    '/v1/me/addresses',
    {
      schema: {
        tags,
        summary: 'Add a delivery address',
        security,
        body: AddressBody,
        response: { 201: Created, ...authErrors },
      },
    },
    async (req, reply) => {
      const id = await deps.addresses.add((await auth(req)).userId, fromShort(req.body));
      return reply.status(201).send({ id });
    },
  );

  r.put(
    '/v1/me/addresses/:addressId',
    {
      schema: {
        tags,
        summary: 'Change one of your delivery addresses',
        security,
        params,
        body: AddressBody,
        response: { 200: Created, 404: ErrorResponse.describe('ADDRESS_NOT_FOUND'), ...authErrors },
      },
    },
    async (req) => ({
      id: await deps.addresses.change((await auth(req)).userId, req.params.addressId, fromShort(req.body)),
    }),
  );

  r.delete(
    '/v1/me/addresses/:addressId',
    {
      schema: {
        tags,
        summary: 'Delete one of your delivery addresses',
        security,
        params,
        response: { 204: z.null(), 404: ErrorResponse.describe('ADDRESS_NOT_FOUND'), ...authErrors },
      },
    },
    async (req, reply) => {
      await deps.addresses.remove((await auth(req)).userId, req.params.addressId);
      return reply.status(204).send(null);
    },
  );
}

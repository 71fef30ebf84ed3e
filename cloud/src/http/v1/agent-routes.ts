import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AgentId } from '../../tasks/task-ids.js';
import { ErrorResponse } from '../schemas.js';
import { userAuth } from './bearer.js';
import { authErrors, security } from './schemas.js';
import type { V1TaskDeps } from './task-routes.js';
import { Agent, AgentBody, NearbyAgents, NearbyQueryString } from './task-schemas.js';

/** "Available to collect" statuses (Dingo §2.7-2.9 as JSON). */
export async function v1AgentRoutes(app: FastifyInstance, deps: V1TaskDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const auth = userAuth(deps.sessions);
  const { agents } = deps.tasks;
  const tags = ['agents'];
  const params = z.object({ agentId: AgentId });
  const errors = {
    403: ErrorResponse.describe('NOT_A_PARTY: not your status'),
    404: ErrorResponse.describe('AGENT_NOT_FOUND'),
    409: ErrorResponse.describe('INVALID_TRANSITION: the status is finished'),
    ...authErrors,
  };

  r.post(
    '/v1/me/agents',
    {
      schema: {
        tags,
        summary: 'Say you are available to collect near ew/ns within r metres',
        security,
        body: AgentBody,
        response: { 201: Agent, ...authErrors },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await agents.save((await auth(req)).userId, undefined, req.body)),
  );

  r.get(
    '/v1/me/agents',
    {
      schema: {
        tags,
        summary: 'Your statuses, active and finished, newest first',
        security,
        response: { 200: z.object({ agents: z.array(Agent) }), ...authErrors },
      },
    },
    async (req) => ({ agents: await agents.mine((await auth(req)).userId) }),
  );

  r.put(
    '/v1/me/agents/:agentId',
    {
      schema: {
        tags,
        summary: 'Change an active status of yours',
        security,
        params,
        body: AgentBody,
        response: { 200: Agent, ...errors },
      },
    },
    async (req) => agents.save((await auth(req)).userId, req.params.agentId, req.body),
  );

  r.post(
    '/v1/me/agents/:agentId/finish',
    {
      schema: {
        tags,
        summary: 'Finish a status (Dingo opt=FIN): it stays readable, it is no longer found',
        security,
        params,
        response: { 200: Agent, ...errors },
      },
    },
    async (req) => agents.end((await auth(req)).userId, req.params.agentId, 'FIN'),
  );

  r.delete(
    '/v1/me/agents/:agentId',
    {
      schema: {
        tags,
        summary: 'Delete a status (Dingo opt=DEL)',
        security,
        params,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await agents.end((await auth(req)).userId, req.params.agentId, 'DEL');
      return reply.status(204).send(null);
    },
  );

  r.get(
    '/v1/agents',
    {
      schema: {
        tags,
        summary: 'Active statuses near a point: within r of it and within their own radius, nearest first',
        security,
        querystring: NearbyQueryString,
        response: { 200: NearbyAgents, ...authErrors },
      },
    },
    async (req) => {
      await auth(req);
      const { offset = 0, limit = 50, ...at } = req.query;
      return agents.nearby({ ...at, offset, limit });
    },
  );
}
